/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hw-sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "macro.h"

struct dl_hw_sim {
        struct dl_hw hw; /* first: a struct dl_hw * is a struct dl_hw_sim * */
        sd_event *event;
        int64_t motor_usec;
        int64_t key_gap_usec;
        bool jammed;
        bool moving;
        bool tamper;
        enum dl_hw_signal last_signal;
        unsigned n_signals;
        bool bolt_unlocked;
        bool target_unlocked;
        enum dl_door_state door;
        sd_event_source *motor_timer;
        sd_event_source *key_timer;
        char keys[DL_SIM_KEYS_MAX];
        size_t n_keys;
};

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int arm(struct dl_hw_sim *sim, sd_event_source **source, int64_t delay,
               sd_event_time_handler_t handler) {
        uint64_t when = now_usec() + (uint64_t)MAX(delay, 0);
        int r;

        if (*source) {
                r = sd_event_source_set_time(*source, when);
                if (r < 0)
                        return r;
                return sd_event_source_set_enabled(*source, SD_EVENT_ONESHOT);
        }
        return sd_event_add_time(sim->event, source, CLOCK_MONOTONIC, when, 1000, handler, sim);
}

static int on_motor(sd_event_source *s, uint64_t usec, void *userdata) {
        struct dl_hw_sim *sim = userdata;

        (void)s;
        (void)usec;
        if (sim->jammed)
                return 0; /* the bolt is stuck: no confirmation, ever */
        sim->moving = false;
        sim->bolt_unlocked = sim->target_unlocked;
        sim->hw.events->bolt(sim->hw.userdata, sim->bolt_unlocked ? DL_BOLT_UNLOCKED : DL_BOLT_LOCKED);
        return 0;
}

static void sim_drive(struct dl_hw *hw, bool unlock) {
        struct dl_hw_sim *sim = (struct dl_hw_sim *)hw;

        sim->target_unlocked = unlock;
        sim->moving = true;
        (void)arm(sim, &sim->motor_timer, sim->motor_usec, on_motor);
}

static void sim_stop(struct dl_hw *hw) {
        struct dl_hw_sim *sim = (struct dl_hw_sim *)hw;

        sim->moving = false;
        if (sim->motor_timer)
                (void)sd_event_source_set_enabled(sim->motor_timer, SD_EVENT_OFF);
}

static void sim_signal(struct dl_hw *hw, enum dl_hw_signal signal) {
        struct dl_hw_sim *sim = (struct dl_hw_sim *)hw;

        sim->last_signal = signal;
        sim->n_signals++;
}

static size_t sim_lines(struct dl_hw *hw, struct dl_hw_line_status *lines, size_t max) {
        struct dl_hw_sim *sim = (struct dl_hw_sim *)hw;
        const struct {
                const char *role;
                bool output;
                int value;
        } l[] = {
                { "motor-unlock", true, sim->moving && sim->target_unlocked },
                { "motor-lock", true, sim->moving && !sim->target_unlocked },
                { "bolt-retracted", false, !sim->moving && sim->bolt_unlocked },
                { "bolt-extended", false, !sim->moving && !sim->bolt_unlocked },
                { "door", false, sim->door == DL_DOOR_OPEN },
                { "tamper", false, sim->tamper },
        };

        for (size_t i = 0; i < ELEMENTSOF(l) && i < max; i++) {
                lines[i] = (struct dl_hw_line_status){ .role = l[i].role,
                                                       .output = l[i].output,
                                                       .value = l[i].value };
                (void)snprintf(lines[i].where, sizeof(lines[i].where), "simulated");
        }
        return ELEMENTSOF(l);
}

static void sim_info(struct dl_hw *hw, struct dl_hw_info *ret) {
        (void)hw;
        *ret = (struct dl_hw_info){
                .backend = "simulated",
                .keypad = "simulated",
                .actuator = "simulated",
                .door_sensor = true,
                .bolt_sensor = true,
                .exit_button = true,
                .doorbell = true,
                .tamper = true,
                .buzzer = true,
                .led = true,
        };
}

static void sim_report(struct dl_hw *hw) {
        struct dl_hw_sim *sim = (struct dl_hw_sim *)hw;

        sim->hw.events->door(sim->hw.userdata, sim->door);
        sim->hw.events->bolt(sim->hw.userdata, sim->bolt_unlocked ? DL_BOLT_UNLOCKED : DL_BOLT_LOCKED);
        if (sim->tamper)
                sim->hw.events->tamper(sim->hw.userdata, true);
}

