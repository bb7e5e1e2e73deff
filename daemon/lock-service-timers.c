/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lock service's timers, one sd-event source per job: the lock
 * controller's next deadline (motor timeout, relock), the keypad entry
 * timeout, the end of a keypad lockout, the emergency-code window and the
 * hourly store maintenance. */
#include <stdio.h>

#include "lock-service-private.h"

#define MAINTAIN_INTERVAL_USEC USEC_PER_HOUR

/* Fire `source` (created disabled by add_idle_timer()) once at `when`, in
 * its clock's µs; never when <= 0. */
static void rearm(sd_event_source *source, int64_t when) {
        if (when <= 0) {
                (void)sd_event_source_set_enabled(source, SD_EVENT_OFF);
                return;
        }
        (void)sd_event_source_set_time(source, (uint64_t)when);
        (void)sd_event_source_set_enabled(source, SD_EVENT_ONESHOT);
}

void service_rearm_lock_timer(struct dl_service *s) {
        rearm(s->lock_timer, dl_lock_next_deadline(&s->ctl));
}

static int on_lock_timer(sd_event_source *es, uint64_t usec, void *userdata) {
        struct dl_service *s = userdata;

        (void)es;
        (void)usec;
        dl_lock_tick(&s->ctl, mono_now());
        service_rearm_lock_timer(s);
        service_sync_store(s); /* the relock's entries */
        return 0;
}

void service_rearm_keypad_timer(struct dl_service *s) {
        rearm(s->keypad_timer, dl_keypad_deadline(&s->keypad));
}

static int on_keypad_timer(sd_event_source *es, uint64_t usec, void *userdata) {
        struct dl_service *s = userdata;

        (void)es;
        (void)usec;
        (void)dl_keypad_expire(&s->keypad, mono_now());
        service_rearm_keypad_timer(s);
        return 0;
}

void service_arm_lockout_timer(struct dl_service *s, int64_t until) {
        if (until > 0)
                rearm(s->lockout_timer, until);
}

void service_arm_net_lockout_timer(struct dl_service *s, int64_t until) {
        if (until > 0)
                rearm(s->net_lockout_timer, until);
}

static int on_lockout_timer(sd_event_source *es, uint64_t usec, void *userdata) {
        (void)es;
        (void)usec;
        service_sync_store(userdata);
        return 0;
}

void service_rearm_flap_timer(struct dl_service *s) {
        rearm(s->flap_timer, dl_door_flap_deadline(&s->flap));
}

static int on_flap_timer(sd_event_source *es, uint64_t usec, void *userdata) {
        struct dl_service *s = userdata;

        (void)es;
        (void)usec;
        service_log_flap_tick(s);
        service_sync_store(s);
        service_rearm_flap_timer(s);
        return 0;
}

/* EmergencyCodesLeft goes up without a generation when a use of the
 * gateway's codes is 4 hours old or the lock stops accepting a window
 * with unused ones (the store says when).  A store error: try again at
 * the next window start. */
void service_arm_ec_window_timer(struct dl_service *s) {
        int64_t next = dl_ec_window_start(dl_ec_window(dl_clock_now(&dl_clock_system)) + 1);

        (void)dl_store_ec_quota_changes(s->store, &next, NULL);
        rearm(s->ec_window_timer, next == INT64_MAX ? 0 : next);
}

static int on_ec_window(sd_event_source *es, uint64_t usec, void *userdata) {
        struct dl_service *s = userdata;

        (void)es;
        (void)usec;
        s->ev->property_changed(s->ev_userdata, "EmergencyCodesLeft");
        service_arm_ec_window_timer(s);
        return 0;
}

static int on_maintain_timer(sd_event_source *es, uint64_t usec, void *userdata) {
        struct dl_service *s = userdata;

        (void)dl_service_maintain(s);
        (void)sd_event_source_set_time(es, usec + MAINTAIN_INTERVAL_USEC);
        (void)sd_event_source_set_enabled(es, SD_EVENT_ON);
        return 0;
}

int dl_service_maintain(struct dl_service *s) {
        struct dl_error err = {};
        int r;

        r = dl_store_maintain(s->store, &err);
        if (r < 0)
                fprintf(stderr, "doorlockd: maintenance failed: %s\n", dl_error_message(&err, r));
        service_sync_all(s);
        return r;
}

/* A timer that waits, disabled, until rearm() gives it a time. */
static int add_idle_timer(sd_event *event, sd_event_source **ret, clockid_t clock, uint64_t accuracy,
                          sd_event_time_handler_t handler, void *userdata) {
        int r;

        r = sd_event_add_time(event, ret, clock, UINT64_MAX, accuracy, handler, userdata);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(*ret, SD_EVENT_OFF);
}

int service_timers_new(struct dl_service *s) {
        int r;

        r = add_idle_timer(s->event, &s->lock_timer, CLOCK_MONOTONIC, USEC_PER_SEC / 1000, on_lock_timer, s);
        if (r >= 0)
                r = add_idle_timer(s->event, &s->keypad_timer, CLOCK_MONOTONIC, USEC_PER_SEC / 1000,
                                   on_keypad_timer, s);
        if (r >= 0)
                r = add_idle_timer(s->event, &s->lockout_timer, CLOCK_REALTIME, USEC_PER_SEC / 100,
                                   on_lockout_timer, s);
        if (r >= 0)
                r = add_idle_timer(s->event, &s->net_lockout_timer, CLOCK_REALTIME, USEC_PER_SEC / 100,
                                   on_lockout_timer, s);
        if (r >= 0)
                r = add_idle_timer(s->event, &s->ec_window_timer, CLOCK_REALTIME, USEC_PER_SEC, on_ec_window,
                                   s);
        if (r >= 0)
                r = add_idle_timer(s->event, &s->flap_timer, CLOCK_MONOTONIC, USEC_PER_SEC / 10,
                                   on_flap_timer, s);
        if (r >= 0)
                r = sd_event_add_time_relative(s->event, &s->maintain_timer, CLOCK_MONOTONIC,
                                               MAINTAIN_INTERVAL_USEC, USEC_PER_MINUTE, on_maintain_timer,
                                               s);
        return r;
}

void service_timers_free(struct dl_service *s) {
        s->lock_timer = sd_event_source_disable_unref(s->lock_timer);
        s->keypad_timer = sd_event_source_disable_unref(s->keypad_timer);
        s->maintain_timer = sd_event_source_disable_unref(s->maintain_timer);
        s->lockout_timer = sd_event_source_disable_unref(s->lockout_timer);
        s->net_lockout_timer = sd_event_source_disable_unref(s->net_lockout_timer);
        s->ec_window_timer = sd_event_source_disable_unref(s->ec_window_timer);
        s->flap_timer = sd_event_source_disable_unref(s->flap_timer);
}
