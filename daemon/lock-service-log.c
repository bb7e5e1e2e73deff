/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lock service's story log: every bolt operation with its cause, the
 * bolt arriving, the door opening and closing (rate limited by
 * door-flap.c), a lockout running out.
 *
 * These entries are informational, not single-use state.  They are queued
 * in memory while the controller calls out (so nothing is written between a
 * keypad '#' and the drive) and written in one transaction with
 * synchronous=NORMAL at the next sync point once the bolt has stopped (an
 * operation and its arrival share a transaction; an entry's time is that of
 * its commit, so the command's entry may be up to the bolt's travel late):
 * a power cut may lose the last seconds of them, never a decision
 * (code-store.md, Durability). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "audit-log.h"
#include "lock-service-private.h"

void service_queue_log(struct dl_service *s, const char *event, enum dl_source source, int64_t code_id,
                       const char *code_name, const char *fmt, ...) {
        char details[DL_AUDIT_DETAILS_MAX];
        struct service_log_item *e;
        va_list ap;

        va_start(ap, fmt);
        (void)vsnprintf(details, sizeof(details), fmt, ap);
        va_end(ap);
        dl_utf8_trim_partial(details);

        if (s->n_queued >= ELEMENTSOF(s->queue))
                service_flush_log(s);
        if (s->n_queued >= ELEMENTSOF(s->queue))
                return; /* the store refused: flush_log() said why */
        e = &s->queue[s->n_queued++];
        *e = (struct service_log_item){ .source = source, .code_id = code_id };
        (void)snprintf(e->event, sizeof(e->event), "%s", event);
        (void)snprintf(e->code_name, sizeof(e->code_name), "%s", code_name ? code_name : "");
        memcpy(e->details, details, sizeof(details));
}

void service_flush_log(struct dl_service *s) {
        struct dl_log_item items[ELEMENTSOF(s->queue)];
        struct dl_error err = {};
        int r;

        if (s->n_queued == 0)
                return;
        for (size_t i = 0; i < s->n_queued; i++)
                items[i] = (struct dl_log_item){
                        .event = s->queue[i].event,
                        .source = s->queue[i].source,
                        .code_id = s->queue[i].code_id,
                        .code_name = s->queue[i].code_name[0] ? s->queue[i].code_name : NULL,
                        .details = s->queue[i].details,
                };
        r = dl_store_log_batch(s->store, items, s->n_queued, &err);
        if (r < 0)
                fprintf(stderr, "doorlockd: cannot write audit log: %s\n", dl_error_message(&err, r));
        /* Written or not, never twice. */
        s->n_queued = 0;
}

/* ---- bolt operations ---- */

void service_begin_op(struct dl_service *s, const struct dl_lock_operation *op) {
        s->next_op = *op;
        s->next_op_set = true;
}

void service_end_op(struct dl_service *s) {
        s->next_op_set = false;
}

static void queue_op(struct dl_service *s, const struct dl_lock_operation *op, bool arrived) {
        char details[DL_AUDIT_DETAILS_MAX];
        const char *event = arrived ? (op->unlock ? DL_EVENT_UNLOCKED : DL_EVENT_LOCKED)
                                    : (op->unlock ? DL_EVENT_UNLOCK : DL_EVENT_LOCK);

        dl_lock_operation_describe(op, arrived, details, sizeof(details));
        service_queue_log(s, event, op->source, op->code_id, op->code_name, "%s", details);
}

void service_log_auto_relock(struct dl_service *s) {
        struct dl_lock_operation op = {
                .unlock = false,
                .cause = dl_lock_relock_cause(&s->ctl),
                .source = DL_SOURCE_SYSTEM,
        };

        service_begin_op(s, &op);
}

