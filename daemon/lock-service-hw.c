/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lock service and its backend: the backend's inputs (keys, bolt, door,
 * exit button, doorbell, tamper, cards, rejected input, a failed drive)
 * turned into decisions; what the service tells the backend (drive, stop,
 * buzzer and LED patterns); the unfinished-drive marker; the door-held-open
 * alarm; a lock with no hardware configured (NoHardware); and the
 * installer's wiring checks (lockctl hw status, lockctl hw test). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "build-config.h"
#include "lock-service-private.h"
#include "verify.h"

/* A door that opens this soon after the exit button was pressed was opened
 * from inside, even if the bolt was still thrown (a mortise lock whose
 * inside handle retracts it): not door-forced. */
#define EXIT_GRACE_USEC (10 * USEC_PER_SEC)
/* Rejected input (Wiegand frames, keypad presses) is summed up, one entry
 * per minute at most: a noisy line or a hostile reader must not fill the
 * log. */
#define REJECT_SUMMARY_USEC USEC_PER_MINUTE
#define KEY_TEST_USEC (30 * USEC_PER_SEC)

const char dl_service_no_hw_hint[] = "no hardware is configured: set the lines in " DL_CONFIG_FILE
                                     " (see /usr/share/doc/doorlockd/wiring.md)";

int service_need_hw(struct dl_service *s, struct dl_error *err) {
        if (s->hw)
                return 0;
        return dl_error_kind(err, "NoHardware",
                             dl_error_set(err, -ENODEV, "Cannot move the bolt: %s", dl_service_no_hw_hint));
}

bool dl_service_hw_configured(const struct dl_service *s) {
        return s->hw != NULL;
}

void service_hw_signal(struct dl_service *s, enum dl_hw_signal signal) {
        if (s->hw && s->hw->ops->signal)
                s->hw->ops->signal(s->hw, signal);
}

/* ---- what the controller tells the backend ---- */

void service_hw_drive(struct dl_service *s, bool unlock) {
        if (!s->hw)
                return;
        /* One byte into a file opened at start, before the motor; the sync
         * after it, so the motor never waits for the disk. */
        (void)dl_drive_marker_set(&s->marker, unlock ? DL_DRIVE_MARKER_UNLOCKING : DL_DRIVE_MARKER_LOCKING);
        s->hw->ops->drive(s->hw, unlock);
        (void)dl_drive_marker_sync(&s->marker);
}

void service_hw_state_changed(struct dl_service *s, enum dl_lock_state now) {
        if (now == DL_LOCK_UNLOCKING || now == DL_LOCK_LOCKING)
                return;
        /* The drive is over, one way or the other. */
        if (now == DL_LOCK_JAMMED && s->hw && s->hw->ops->stop)
                s->hw->ops->stop(s->hw); /* a jammed motor must not keep pushing */
        (void)dl_drive_marker_set(&s->marker, DL_DRIVE_MARKER_IDLE);
}

/* ---- the door-held-open alarm ---- */

static int on_held_open(sd_event_source *es, uint64_t usec, void *userdata) {
        struct dl_service *s = userdata;
        char detail[96];

        (void)es;
        (void)usec;
        if (s->ctl.door != DL_DOOR_OPEN)
                return 0;
        s->held_open = true;
        (void)snprintf(detail, sizeof(detail), "door open for more than %" PRId64 " s",
                       s->config->door_held_open_usec / USEC_PER_SEC);
        service_log_event(s, DL_EVENT_ALARM, DL_SOURCE_SYSTEM, NULL, "held-open: %s", detail);
        s->ev->alarm(s->ev_userdata, "held-open", detail);
        return 0;
}

void service_hw_door_changed(struct dl_service *s, enum dl_door_state now) {
        if (now == DL_DOOR_OPEN && s->config->door_held_open_usec > 0) {
                (void)sd_event_source_set_time(s->held_open_timer,
                                               (uint64_t)(mono_now() + s->config->door_held_open_usec));
                (void)sd_event_source_set_enabled(s->held_open_timer, SD_EVENT_ONESHOT);
                return;
        }
        (void)sd_event_source_set_enabled(s->held_open_timer, SD_EVENT_OFF);
        if (now == DL_DOOR_CLOSED && s->held_open) {
                s->held_open = false;
                service_queue_log(s, "held-open-cleared", DL_SOURCE_SYSTEM, 0, NULL,
                                  "held-open: the door is closed again");
        }
}

