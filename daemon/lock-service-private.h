/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside the lock service: shared by lock-service.c (the object, the
 * wiring, the bolt), lock-service-timers.c (its timers) and
 * lock-service-admin.c (roles and admin operations), and nothing else. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "lock-service.h"
#include "macro.h"

struct dl_service {
        sd_event *event;
        const struct dl_daemon_config *config;
        struct dl_store *store;
        const struct dl_service_events *ev;
        void *ev_userdata;

        struct dl_lock_controller ctl;
        struct dl_keypad_entry keypad;
        struct dl_hw *hw;

        sd_event_source *lock_timer;
        sd_event_source *keypad_timer;
        sd_event_source *maintain_timer;
        sd_event_source *lockout_timer;   /* KeypadLockedUntil going back to 0 */
        sd_event_source *ec_window_timer; /* EmergencyCodesLeft refills */

        int64_t last_log_seq;
        int64_t *code_ids;
        size_t n_code_ids;
        int64_t lockout_until_seen;
        bool clock_trusted_seen;
};

static inline int64_t mono_now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* ---- keeping the faces informed (lock-service.c) ---- */

/* Tell the faces about every audit entry written since the last call, and
 * about lock-wide values the store may have changed. */
void service_sync_store(struct dl_service *s);
/* Codes appear and disappear through the store: diff the list and report. */
void service_sync_codes(struct dl_service *s);
void service_sync_all(struct dl_service *s);
/* Append an entry of the service's own (committed FULL), then sync. */
void service_log_event(struct dl_service *s, const char *event, enum dl_source source, const char *who,
                       const char *fmt, ...) _printf_(5, 6);

/* ---- timers (lock-service-timers.c) ---- */

/* Create the timers, disabled (maintenance armed hourly). */
int service_timers_new(struct dl_service *s);
void service_timers_free(struct dl_service *s);
/* Arm the controller's timer for dl_lock_next_deadline(): after every
 * input to the controller. */
void service_rearm_lock_timer(struct dl_service *s);
void service_rearm_keypad_timer(struct dl_service *s);
/* Announce KeypadLockedUntil again when the lockout ending at `until`
 * (realtime µs, <= 0: none) runs out by itself. */
void service_arm_lockout_timer(struct dl_service *s, int64_t until);
/* EmergencyCodesLeft refills when a new 4-hour window starts. */
void service_arm_ec_window_timer(struct dl_service *s);

/* ---- roles (lock-service-admin.c) ---- */

/* 0 for an admin, else -EACCES with kind AccessDenied. */
int service_need_admin(const struct dl_caller *c, struct dl_error *err);
