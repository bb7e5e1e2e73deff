/* SPDX-License-Identifier: GPL-2.0-or-later */
/* org.doorlockd.Code1, one object per code under DL_BUS_CODE_PREFIX: the
 * fallback vtable's find and the node enumerator (both hide the codes from
 * callers without a role), the properties, the setters, Remove; and the
 * code settings in their bus form, which AddCode's options share. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-private.h"
#include "code-store.h"

/* ---- paths ---- */

void dl_bus_code_path(int64_t id, char *buf, size_t size) {
        if (id > 0)
                snprintf(buf, size, DL_BUS_CODE_PREFIX "/%" PRId64, id);
        else
                snprintf(buf, size, "/");
}

static int64_t id_from_path(const char *path) {
        const char *p;
        char *end;
        long long id;

        if (strncmp(path, DL_BUS_CODE_PREFIX "/", strlen(DL_BUS_CODE_PREFIX) + 1) != 0)
                return -1;
        p = path + strlen(DL_BUS_CODE_PREFIX) + 1;
        if (*p < '1' || *p > '9')
                return -1;
        errno = 0;
        id = strtoll(p, &end, 10);
        if (errno || *end)
                return -1;
        return id;
}

/* Callers without a role do not even see that codes exist. */
static bool may_see_codes(struct dl_bus *b) {
        struct dl_caller c;

        dl_bus_get_current_caller(b, &c);
        return c.role >= DL_ROLE_OBSERVER;
}

int dl_bus_code_find(sd_bus *bus, const char *path, const char *iface, void *userdata, void **found,
                     sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_code code;
        int64_t id = id_from_path(path);

        (void)bus, (void)iface, (void)error;
        if (id <= 0 || !may_see_codes(b))
                return 0;
        if (dl_store_get_code(dl_service_store(b->service), id, &code, NULL) < 0)
                return 0;
        *found = b;
        return 1;
}

struct path_list {
        char **paths;
        size_t n, size;
};

static int collect_path(const struct dl_code *c, void *userdata) {
        struct path_list *l = userdata;
        char path[DL_BUS_CODE_PATH_MAX];

        if (l->n + 2 > l->size) {
                size_t size = l->size ? l->size * 2 : 64;
                char **p = reallocarray(l->paths, size, sizeof(*p));

                if (!p)
                        return -ENOMEM;
                l->paths = p;
                l->size = size;
        }
        dl_bus_code_path(c->id, path, sizeof(path));
        l->paths[l->n] = strdup(path);
        if (!l->paths[l->n])
                return -ENOMEM;
        l->n++;
        l->paths[l->n] = NULL;
        return 0;
}

int dl_bus_code_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***nodes,
                          sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct path_list l = {};
        int r;

        (void)bus, (void)prefix, (void)error;
        if (!may_see_codes(b)) {
                *nodes = NULL;
                return 0;
        }
        r = dl_store_list_codes(dl_service_store(b->service), collect_path, &l, NULL);
        if (r < 0) {
                for (size_t i = 0; i < l.n; i++)
                        free(l.paths[i]);
                free(l.paths);
                return r;
        }
        *nodes = l.paths;
        return 0;
}

/* ---- the settings, shared with AddCode ---- */

int dl_bus_set_code_name(struct dl_code_spec *spec, const char *name, sd_bus_error *error) {
        if (dl_code_spec_set_name(spec, name) < 0)
                return sd_bus_error_setf(error, DL_BUS_ERROR_PREFIX "InvalidName",
                                         "Code name is longer than %d characters", DL_CODE_NAME_MAX_CHARS);
        return 0;
}

int dl_bus_set_code_validity(struct dl_code_spec *spec, const char *which, uint64_t t, sd_bus_error *error) {
        if (t > INT64_MAX)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s is out of range", which);
        *(strcmp(which, "ValidFrom") == 0 ? &spec->valid_from : &spec->valid_until) = (int64_t)t;
        return 0;
}

