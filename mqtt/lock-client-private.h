/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by lock-client.c (following doorlockd: the name, the view, the
 * code list, the signals) and lock-client-call.c (the calls the bridge
 * makes); nothing else includes it. */
#pragma once

#include "code-info.h"
#include "lock-client.h"

#define DBUS_SERVICE "org.freedesktop.DBus"
#define DBUS_PATH "/org/freedesktop/DBus"
#define DBUS_INTERFACE "org.freedesktop.DBus"
#define PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"
#define OBJECT_MANAGER_INTERFACE "org.freedesktop.DBus.ObjectManager"

/* Lock() and Unlock() reply when the bolt gets there: well within this. */
#define CALL_TIMEOUT_USEC (30 * (uint64_t)USEC_PER_SEC)

enum call_kind {
        CALL_PLAIN,
        CALL_SUBMIT_PIN,
        CALL_ADD_CODE,
};

struct call {
        struct lock_client *lc;
        sd_bus_slot *slot;
        enum call_kind kind;
        lock_call_done_t done;
        void *userdata;
        struct call *prev, *next;
};

struct lock_client {
        sd_bus *bus;
        struct lock_client_callbacks cb;
        void *userdata;

        sd_bus_slot *match_owner, *match_props, *match_objects, *match_lock;
        sd_bus_slot *slot_get_owner;

        char *owner; /* the unique name owning DL_BUS_NAME, NULL if none */
        bool present;

        /* The first complete read after the name got an owner. */
        sd_bus_slot *slot_get_all, *slot_hardware;
        bool got_all, got_hardware, got_codes;

        /* The code list; re-read when dirty while a read is running. */
        sd_bus_slot *slot_codes;
        bool codes_dirty;
        struct code_info *codes;
        size_t n_codes;

        struct lock_view view;
        char version[64];
        char hardware[32];

        struct call *calls;
        unsigned n_calls;
};

/* Take a finished or cancelled call off the list (lock-client.c). */
void lock_client_call_unlink(struct call *c);
