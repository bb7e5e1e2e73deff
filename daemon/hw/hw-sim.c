/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hw-sim.h"

#include <errno.h>
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
        sim->bolt_unlocked = sim->target_unlocked;
        sim->hw.events->bolt(sim->hw.userdata, sim->bolt_unlocked);
        return 0;
}

static void sim_drive(struct dl_hw *hw, bool unlock) {
        struct dl_hw_sim *sim = (struct dl_hw_sim *)hw;

        sim->target_unlocked = unlock;
        (void)arm(sim, &sim->motor_timer, sim->motor_usec, on_motor);
}

static void sim_report(struct dl_hw *hw) {
        struct dl_hw_sim *sim = (struct dl_hw_sim *)hw;

        sim->hw.events->door(sim->hw.userdata, sim->door);
        sim->hw.events->bolt(sim->hw.userdata, sim->bolt_unlocked);
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
        .report = sim_report,
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