int dl_bus_read_code_schedule(sd_bus_message *m, struct dl_code_spec *spec, sd_bus_error *error) {
        uint8_t days;
        uint16_t start, end;
        int r;

        spec->n_windows = 0;
        r = sd_bus_message_enter_container(m, 'a', "(yqq)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "(yqq)", &days, &start, &end)) > 0) {
                if (spec->n_windows >= DL_WINDOWS_MAX)
                        return sd_bus_error_setf(error, DL_BUS_ERROR_PREFIX "InvalidSchedule",
                                                 "A code has at most %d weekly windows", DL_WINDOWS_MAX);
                spec->windows[spec->n_windows++] = (struct dl_window){ days, start, end };
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

/* AddCode's options a{sv}: the code settings, and Length for a random
 * PIN. */
int dl_bus_read_code_options(sd_bus_message *m, struct dl_code_spec *spec, unsigned *length,
                             sd_bus_error *error) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *key;
                int b;
                uint64_t t;
                uint32_t u;

                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                if (strcmp(key, "OneTime") == 0) {
                        r = sd_bus_message_read(m, "v", "b", &b);
                        if (r >= 0)
                                spec->kind = b ? DL_CODE_ONE_TIME : DL_CODE_NORMAL;
                } else if (strcmp(key, "Duress") == 0) {
                        r = sd_bus_message_read(m, "v", "b", &b);
                        if (r >= 0)
                                spec->duress = b;
                } else if (strcmp(key, "ValidFrom") == 0 || strcmp(key, "ValidUntil") == 0) {
                        r = sd_bus_message_read(m, "v", "t", &t);
                        if (r >= 0)
                                r = dl_bus_set_code_validity(spec, key, t, error);
                } else if (strcmp(key, "MaxUses") == 0) {
                        r = sd_bus_message_read(m, "v", "u", &u);
                        if (r >= 0)
                                spec->use_limit = u;
                } else if (strcmp(key, "Length") == 0) {
                        r = sd_bus_message_read(m, "v", "u", &u);
                        if (r >= 0)
                                *length = u;
                } else if (strcmp(key, "Schedule") == 0) {
                        r = sd_bus_message_enter_container(m, 'v', "a(yqq)");
                        if (r >= 0)
                                r = dl_bus_read_code_schedule(m, spec, error);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(m);
                } else
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown option '%s'",
                                                 key);
                if (r < 0) {
                        if (sd_bus_error_is_set(error))
                                return r;
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Option '%s' has the wrong type", key);
                }
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int append_schedule(sd_bus_message *reply, const struct dl_code_spec *spec) {
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(yqq)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < spec->n_windows; i++) {
                r = sd_bus_message_append(reply, "(yqq)", spec->windows[i].days, spec->windows[i].start,
                                          spec->windows[i].end);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

/* ---- properties ---- */

static int load_code(struct dl_bus *b, const char *path, struct dl_code *code, sd_bus_error *error) {
        struct dl_error err = {};
        int64_t id = id_from_path(path);
        int r;

        r = dl_store_get_code(dl_service_store(b->service), id, code, &err);
        if (r < 0)
                return dl_bus_error(error, r, &err);
        return 0;
}

static int code_prop(sd_bus *bus, const char *path, const char *iface, const char *prop,
                     sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        const struct dl_code *cp = &b->code_cache.code;
        int64_t id = id_from_path(path);
        int r;

        (void)bus, (void)iface;
        /* Thirteen properties of one code in one message: one read. */
        if (b->code_cache.reply != reply || b->code_cache.id != id) {
                dl_bus_code_cache_drop(b);
                r = load_code(b, path, &b->code_cache.code, error);
                if (r < 0)
                        return r;
                b->code_cache.reply = reply;
                b->code_cache.id = id;
        }
        if (strcmp(prop, "Id") == 0)
                return sd_bus_message_append(reply, "u", (uint32_t)cp->id);
        if (strcmp(prop, "Name") == 0)
                return sd_bus_message_append(reply, "s", cp->spec.name);
        if (strcmp(prop, "Kind") == 0)
                return sd_bus_message_append(reply, "s", dl_code_kind_to_string(cp->spec.kind));
        if (strcmp(prop, "Enabled") == 0)
                return sd_bus_message_append(reply, "b", cp->spec.enabled);
        if (strcmp(prop, "ValidFrom") == 0)
                return sd_bus_message_append(reply, "t", (uint64_t)cp->spec.valid_from);
        if (strcmp(prop, "ValidUntil") == 0)
                return sd_bus_message_append(reply, "t", (uint64_t)cp->spec.valid_until);
        if (strcmp(prop, "Schedule") == 0)
                return append_schedule(reply, &cp->spec);
        if (strcmp(prop, "MaxUses") == 0)
                return sd_bus_message_append(reply, "u", cp->spec.use_limit);
        if (strcmp(prop, "Uses") == 0)
                return sd_bus_message_append(reply, "u", cp->use_count);
        if (strcmp(prop, "LastUsed") == 0)
                return sd_bus_message_append(reply, "t", (uint64_t)cp->last_used);
        if (strcmp(prop, "Created") == 0)
                return sd_bus_message_append(reply, "t", (uint64_t)cp->created);
        if (strcmp(prop, "Duress") == 0)
                return sd_bus_message_append(reply, "b", cp->spec.duress);
        if (strcmp(prop, "Active") == 0) {
                struct dl_code_status st;

                r = dl_store_code_status(dl_service_store(b->service), cp, &st, NULL);
                return sd_bus_message_append(reply, "b", r >= 0 && st.reason == DL_REASON_NONE);
        }
        return -ENOENT;
}

/* The writable properties: change the one setting, then update the code
 * through the service like an edit. */
static int code_set(sd_bus *bus, const char *path, const char *iface, const char *prop,
                    sd_bus_message *value, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_caller caller;
        struct dl_error err = {};
        struct dl_code c;
        const char *s;
        uint64_t t;
        uint32_t u;
        int flag, r;

        (void)bus, (void)iface;
        dl_bus_code_cache_drop(b);
        r = load_code(b, path, &c, error);
        if (r < 0)
                return r;
        if (strcmp(prop, "Name") == 0) {
                r = sd_bus_message_read(value, "s", &s);
                if (r >= 0)
                        r = dl_bus_set_code_name(&c.spec, s, error);
        } else if (strcmp(prop, "Enabled") == 0) {
                r = sd_bus_message_read(value, "b", &flag);
                if (r >= 0)
                        c.spec.enabled = flag;
        } else if (strcmp(prop, "ValidFrom") == 0 || strcmp(prop, "ValidUntil") == 0) {
                r = sd_bus_message_read(value, "t", &t);
                if (r >= 0)
                        r = dl_bus_set_code_validity(&c.spec, prop, t, error);
        } else if (strcmp(prop, "Schedule") == 0)
                r = dl_bus_read_code_schedule(value, &c.spec, error);
        else if (strcmp(prop, "MaxUses") == 0) {
                r = sd_bus_message_read(value, "u", &u);
                if (r >= 0)
                        c.spec.use_limit = u;
        } else
                return -ENOENT;
        if (r < 0)
                return r;

        dl_bus_get_current_caller(b, &caller);
        r = dl_service_update_code(b->service, &caller, c.id, &c.spec, &err);
        return r < 0 ? dl_bus_error(error, r, &err) : 0;
}

/* ---- methods ---- */

static int method_code_remove(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_caller c;
        struct dl_error err = {};
        int64_t id = id_from_path(sd_bus_message_get_path(m));
        int r;

        dl_bus_get_caller(b, m, &c);
        r = dl_service_remove_code(b->service, &c, id, &err);
        return dl_bus_reply_op(m, r, &err, error);
}

#define RW (SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE | SD_BUS_VTABLE_UNPRIVILEGED)

const sd_bus_vtable dl_bus_code_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Id", "u", code_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_WRITABLE_PROPERTY("Name", "s", code_prop, code_set, 0, RW),
        SD_BUS_PROPERTY("Kind", "s", code_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_WRITABLE_PROPERTY("Enabled", "b", code_prop, code_set, 0, RW),
        SD_BUS_WRITABLE_PROPERTY("ValidFrom", "t", code_prop, code_set, 0, RW),
        SD_BUS_WRITABLE_PROPERTY("ValidUntil", "t", code_prop, code_set, 0, RW),
        SD_BUS_WRITABLE_PROPERTY("Schedule", "a(yqq)", code_prop, code_set, 0, RW),
        SD_BUS_WRITABLE_PROPERTY("MaxUses", "u", code_prop, code_set, 0, RW),
        SD_BUS_PROPERTY("Uses", "u", code_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LastUsed", "t", code_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Created", "t", code_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Duress", "b", code_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Active", "b", code_prop, 0, 0),
        SD_BUS_METHOD("Remove", NULL, NULL, method_code_remove, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
