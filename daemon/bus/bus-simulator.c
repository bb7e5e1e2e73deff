/* SPDX-License-Identifier: GPL-2.0-or-later */
/* org.doorlockd.Simulator1 at DL_BUS_PATH, exported only with --simulate:
 * drive the simulated backend (keys, door, jam).  Administrators only, and
 * checked here, since the service knows nothing of the simulator. */
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

const sd_bus_vtable dl_bus_simulator_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("PressKeys", SD_BUS_ARGS("s", keys), SD_BUS_NO_RESULT, method_press_keys,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetDoor", SD_BUS_ARGS("s", state), SD_BUS_NO_RESULT, method_set_door,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("SetJammed", SD_BUS_ARGS("b", jammed), SD_BUS_NO_RESULT, method_set_jammed,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
