/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Who is calling: the sender's uid and groups from the bus driver
 * (GetConnectionCredentials), the role they give (admin, remote, observer
 * or none; a remote caller's source is mqtt),
 * and a small cache of roles by sender.  The service decides what a role
 * may do; this file only finds it out. */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus-private.h"

/* The groups that make a caller admin or observer; read once at start. */
static bool lookup_gid(const char *name, gid_t *ret) {
        struct group grp, *result = NULL;
        char buf[4096];

        if (getgrnam_r(name, &grp, buf, sizeof(buf), &result) != 0 || !result)
                return false;
        *ret = result->gr_gid;
        return true;
}

void dl_bus_load_role_groups(struct dl_bus *b) {
        b->have_admin_gid = lookup_gid("doorlock-admin", &b->admin_gid);
        b->have_observer_gid = lookup_gid("doorlock", &b->observer_gid);
        b->have_remote_gid = lookup_gid("doorlock-remote", &b->remote_gid);
}

static int ask_bus_credentials(struct dl_bus *b, const char *sender, uid_t *ret_uid, gid_t *gids,
                               size_t *n_gids) {
        _cleanup_msg_ sd_bus_message *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        size_t max = *n_gids;
        bool have_uid = false;
        int r;

        *n_gids = 0;
        /* Supplementary groups are not in sd-bus's sender credentials on
         * dbus-daemon: ask the bus. */
        r = sd_bus_call_method(b->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "GetConnectionCredentials", &error, &reply, "s",
                               sender);
        sd_bus_error_free(&error);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *key;

                r = sd_bus_message_read(reply, "s", &key);
                if (r < 0)
                        return r;
                if (strcmp(key, "UnixUserID") == 0) {
                        uint32_t uid;

                        r = sd_bus_message_read(reply, "v", "u", &uid);
                        if (r < 0)
                                return r;
                        *ret_uid = uid;
                        have_uid = true;
                } else if (strcmp(key, "UnixGroupIDs") == 0) {
                        const void *data;
                        size_t size;

                        r = sd_bus_message_enter_container(reply, 'v', "au");
                        if (r < 0)
                                return r;
                        r = sd_bus_message_read_array(reply, 'u', &data, &size);
                        if (r < 0)
                                return r;
                        for (size_t i = 0; i < size / sizeof(uint32_t) && *n_gids < max; i++)
                                gids[(*n_gids)++] = ((const uint32_t *)data)[i];
                        r = sd_bus_message_exit_container(reply);
                        if (r < 0)
                                return r;
                } else {
                        r = sd_bus_message_skip(reply, "v");
                        if (r < 0)
                                return r;
                }
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return have_uid ? 0 : -ENODATA;
}

static enum dl_role role_of(const struct dl_bus *b, uid_t uid, const gid_t *gids, size_t n) {
        enum dl_role role = DL_ROLE_NONE;

        if (uid == 0 || uid == getuid())
                return DL_ROLE_ADMIN;
        /* The highest role any group gives. */
        for (size_t i = 0; i < n; i++) {
                if (b->have_admin_gid && gids[i] == b->admin_gid)
                        return DL_ROLE_ADMIN;
                if (b->have_remote_gid && gids[i] == b->remote_gid)
                        role = DL_ROLE_REMOTE;
                if (b->have_observer_gid && gids[i] == b->observer_gid && role < DL_ROLE_OBSERVER)
                        role = DL_ROLE_OBSERVER;
        }
        return role;
}

/* Unique names are never reused on a bus, so a small cache by sender is
 * safe. */
void dl_bus_get_caller(struct dl_bus *b, sd_bus_message *m, struct dl_caller *c) {
        const char *sender = sd_bus_message_get_sender(m);
        gid_t gids[256];
        size_t n = ELEMENTSOF(gids);
        uid_t uid = (uid_t)-1;
        struct dl_bus_role_entry *e;

        *c = (struct dl_caller){ .source = DL_SOURCE_DBUS, .role = DL_ROLE_NONE };
        if (!sender) {
                /* A direct connection without a bus: only our own. */
                snprintf(c->who, sizeof(c->who), "uid %u", (unsigned)getuid());
                c->role = DL_ROLE_ADMIN;
                return;
        }
        for (size_t i = 0; i < DL_BUS_ROLE_CACHE_MAX; i++)
                if (b->roles[i].sender && strcmp(b->roles[i].sender, sender) == 0) {
                        c->role = b->roles[i].role;
                        if (c->role == DL_ROLE_REMOTE)
                                c->source = DL_SOURCE_MQTT;
                        snprintf(c->who, sizeof(c->who), "uid %u", (unsigned)b->roles[i].uid);
                        return;
                }

        if (ask_bus_credentials(b, sender, &uid, gids, &n) < 0) {
                snprintf(c->who, sizeof(c->who), "%s", sender);
                return; /* unknown: no role */
        }
        c->role = role_of(b, uid, gids, n);
        /* Everything a network face does is audited as the network's. */
        if (c->role == DL_ROLE_REMOTE)
                c->source = DL_SOURCE_MQTT;
        snprintf(c->who, sizeof(c->who), "uid %u", (unsigned)uid);

        e = &b->roles[b->next_role];
        b->next_role = (b->next_role + 1) % DL_BUS_ROLE_CACHE_MAX;
        free(e->sender);
        e->sender = strdup(sender);
        e->role = c->role;
        e->uid = uid;
}

void dl_bus_get_current_caller(struct dl_bus *b, struct dl_caller *c) {
        sd_bus_message *m = sd_bus_get_current_message(b->bus);

        if (!m) {
                /* Not answering anyone: our own work (signal emission). */
                *c = (struct dl_caller){ .source = DL_SOURCE_SYSTEM, .role = DL_ROLE_ADMIN };
                return;
        }
        dl_bus_get_caller(b, m, c);
}

void dl_bus_forget_callers(struct dl_bus *b) {
        for (size_t i = 0; i < DL_BUS_ROLE_CACHE_MAX; i++) {
                free(b->roles[i].sender);
                b->roles[i].sender = NULL;
        }
        b->next_role = 0;
}