bool service_hw_exit_excuses(struct dl_service *s) {
        if (s->exit_pressed_at == 0 || mono_now() - s->exit_pressed_at > EXIT_GRACE_USEC)
                return false;
        service_queue_log(s, "door-opened-from-inside", DL_SOURCE_BUTTON, 0, NULL,
                          "button: door opened within %d s of the exit button while the bolt was %s",
                          (int)(EXIT_GRACE_USEC / USEC_PER_SEC), dl_lock_state_to_string(s->ctl.state));
        return true;
}

/* ---- rejected input, summed up ---- */

static void flush_rejected(struct dl_service *s) {
        if (s->n_rejected == 0)
                return;
        service_queue_log(s, "input-rejected", DL_SOURCE_KEYPAD, 0, NULL,
                          "%s: %u more refused in the last minute (latest: %s)", s->reject_what,
                          s->n_rejected, s->reject_reason);
        s->n_rejected = 0;
}

static int on_reject_timer(sd_event_source *es, uint64_t usec, void *userdata) {
        struct dl_service *s = userdata;

        (void)es;
        (void)usec;
        flush_rejected(s);
        service_sync_store(s);
        return 0;
}

/* ---- the backend's inputs ---- */

static void hw_key(void *userdata, char key) {
        struct dl_service *s = userdata;
        char entry[DL_KEYPAD_BUFFER + 1];
        struct dl_decision d;
        struct dl_error err = {};
        int r;

        if (s->key_test_until != 0) {
                if (mono_now() < s->key_test_until) {
                        /* A wiring test: the key is shown to the installer
                         * and is not part of any entry. */
                        service_hw_signal(s, DL_HW_SIGNAL_KEY);
                        if (s->ev->key_test)
                                s->ev->key_test(s->ev_userdata, key);
                        return;
                }
                s->key_test_until = 0;
        }
        service_hw_signal(s, DL_HW_SIGNAL_KEY);
        if (dl_keypad_press(&s->keypad, key, mono_now(), entry) == DL_KEY_SUBMIT) {
                r = dl_service_entry(s, entry, DL_SOURCE_KEYPAD, &d, &err);
                if (r < 0)
                        fprintf(stderr, "doorlockd: keypad entry failed: %s\n", dl_error_message(&err, r));
                else if (d.granted)
                        service_hw_signal(s, DL_HW_SIGNAL_GRANTED);
                else
                        service_hw_signal(s, d.reason == DL_REASON_LOCKED_OUT || d.lockout_started
                                                     ? DL_HW_SIGNAL_LOCKED_OUT
                                                     : DL_HW_SIGNAL_DENIED);
        }
        secure_zero(entry, sizeof(entry));
        secure_zero(&d, sizeof(d));
        service_rearm_keypad_timer(s);
}

static void hw_bolt(void *userdata, enum dl_bolt_position bolt) {
        struct dl_service *s = userdata;

        if (bolt == DL_BOLT_UNKNOWN)
                dl_lock_bolt_unknown(&s->ctl, mono_now());
        else
                dl_lock_bolt_reported(&s->ctl, mono_now(), bolt == DL_BOLT_UNLOCKED);
        service_rearm_lock_timer(s);
        service_sync_store(s);
}

static void hw_door(void *userdata, enum dl_door_state door) {
        struct dl_service *s = userdata;

        dl_lock_door_reported(&s->ctl, mono_now(), door);
        s->door_suppressed = false;
        service_rearm_lock_timer(s);
        service_sync_store(s);
}

static void hw_exit_button(void *userdata) {
        struct dl_service *s = userdata;
        const struct dl_lock_operation op = {
                .unlock = true,
                .cause = DL_CAUSE_BUTTON,
                .source = DL_SOURCE_BUTTON,
                .who = "exit button",
        };

        /* Request-to-exit comes from inside: it opens in privacy mode and
         * during a keypad lockout, like a door handle would. */
        s->exit_pressed_at = mono_now();
        service_begin_op(s, &op);
        (void)dl_lock_unlock(&s->ctl, mono_now(), 0);
        service_end_op(s);
        service_rearm_lock_timer(s);
        service_queue_log(s, DL_EVENT_ACCESS_GRANTED, DL_SOURCE_BUTTON, 0, NULL,
                          "button: exit button pressed");
        service_sync_store(s);
        s->ev->granted(s->ev_userdata, DL_SOURCE_BUTTON, 0, "");
}