static void sim_free(struct dl_hw *hw) {
        struct dl_hw_sim *sim = (struct dl_hw_sim *)hw;

        if (!sim)
                return;
        sd_event_source_disable_unref(sim->motor_timer);
        sd_event_source_disable_unref(sim->key_timer);
        sd_event_unref(sim->event);
        secure_zero(sim->keys, sizeof(sim->keys));
        free(sim);
}

static const struct dl_hw_ops sim_ops = {
        .drive = sim_drive,
        .stop = sim_stop,
        .report = sim_report,
        .signal = sim_signal,
        .lines = sim_lines,
        .info = sim_info,
        .free = sim_free,
};

static int on_key(sd_event_source *s, uint64_t usec, void *userdata) {
        struct dl_hw_sim *sim = userdata;
        char key;

        (void)s;
        (void)usec;
        if (sim->n_keys == 0)
                return 0;
        key = sim->keys[0];
        memmove(sim->keys, sim->keys + 1, sim->n_keys - 1);
        sim->n_keys--;
        sim->keys[sim->n_keys] = 0;
        if (sim->n_keys > 0)
                (void)arm(sim, &sim->key_timer, sim->key_gap_usec, on_key);
        sim->hw.events->key(sim->hw.userdata, key);
        return 0;
}

int dl_hw_sim_press_keys(struct dl_hw_sim *sim, const char *keys) {
        size_t n = strlen(keys);
        bool idle = sim->n_keys == 0;

        if (n == 0)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (!strchr("0123456789#*", keys[i]))
                        return -EINVAL;
        if (n > DL_SIM_KEYS_MAX - sim->n_keys)
                return -ENOBUFS;
        memcpy(sim->keys + sim->n_keys, keys, n);
        sim->n_keys += n;
        /* The first key comes at once; the rest key_gap apart. */
        if (idle)
                return arm(sim, &sim->key_timer, 0, on_key);
        return 0;
}

int dl_hw_sim_set_door(struct dl_hw_sim *sim, enum dl_door_state door) {
        if (door != DL_DOOR_OPEN && door != DL_DOOR_CLOSED)
                return -EINVAL;
        sim->door = door;
        sim->hw.events->door(sim->hw.userdata, door);
        return 0;
}

void dl_hw_sim_set_jammed(struct dl_hw_sim *sim, bool jammed) {
        sim->jammed = jammed;
}

void dl_hw_sim_press_exit_button(struct dl_hw_sim *sim) {
        sim->hw.events->exit_button(sim->hw.userdata);
}

void dl_hw_sim_ring_doorbell(struct dl_hw_sim *sim) {
        sim->hw.events->doorbell(sim->hw.userdata);
}

void dl_hw_sim_set_tamper(struct dl_hw_sim *sim, bool active) {
        if (sim->tamper == active)
                return;
        sim->tamper = active;
        sim->hw.events->tamper(sim->hw.userdata, active);
}

int dl_hw_sim_present_card(struct dl_hw_sim *sim, unsigned bits, uint64_t data) {
        if (bits != 26 && bits != 34)
                return -EINVAL;
        if (data >> (bits - 2) != 0)
                return -ERANGE;
        sim->hw.events->card(sim->hw.userdata, bits, data);
        return 0;
}

int dl_hw_sim_reject_input(struct dl_hw_sim *sim, const char *what, const char *reason) {
        if (!what || !reason || !*what || !*reason)
                return -EINVAL;
        sim->hw.events->input_rejected(sim->hw.userdata, what, reason);
        return 0;
}

int dl_hw_sim_set_bolt_unknown(struct dl_hw_sim *sim) {
        if (sim->moving)
                return -EBUSY;
        sim->hw.events->bolt(sim->hw.userdata, DL_BOLT_UNKNOWN);
        return 0;
}

unsigned dl_hw_sim_signals(const struct dl_hw_sim *sim, enum dl_hw_signal *ret_last) {
        if (ret_last)
                *ret_last = sim->last_signal;
        return sim->n_signals;
}

struct dl_hw *dl_hw_sim_hw(struct dl_hw_sim *sim) {
        return &sim->hw;
}

int dl_hw_sim_new(sd_event *event, int64_t motor_usec, int64_t key_gap_usec,
                  const struct dl_hw_events *events, void *userdata, struct dl_hw_sim **ret) {
        struct dl_hw_sim *sim;

        sim = calloc(1, sizeof(*sim));
        if (!sim)
                return -ENOMEM;
        sim->hw = (struct dl_hw){ .ops = &sim_ops, .events = events, .userdata = userdata };
        sim->event = sd_event_ref(event);
        sim->motor_usec = motor_usec;
        sim->key_gap_usec = key_gap_usec;
        sim->door = DL_DOOR_CLOSED;
        sim->bolt_unlocked = false;
        *ret = sim;
        return 0;
}
