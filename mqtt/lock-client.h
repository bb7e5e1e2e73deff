/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doorlockd-mqtt's D-Bus side: follows org.doorlockd.Lock1 on the bus and
 * keeps a struct lock_view and the code list current, delivers the lock's
 * signals to callbacks, and sends the commands asynchronously.
 *
 * Following: a match on NameOwnerChanged for org.doorlockd.Lock1 and
 * GetNameOwner at start.  When the name gets an owner, the client reads
 * every Lock1 property (GetAll), GetHardware (the door sensor) and the
 * codes (GetManagedObjects); once all three are in, the lock is "present"
 * and appeared() is called.  When the name loses its owner, vanished() is
 * called; the view keeps its last values.  PropertiesChanged keeps the
 * view current (state_changed()); InterfacesAdded/Removed and a
 * PropertiesChanged of any Code1 object re-read the code list
 * (codes_changed()).  Signals are taken only from the name's current
 * owner (its unique name is compared with each signal's sender).
 *
 * Commands: each takes a completion callback that gets either the D-Bus
 * error (name and message) or the result, exactly once, unless the client
 * is freed first: lock_client_free() calls every pending completion with
 * result->cancelled set (nothing may be called on the client from there).
 * Messages that carry a PIN (SubmitPin, AddCode) are marked sensitive, so
 * sd-bus wipes them when it frees them.  Nothing here logs a PIN. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "code-info.h"
#include "lock-view.h"
#include "log-entry.h"
#include "schedule.h"

struct lock_client;

struct lock_client_callbacks {
        /* The lock came onto the bus and was read completely (also after a
         * restart of doorlockd). */
        void (*appeared)(struct lock_client *lc, void *userdata);
        /* doorlockd left the bus. */
        void (*vanished)(struct lock_client *lc, void *userdata);
        /* The view changed (a property, the last access, an alarm bit). */
        void (*state_changed)(struct lock_client *lc, void *userdata);
        /* The code list was read again. */
        void (*codes_changed)(struct lock_client *lc, void *userdata);
        /* AccessGranted / AccessDenied; a->time is the receive time. */
        void (*access)(struct lock_client *lc, const struct lock_access *a, void *userdata);
        /* Alarm(kind, detail), and Doorbell() as LOCK_ALARM_DOORBELL with
         * detail NULL; time is the receive time. */
        void (*alarm)(struct lock_client *lc, enum lock_alarm kind, uint64_t time, const char *detail,
                      void *userdata);
        /* LogEntry: one audit entry, live. */
        void (*log_entry)(struct lock_client *lc, const struct log_entry *e, void *userdata);
};

/* bus must be attached to an sd-event loop by the caller.  The client
 * holds a reference to it. */
int lock_client_new(sd_bus *bus, const struct lock_client_callbacks *cb, void *userdata,
                    struct lock_client **ret);
/* Add the matches and ask who owns the name.  0 or a negative errno. */
int lock_client_start(struct lock_client *lc);
struct lock_client *lock_client_free(struct lock_client *lc);
static inline void lock_client_freep(struct lock_client **lc) {
        *lc = lock_client_free(*lc);
}

/* doorlockd is on the bus and was read completely. */
bool lock_client_present(const struct lock_client *lc);
const struct lock_view *lock_client_view(const struct lock_client *lc);
/* Version and Hardware properties ("" until read). */
const char *lock_client_daemon_version(const struct lock_client *lc);
const char *lock_client_hardware(const struct lock_client *lc);
/* The codes, sorted by id (as code_infos_read() returns them). */
const struct code_info *lock_client_codes(const struct lock_client *lc, size_t *ret_n);
/* The code with that id in the current list, NULL if none. */
const struct code_info *lock_client_find_code(const struct lock_client *lc, uint32_t id);
/* Calls sent and not yet completed. */
unsigned lock_client_calls_in_flight(const struct lock_client *lc);

/* What a command's completion gets. */
struct lock_call_result {
        bool cancelled;            /* the client is being freed: no reply came */
        const char *error_name;    /* NULL on success */
        const char *error_message; /* the D-Bus error's message ("" if none) */
        uint32_t code_id;          /* SubmitPin: the code that opened (0: "/");
                                    * AddCode: the new code's id */
        const char *code_name;     /* SubmitPin: the name that opened ("" otherwise) */
};

typedef void (*lock_call_done_t)(struct lock_client *lc, const struct lock_call_result *r, void *userdata);

/* A code's options for AddCode (a{sv}: OneTime, ValidFrom, ValidUntil,
 * MaxUses, Schedule), each sent only when its has_ flag is set. */
struct lock_code_options {
        bool has_one_time;
        bool one_time;
        bool has_valid_from;
        uint64_t valid_from;
        bool has_valid_until;
        uint64_t valid_until;
        bool has_max_uses;
        uint32_t max_uses;
        bool has_schedule;
        size_t n_windows;
        const struct dl_window *windows;
};

/* One writable Code1 property. */
enum lock_code_field {
        LOCK_CODE_FIELD_NAME,        /* s */
        LOCK_CODE_FIELD_ENABLED,     /* b */
        LOCK_CODE_FIELD_VALID_FROM,  /* t */
        LOCK_CODE_FIELD_VALID_UNTIL, /* t */
        LOCK_CODE_FIELD_MAX_USES,    /* u */
        LOCK_CODE_FIELD_SCHEDULE,    /* a(yqq) */
        _LOCK_CODE_FIELD_MAX,
};

struct lock_code_value {
        enum lock_code_field field;
        const char *name;
        bool enabled;
        uint64_t time; /* valid_from / valid_until */
        uint32_t max_uses;
        size_t n_windows;
        const struct dl_window *windows;
};

const char *lock_code_field_to_property(enum lock_code_field f); /* "Name", "Enabled", … */

/* Each: 0 when the call was sent (done is then called exactly once), or a
 * negative errno (done is not called). */
int lock_client_submit_pin(struct lock_client *lc, const char *pin, const char *action,
                           lock_call_done_t done, void *userdata);
int lock_client_lock(struct lock_client *lc, lock_call_done_t done, void *userdata);
int lock_client_unlock(struct lock_client *lc, lock_call_done_t done, void *userdata);
int lock_client_set_mode(struct lock_client *lc, enum lock_mode mode, lock_call_done_t done, void *userdata);
int lock_client_add_code(struct lock_client *lc, const char *name, const char *pin,
                         const struct lock_code_options *o, lock_call_done_t done, void *userdata);
int lock_client_set_code(struct lock_client *lc, uint32_t code_id, const struct lock_code_value *v,
                         lock_call_done_t done, void *userdata);
int lock_client_remove_code(struct lock_client *lc, uint32_t code_id, lock_call_done_t done, void *userdata);
