/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading doorlockd's a{sv} dictionaries (properties, audit-entry details)
 * off the bus into plain values, and writing a value as JSON. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <systemd/sd-bus.h>

#include "schedule.h"

#define DL_BUS_NAME "org.doorlockd.Lock1"
#define DL_LOCK_PATH "/org/doorlockd/Lock1"
#define DL_LOCK_INTERFACE "org.doorlockd.Lock1"
#define DL_CODE_INTERFACE "org.doorlockd.Code1"
#define DL_CODE_PATH_PREFIX "/org/doorlockd/Lock1/code/"

/* One value of an a{sv} dictionary, for the types lockctl shows. */
enum bus_value_type {
        BUS_VALUE_STRING,   /* s, o, g */
        BUS_VALUE_BOOL,     /* b */
        BUS_VALUE_UNSIGNED, /* y, q, u, t */
        BUS_VALUE_SIGNED,   /* n, i, x */
        BUS_VALUE_DOUBLE,   /* d */
        BUS_VALUE_SCHEDULE, /* a(yqq) */
        BUS_VALUE_OTHER,    /* anything else: skipped, only the key is kept */
};

struct bus_value {
        char *key;
        enum bus_value_type type;
        union {
                char *s;
                bool b;
                uint64_t u;
                int64_t i;
                double d;
                struct {
                        struct dl_window *windows;
                        size_t n_windows;
                } schedule;
        };
};

struct bus_dict {
        struct bus_value *items;
        size_t n;
};

void bus_dict_done(struct bus_dict *d);
/* Read an a{sv} at the message's current position.  0 or a negative errno
 * (not printed). */
int bus_read_dict(sd_bus_message *m, struct bus_dict *ret);
const struct bus_value *bus_dict_find(const struct bus_dict *d, const char *key);
const char *bus_dict_string(const struct bus_dict *d, const char *key);
uint64_t bus_dict_unsigned(const struct bus_dict *d, const char *key, uint64_t fallback);
bool bus_dict_bool(const struct bus_dict *d, const char *key, bool fallback);
/* A value as JSON (schedule as [{days,start,end}], other types as null). */
void json_bus_value(FILE *f, const struct bus_value *v);
