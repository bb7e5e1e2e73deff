/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the bus*.c files share and nobody else sees: struct dl_bus, who is
 * calling (bus-caller.c), the parked Lock/Unlock replies and the log entry
 * format (bus-lock.c), the code object paths and the code settings read by
 * both AddCode and the Code1 setters (bus-code.c), and the vtables bus.c
 * exports. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bus-error.h"
#include "bus.h"
#include "code-spec.h"
#include "macro.h"

#define DL_BUS_ROLE_CACHE_MAX 32
#define DL_BUS_PENDING_MAX 32
/* Room for DL_BUS_CODE_PREFIX "/" and any int64_t id. */
#define DL_BUS_CODE_PATH_MAX 128

struct dl_bus_role_entry {
        char *sender;
        enum dl_role role;
        uid_t uid;
};

/* A Lock or Unlock call waiting for the bolt. */
struct dl_bus_pending {
        sd_bus_message *call;
        bool want_unlocked;
};

struct dl_bus {
        sd_bus *bus;
        sd_event *event;
        struct dl_service *service;
        struct dl_hw_sim *sim;
        char *key_test_sender; /* bus-hardware.c: who gets KeyTest */
        /* bus-caller.c */
        gid_t admin_gid, observer_gid, remote_gid;
        bool have_admin_gid, have_observer_gid, have_remote_gid;
        struct dl_bus_role_entry roles[DL_BUS_ROLE_CACHE_MAX];
        size_t next_role;
        /* bus-lock.c */
        struct dl_bus_pending pending[DL_BUS_PENDING_MAX];
        size_t n_pending;
        /* bus-code.c: the code whose properties the message being built
         * holds (GetAll, GetManagedObjects and PropertiesChanged ask for
         * them one by one).  Dropped at every service event. */
        struct {
                const sd_bus_message *reply;
                int64_t id;
                struct dl_code code;
        } code_cache;
};

static inline void dl_bus_message_unrefp(sd_bus_message **m) {
        sd_bus_message_unref(*m);
}
#define _cleanup_msg_ _cleanup_(dl_bus_message_unrefp)

/* The end of a method that runs one service operation and returns nothing:
 * r and err as the D-Bus error, else the empty reply. */
static inline int dl_bus_reply_op(sd_bus_message *m, int r, const struct dl_error *err,
                                  sd_bus_error *error) {
        if (r < 0)
                return dl_bus_error(error, r, err);
        return sd_bus_reply_method_return(m, NULL);
}

/* ---- bus-caller.c ---- */

/* Look up the groups that make a caller admin or observer; once, at start. */
void dl_bus_load_role_groups(struct dl_bus *b);
/* The caller of m.  Never fails: a caller the bus cannot tell us about has
 * no role. */
void dl_bus_get_caller(struct dl_bus *b, sd_bus_message *m, struct dl_caller *c);

/* bus-hardware.c */
int dl_bus_hardware_prop(struct dl_bus *b, const char *prop, sd_bus_message *reply);
int dl_bus_method_get_hardware(sd_bus_message *m, void *userdata, sd_bus_error *error);
int dl_bus_method_test_hardware(sd_bus_message *m, void *userdata, sd_bus_error *error);
void dl_bus_emit_doorbell(struct dl_bus *b);
void dl_bus_emit_key_test(struct dl_bus *b, char key);
/* The caller of the message being answered; the daemon itself (admin) when
 * there is none. */
void dl_bus_get_current_caller(struct dl_bus *b, struct dl_caller *c);
/* Empty the role cache. */
void dl_bus_forget_callers(struct dl_bus *b);

/* ---- bus-lock.c ---- */

extern const sd_bus_vtable dl_bus_lock_vtable[];
/* Answer the parked Lock/Unlock calls now that the bolt stopped in state. */
void dl_bus_answer_pending(struct dl_bus *b, enum dl_lock_state state);
/* Drop the parked calls unanswered (shutdown). */
void dl_bus_drop_pending(struct dl_bus *b);
/* One log entry, (time, id, event, source, details), into reply: as a
 * struct for GetLog, as the bare arguments for the LogEntry signal. */
int dl_bus_append_log_entry(sd_bus_message *reply, const struct dl_audit_entry *e, bool as_struct);

/* ---- bus-backup.c: Lock1.Backup and Lock1.Restore (in Lock1's vtable) ---- */

int dl_bus_method_backup(sd_bus_message *m, void *userdata, sd_bus_error *error);
int dl_bus_method_restore(sd_bus_message *m, void *userdata, sd_bus_error *error);

/* ---- bus-code.c ---- */

/* Forget the cached code (anything may have changed). */
static inline void dl_bus_code_cache_drop(struct dl_bus *b) {
        b->code_cache.reply = NULL;
}

extern const sd_bus_vtable dl_bus_code_vtable[];

int dl_bus_code_find(sd_bus *bus, const char *path, const char *iface, void *userdata, void **found,
                     sd_bus_error *error);
int dl_bus_code_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***nodes,
                          sd_bus_error *error);
/* The object path of code id; "/" for none (id 0). */
void dl_bus_code_path(int64_t id, char *buf, size_t size);
/* The code settings as both AddCode's options and the Code1 setters take
 * them.  Each fills `error` (and returns negative) for a bad value. */
int dl_bus_set_code_name(struct dl_code_spec *spec, const char *name, sd_bus_error *error);
/* ValidFrom or ValidUntil (named by `which`) from a "t". */
int dl_bus_set_code_validity(struct dl_code_spec *spec, const char *which, uint64_t t, sd_bus_error *error);
/* An a(yqq) read from m into spec->windows. */
int dl_bus_read_code_schedule(sd_bus_message *m, struct dl_code_spec *spec, sd_bus_error *error);
/* AddCode's options, an a{sv} read from m into spec (and Length, for a
 * random PIN, into *length).  Needs no connection: the fuzzer calls it on
 * messages it builds itself. */
int dl_bus_read_code_options(sd_bus_message *m, struct dl_code_spec *spec, unsigned *length,
                             sd_bus_error *error);

/* ---- bus-simulator.c ---- */

extern const sd_bus_vtable dl_bus_simulator_vtable[];