static void hw_doorbell(void *userdata) {
        struct dl_service *s = userdata;

        service_queue_log(s, "doorbell", DL_SOURCE_SYSTEM, 0, NULL, "doorbell: rung");
        service_sync_store(s);
        if (s->ev->doorbell)
                s->ev->doorbell(s->ev_userdata);
}

static void hw_tamper(void *userdata, bool active) {
        struct dl_service *s = userdata;

        if (active == s->tamper)
                return;
        s->tamper = active;
        if (active) {
                service_log_event(s, DL_EVENT_ALARM, DL_SOURCE_SYSTEM, NULL,
                                  "tamper: the tamper switch opened");
                s->ev->alarm(s->ev_userdata, "tamper", "the tamper switch opened");
        } else {
                service_log_event(s, "tamper-cleared", DL_SOURCE_SYSTEM, NULL,
                                  "tamper: the tamper switch closed again");
        }
        s->ev->property_changed(s->ev_userdata, "Tamper");
}

static void hw_card(void *userdata, unsigned bits, uint64_t data) {
        struct dl_service *s = userdata;
        char tag[DL_CARD_TAG_SIZE];

        /* The number opens doors elsewhere: only its keyed tag is kept. */
        if (dl_store_card_tag(s->store, bits, data, tag) < 0)
                snprintf(tag, sizeof(tag), "unavailable");
        service_queue_log(s, "card-presented", DL_SOURCE_KEYPAD, 0, NULL,
                          "card: %u-bit card, tag %s (cards do not open this lock)", bits, tag);
        service_sync_store(s);
        service_hw_signal(s, DL_HW_SIGNAL_DENIED);
}

static void hw_input_rejected(void *userdata, const char *what, const char *reason) {
        struct dl_service *s = userdata;

        if (sd_event_source_get_enabled(s->reject_timer, NULL) > 0) {
                /* Inside the minute: counted, summed up when it ends. */
                s->n_rejected++;
                (void)snprintf(s->reject_what, sizeof(s->reject_what), "%s", what);
                (void)snprintf(s->reject_reason, sizeof(s->reject_reason), "%s", reason);
                return;
        }
        service_queue_log(s, "input-rejected", DL_SOURCE_KEYPAD, 0, NULL, "%s: refused (%s)", what, reason);
        service_sync_store(s);
        (void)sd_event_source_set_time(s->reject_timer, (uint64_t)(mono_now() + REJECT_SUMMARY_USEC));
        (void)sd_event_source_set_enabled(s->reject_timer, SD_EVENT_ONESHOT);
}

static void hw_drive_failed(void *userdata, const char *detail) {
        struct dl_service *s = userdata;

        dl_lock_drive_failed(&s->ctl, mono_now(), detail);
        service_rearm_lock_timer(s);
        service_sync_store(s);
}

const struct dl_hw_events dl_service_hw_events = {
        .key = hw_key,
        .bolt = hw_bolt,
        .door = hw_door,
        .exit_button = hw_exit_button,
        .doorbell = hw_doorbell,
        .tamper = hw_tamper,
        .card = hw_card,
        .input_rejected = hw_input_rejected,
        .drive_failed = hw_drive_failed,
};

void dl_service_attach_hw(struct dl_service *s, struct dl_hw *hw) {
        s->hw = hw;
        hw->ops->report(hw);
        if (s->marker_found != DL_DRIVE_MARKER_IDLE) {
                /* The daemon died mid-drive.  The motor is not restarted:
                 * the position is what the sensors just said (or unknown),
                 * and the normal rules resume from there. */
                char detail[128];

                (void)snprintf(detail, sizeof(detail),
                               "the daemon stopped while driving the bolt to %s; the bolt is %s",
                               s->marker_found == DL_DRIVE_MARKER_UNLOCKING ? "unlocked" : "locked",
                               dl_lock_state_to_string(s->ctl.state));
                service_log_event(s, DL_EVENT_ALARM, DL_SOURCE_SYSTEM, NULL, "drive-interrupted: %s",
                                  detail);
                s->ev->alarm(s->ev_userdata, "drive-interrupted", detail);
                s->marker_found = DL_DRIVE_MARKER_IDLE;
                (void)dl_drive_marker_set(&s->marker, DL_DRIVE_MARKER_IDLE);
        }
        /* A lock in passage mode before a restart is unlocked again. */
        if (s->ctl.mode == DL_MODE_PASSAGE) {
                const struct dl_lock_operation op = {
                        .unlock = true,
                        .cause = DL_CAUSE_PASSAGE_MODE,
                        .source = DL_SOURCE_SYSTEM,
                        .who = "SetMode() before the restart",
                };

                service_begin_op(s, &op);
                (void)dl_lock_unlock(&s->ctl, mono_now(), 0);
                service_end_op(s);
        }
        service_rearm_lock_timer(s);
        service_sync_store(s);
}

