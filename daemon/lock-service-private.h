/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inside the lock service: shared by lock-service.c (the object, the
 * wiring, the bolt), lock-service-timers.c (its timers) and
 * lock-service-admin.c (roles and admin operations), and nothing else. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "door-flap.h"
#include "drive-marker.h"
#include "lock-operation.h"
#include "lock-service.h"
#include "macro.h"

#define SERVICE_LOG_QUEUE 16

/* An informational entry waiting for the next sync (lock-service-log.c). */
struct service_log_item {
        char event[DL_AUDIT_EVENT_MAX];
        enum dl_source source;
        int64_t code_id;
        char code_name[DL_CODE_NAME_MAX_BYTES];
        char details[DL_AUDIT_DETAILS_MAX];
};

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
        sd_event_source *lockout_timer;     /* KeypadLockedUntil going back to 0 */
        sd_event_source *net_lockout_timer; /* NetworkLockedUntil going back to 0 */
        sd_event_source *ec_window_timer;   /* EmergencyCodesLeft refills */
        sd_event_source *flap_timer;        /* a door-flapping summary is due */

        int64_t last_log_seq;
        int64_t *code_ids;
        size_t n_code_ids;
        int64_t lockout_until_seen;
        int64_t net_lockout_until_seen;
        bool clock_trusted_seen;

        /* The story log (lock-service-log.c). */
        struct service_log_item queue[SERVICE_LOG_QUEUE];
        size_t n_queued;
        struct dl_lock_operation next_op; /* what the next drive is for */
        bool next_op_set;
        struct dl_lock_operation moving_op; /* what the drive in flight is for */
        bool moving;
        struct dl_door_flap flap;
        bool door_suppressed; /* the door change being reported is not logged */
        unsigned flap_forced; /* door-forced alarms not raised while flapping */

        /* The backend's side (lock-service-hw.c). */
        sd_event_source *held_open_timer;
        sd_event_source *reject_timer; /* the rejected-input summary is due */
        int64_t exit_pressed_at;       /* monotonic µs, 0 never */
        int64_t key_test_until;        /* monotonic µs: keys are a wiring test */
        struct dl_drive_marker marker;
        enum dl_drive_marker_state marker_found; /* what the last run left */
        unsigned n_rejected;                     /* rejected inputs not logged one by one */
        char reject_what[16], reject_reason[32]; /* the latest of them */
        bool held_open;                          /* alarm raised, door still open */
        bool tamper;
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

/* ---- the story log (lock-service-log.c) ---- */

/* Queue an informational entry; written (NORMAL) by service_flush_log(),
 * which every sync point calls first. */
void service_queue_log(struct dl_service *s, const char *event, enum dl_source source, int64_t code_id,
                       const char *code_name, const char *fmt, ...) _printf_(6, 7);
void service_flush_log(struct dl_service *s);
/* Around a command to the controller: what a drive it makes is for. */
void service_begin_op(struct dl_service *s, const struct dl_lock_operation *op);
void service_end_op(struct dl_service *s);
/* From the controller's callbacks. */
void service_log_auto_relock(struct dl_service *s);
void service_log_drive(struct dl_service *s, bool unlock);
void service_log_state(struct dl_service *s, enum dl_lock_state old, enum dl_lock_state now);
/* false: the change is part of a flap and is only counted. */
bool service_log_door(struct dl_service *s, enum dl_door_state old, enum dl_door_state now);
void service_log_flap_tick(struct dl_service *s);
/* KeypadLockedUntil (or NetworkLockedUntil) moved away from `seen`: log
 * the end if it ran out. */
void service_log_lockout_change(struct dl_service *s, enum dl_lockout_counter which, int64_t seen);

/* ---- the backend (lock-service-hw.c) ---- */

int service_hw_new(struct dl_service *s);
void service_hw_free(struct dl_service *s);
/* 0 with hardware attached, else -ENODEV with kind NoHardware. */
int service_need_hw(struct dl_service *s, struct dl_error *err);
/* From the controller's callbacks: a drive (marker, backend), a new state
 * (marker cleared, motor stopped on a jam), the door (held-open timer). */
void service_hw_drive(struct dl_service *s, bool unlock);
void service_hw_state_changed(struct dl_service *s, enum dl_lock_state now);
void service_hw_door_changed(struct dl_service *s, enum dl_door_state now);
/* A door-forced alarm is excused: the exit button was pressed just before
 * (logs why).  */
bool service_hw_exit_excuses(struct dl_service *s);
/* Play a pattern when a buzzer or LED is there. */
void service_hw_signal(struct dl_service *s, enum dl_hw_signal signal);

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
/* The same for NetworkLockedUntil. */
void service_arm_net_lockout_timer(struct dl_service *s, int64_t until);
/* Arm the flap timer for dl_door_flap_deadline(). */
void service_rearm_flap_timer(struct dl_service *s);
/* EmergencyCodesLeft refills when a new 4-hour window starts. */
void service_arm_ec_window_timer(struct dl_service *s);

/* ---- roles (lock-service-admin.c) ---- */

/* 0 for an admin, else -EACCES with kind AccessDenied. */
int service_need_admin(const struct dl_caller *c, struct dl_error *err);
/* 0 for an admin, and for a remote caller when op is allowed to it under
 * the daemon's [Remote] keys (remote-entry.h); else -EACCES with kind
 * AccessDenied, naming the key that would allow it. */
int service_need_admin_or_remote(struct dl_service *s, const struct dl_caller *c, enum dl_remote_op op,
                                 struct dl_error *err);
/* Switch the mode (no role check: the caller's, or SubmitPin's code), log
 * "mode A -> B by <who>".  Setting the current mode again does nothing. */
int service_set_mode(struct dl_service *s, enum dl_source source, const char *who, enum dl_lock_mode m,
                     struct dl_error *err);
