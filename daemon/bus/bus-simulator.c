/* SPDX-License-Identifier: GPL-2.0-or-later */
/* org.doorlockd.Simulator1 at DL_BUS_PATH, exported only with --simulate:
 * drive the simulated backend (keys, door, jam, exit button, doorbell,
 * tamper, cards, rejected input, a bolt between its sensors).  Administrators only, and
 * checked here, since the service knows nothing of the simulator. */
#include <string.h>

#include "bus-private.h"

static int sim_admin(struct dl_bus *b, sd_bus_message *m, sd_bus_error *error) {
        struct dl_caller c;

        dl_bus_get_caller(b, m, &c);
        if (c.role != DL_ROLE_ADMIN)
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED,
                                        "Only administrators may drive the simulator");
        return 0;
}

static int method_press_keys(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        const char *keys;
        int r;

        r = sd_bus_message_read(m, "s", &keys);
        if (r < 0)
                return r;
        r = sim_admin(b, m, error);
        if (r < 0)
                return r;
        r = dl_hw_sim_press_keys(b->sim, keys);
        if (r == -EINVAL)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "Keys are 0-9, # and *, at least one");
        if (r == -ENOBUFS)
                return sd_bus_error_setf(error, SD_BUS_ERROR_LIMITS_EXCEEDED,
                                         "At most %d keys may be waiting", DL_SIM_KEYS_MAX);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}

static int method_set_door(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        const char *state;
        enum dl_door_state d;
        int r;

        r = sd_bus_message_read(m, "s", &state);
        if (r < 0)
                return r;
        r = sim_admin(b, m, error);
        if (r < 0)
                return r;
        d = dl_door_state_from_string(state);
        if (d != DL_DOOR_OPEN && d != DL_DOOR_CLOSED)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "Door state is 'open' or 'closed'");
        r = dl_hw_sim_set_door(b->sim, d);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}

static int method_set_jammed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        int jammed;
        int r;

        r = sd_bus_message_read(m, "b", &jammed);
        if (r < 0)
                return r;
        r = sim_admin(b, m, error);
        if (r < 0)
                return r;
        dl_hw_sim_set_jammed(b->sim, jammed);
        return sd_bus_reply_method_return(m, NULL);
}

/* The methods without arguments. */
static int method_press_exit_button(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        int r = sim_admin(b, m, error);

        if (r < 0)
                return r;
        dl_hw_sim_press_exit_button(b->sim);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_ring_doorbell(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        int r = sim_admin(b, m, error);

        if (r < 0)
                return r;
        dl_hw_sim_ring_doorbell(b->sim);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_set_bolt_unknown(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        int r = sim_admin(b, m, error);

        if (r < 0)
                return r;
        r = dl_hw_sim_set_bolt_unknown(b->sim);
        if (r == -EBUSY)
                return sd_bus_error_set(error, DL_BUS_ERROR_PREFIX "Busy", "The simulated motor is running");
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}

static int method_set_tamper(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        int active;
        int r;

        r = sd_bus_message_read(m, "b", &active);
        if (r < 0)
                return r;
        r = sim_admin(b, m, error);
        if (r < 0)
                return r;
        dl_hw_sim_set_tamper(b->sim, active);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_present_card(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        uint32_t bits;
        uint64_t data;
        int r;

        r = sd_bus_message_read(m, "ut", &bits, &data);
        if (r < 0)
                return r;
        r = sim_admin(b, m, error);
        if (r < 0)
                return r;
        r = dl_hw_sim_present_card(b->sim, bits, data);
        if (r == -EINVAL || r == -ERANGE)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "A card has 26 bits (24 data bits) or 34 bits (32 data bits)");
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}

static int method_reject_input(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        static const char *const kinds[] = { "wiegand", "keypad" };
        struct dl_bus *b = userdata;
        const char *what, *reason;
        bool known = false;
        int r;

        r = sd_bus_message_read(m, "ss", &what, &reason);
        if (r < 0)
                return r;
        r = sim_admin(b, m, error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
                known = known || strcmp(what, kinds[i]) == 0;
        /* A reason is a stable name: lower case letters and '-'. */
        for (const char *p = reason; known && *p; p++)
                known = (*p >= 'a' && *p <= 'z') || *p == '-';
        if (!known || !*reason || strlen(reason) > 24)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "Input is 'wiegand' or 'keypad'; the reason a short name (a-z, -)");
        r = dl_hw_sim_reject_input(b->sim, what, reason);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}

const sd_bus_vtable dl_bus_simulator_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("PressKeys", SD_BUS_ARGS("s", keys), SD_BUS_NO_RESULT, method_press_keys,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetDoor", SD_BUS_ARGS("s", state), SD_BUS_NO_RESULT, method_set_door,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetJammed", SD_BUS_ARGS("b", jammed), SD_BUS_NO_RESULT, method_set_jammed,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("PressExitButton", NULL, NULL, method_press_exit_button, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("RingDoorbell", NULL, NULL, method_ring_doorbell, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("SetBoltUnknown", NULL, NULL, method_set_bolt_unknown, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetTamper", SD_BUS_ARGS("b", active), SD_BUS_NO_RESULT, method_set_tamper,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("PresentCard", SD_BUS_ARGS("u", bits, "t", data), SD_BUS_NO_RESULT,
                                method_present_card, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RejectInput", SD_BUS_ARGS("s", input, "s", reason), SD_BUS_NO_RESULT,
                                method_reject_input, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