void dl_service_stop_hw(struct dl_service *s) {
        if (s->hw && s->hw->ops->stop)
                s->hw->ops->stop(s->hw);
}

/* ---- the installer's checks ---- */

void dl_service_hw_info(struct dl_service *s, struct dl_hw_info *ret) {
        if (s->hw && s->hw->ops->info) {
                s->hw->ops->info(s->hw, ret);
                return;
        }
        *ret = (struct dl_hw_info){ .backend = "none", .keypad = "none", .actuator = "none" };
}

size_t dl_service_hw_lines(struct dl_service *s, struct dl_hw_line_status *lines, size_t max) {
        if (!s->hw || !s->hw->ops->lines)
                return 0;
        return s->hw->ops->lines(s->hw, lines, max);
}

bool dl_service_tamper(const struct dl_service *s) {
        return s->tamper;
}

int dl_service_hw_test(struct dl_service *s, const struct dl_caller *c, const char *what,
                       struct dl_error *err) {
        struct dl_hw_info info;
        int r;

        r = service_need_admin(c, err);
        if (r < 0)
                return r;
        if (!what ||
            (strcmp(what, "lock") != 0 && strcmp(what, "unlock") != 0 && strcmp(what, "buzzer") != 0 &&
             strcmp(what, "led") != 0 && strcmp(what, "keypad") != 0))
                return dl_error_set(err, -EINVAL, "Unknown test; use lock, unlock, buzzer, led or keypad");
        r = service_need_hw(s, err);
        if (r < 0)
                return r;
        dl_service_hw_info(s, &info);
        if ((strcmp(what, "buzzer") == 0 && !info.buzzer) || (strcmp(what, "led") == 0 && !info.led) ||
            (strcmp(what, "keypad") == 0 && strcmp(info.keypad, "none") == 0))
                return dl_error_kind(err, "NoHardware",
                                     dl_error_set(err, -ENODEV, "No %s is configured", what));
        service_log_event(s, "hw-test", c->source, c->who, "test: %s by %s", what, c->who);
        if (strcmp(what, "lock") == 0)
                return dl_service_lock(s, c, err);
        if (strcmp(what, "unlock") == 0)
                return dl_service_unlock(s, c, 0, err);
        if (strcmp(what, "buzzer") == 0)
                service_hw_signal(s, DL_HW_SIGNAL_TEST_BUZZER);
        else if (strcmp(what, "led") == 0)
                service_hw_signal(s, DL_HW_SIGNAL_TEST_LED);
        else
                s->key_test_until = mono_now() + KEY_TEST_USEC;
        return 0;
}

/* ---- life cycle ---- */

int service_hw_new(struct dl_service *s) {
        struct dl_error err = {};
        int r;

        s->marker.fd = -1;
        r = sd_event_add_time(s->event, &s->held_open_timer, CLOCK_MONOTONIC, UINT64_MAX, USEC_PER_SEC / 10,
                              on_held_open, s);
        if (r >= 0)
                r = sd_event_source_set_enabled(s->held_open_timer, SD_EVENT_OFF);
        if (r >= 0)
                r = sd_event_add_time(s->event, &s->reject_timer, CLOCK_MONOTONIC, UINT64_MAX, USEC_PER_SEC,
                                      on_reject_timer, s);
        if (r >= 0)
                r = sd_event_source_set_enabled(s->reject_timer, SD_EVENT_OFF);
        if (r < 0)
                return r;
        r = dl_drive_marker_open(&s->marker, dl_store_dir(s->store), &s->marker_found, &err);
        if (r < 0)
                /* The lock still works; only a crash mid-drive goes unnoticed. */
                fprintf(stderr, "doorlockd: %s\n", dl_error_message(&err, r));
        return 0;
}

void service_hw_free(struct dl_service *s) {
        s->held_open_timer = sd_event_source_disable_unref(s->held_open_timer);
        s->reject_timer = sd_event_source_disable_unref(s->reject_timer);
        dl_drive_marker_close(&s->marker);
}