void service_log_drive(struct dl_service *s, bool unlock) {
        struct dl_lock_operation op = { .unlock = unlock,
                                        .cause = DL_CAUSE_UNSPECIFIED,
                                        .source = DL_SOURCE_SYSTEM };

        if (s->next_op_set && s->next_op.unlock == unlock)
                op = s->next_op;
        s->next_op_set = false;
        s->moving_op = op;
        s->moving = true;
        queue_op(s, &op, false);
}

void service_log_state(struct dl_service *s, enum dl_lock_state old, enum dl_lock_state now) {
        if (now == DL_LOCK_JAMMED) {
                s->moving = false; /* the alarm says it */
                return;
        }
        if (now != DL_LOCK_LOCKED && now != DL_LOCK_UNLOCKED)
                return;
        if (old == DL_LOCK_UNKNOWN)
                return; /* the first report at start: nothing moved */

        if ((old == DL_LOCK_UNLOCKING || old == DL_LOCK_LOCKING) && s->moving &&
            s->moving_op.unlock == (now == DL_LOCK_UNLOCKED))
                queue_op(s, &s->moving_op, true);
        else {
                /* Idle, and the bolt moved: by hand (or it came out of a jam
                 * by itself). */
                struct dl_lock_operation op = {
                        .unlock = now == DL_LOCK_UNLOCKED,
                        .cause = DL_CAUSE_MANUAL,
                        .source = DL_SOURCE_SYSTEM,
                };

                queue_op(s, &op, true);
        }
        s->moving = false;
}

/* ---- the door ---- */

bool service_log_door(struct dl_service *s, enum dl_door_state old, enum dl_door_state now) {
        bool logged;

        if (old == DL_DOOR_UNKNOWN || now == DL_DOOR_UNKNOWN)
                return true; /* the first report at start: nothing happened */
        logged = dl_door_flap_report(&s->flap, mono_now(), now);
        if (logged)
                service_queue_log(s, now == DL_DOOR_OPEN ? DL_EVENT_DOOR_OPENED : DL_EVENT_DOOR_CLOSED,
                                  DL_SOURCE_SYSTEM, 0, NULL, "door %s; bolt %s",
                                  now == DL_DOOR_OPEN ? "opened" : "closed",
                                  dl_lock_state_to_string(s->ctl.state));
        service_rearm_flap_timer(s);
        return logged;
}

void service_log_flap_tick(struct dl_service *s) {
        struct dl_door_flap_summary sum;

        if (!dl_door_flap_tick(&s->flap, mono_now(), &sum))
                return;
        service_queue_log(s, DL_EVENT_DOOR_FLAPPING, DL_SOURCE_SYSTEM, 0, NULL,
                          "%u changes in %" PRId64 ".%01" PRId64 " s not logged one by one; door %s; %s",
                          sum.changes, (sum.last - sum.first) / USEC_PER_SEC,
                          (sum.last - sum.first) % USEC_PER_SEC / (USEC_PER_SEC / 10),
                          dl_door_state_to_string(sum.door), sum.settled ? "settled" : "still changing");
        if (s->flap_forced > 0)
                service_log_event(s, DL_EVENT_ALARM, DL_SOURCE_SYSTEM, NULL,
                                  "door-forced: door opened while locked, %u times while flapping",
                                  s->flap_forced);
        s->flap_forced = 0;
}

/* ---- the keypad's and the network's lockouts ---- */

void service_log_lockout_change(struct dl_service *s, enum dl_lockout_counter which, int64_t seen) {
        /* Ran out by itself (not reset early: ResetLockout() logs that). */
        if (seen <= 0 || dl_clock_now(&dl_clock_system) < seen)
                return;
        if (which == DL_LOCKOUT_NETWORK)
                service_queue_log(s, DL_EVENT_LOCKOUT_ENDED, DL_SOURCE_SYSTEM, 0, NULL,
                                  "network lockout ended; PINs from the network are heard again");
        else
                service_queue_log(s, DL_EVENT_LOCKOUT_ENDED, DL_SOURCE_SYSTEM, 0, NULL,
                                  "keypad lockout ended; the keypad takes codes again");
}
