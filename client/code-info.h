/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One code as the clients see it: an org.doorlockd.Code1 object's
 * properties, read from GetManagedObjects, and its JSON (the same for
 * lockctl code list --json and doorlockd-mqtt's code list). */
#pragma once

#include <stdio.h>

#include "bus-dict.h"

struct code_info {
        char *path;
        struct bus_dict props;
        /* Views into props (never NULL: "" or 0 when missing). */
        uint32_t id;
        const char *name;
        const char *kind;
        bool enabled, active, duress;
        uint32_t uses, max_uses;
        uint64_t last_used, created, valid_from, valid_until;
        const struct dl_window *windows;
        size_t n_windows;
};

void code_info_done(struct code_info *c);
void code_infos_free(struct code_info *c, size_t n);

/* The id at the end of a code's object path, 0 if there is none. */
uint32_t code_path_to_id(const char *path);

/* Fill the views of c from c->props (c->path set). */
void code_info_fill(struct code_info *c);

/* Every Code1 object of a GetManagedObjects reply (a{oa{sa{sv}}} at the
 * message's position), sorted by id.  0 or a negative errno (nothing
 * printed, nothing returned on failure). */
int code_infos_read(sd_bus_message *reply, struct code_info **ret, size_t *ret_n);

/* {"id":…,"name":…,"kind":…,"enabled":…,"active":…,"duress":…,"uses":…,
 * "max_uses":…,"last_used":…,"created":…,"valid_from":…,"valid_until":…,
 * "schedule":[{"days","start","end"}]}.  Never a PIN: the bus has none. */
void json_code(FILE *f, const struct code_info *c);
