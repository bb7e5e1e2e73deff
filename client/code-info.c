/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Codes off the bus (GetManagedObjects) and as JSON. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "code-info.h"
#include "json-out.h"
#include "macro.h"

void code_info_done(struct code_info *c) {
        free(c->path);
        c->path = NULL;
        bus_dict_done(&c->props);
}

void code_infos_free(struct code_info *c, size_t n) {
        for (size_t i = 0; i < n; i++)
                code_info_done(&c[i]);
        free(c);
}

uint32_t code_path_to_id(const char *path) {
        size_t l = strlen(DL_CODE_PATH_PREFIX);
        const char *p;
        uint64_t id = 0;

        if (!path || strncmp(path, DL_CODE_PATH_PREFIX, l) != 0)
                return 0;
        p = path + l;
        if (!*p)
                return 0;
        for (; *p; p++) {
                if (*p < '0' || *p > '9')
                        return 0;
                id = id * 10 + (uint64_t)(*p - '0');
                if (id > UINT32_MAX)
                        return 0;
        }
        return (uint32_t)id;
}

void code_info_fill(struct code_info *c) {
        const struct bus_value *v;
        const char *s;

        c->id = (uint32_t)bus_dict_unsigned(&c->props, "Id", code_path_to_id(c->path));
        s = bus_dict_string(&c->props, "Name");
        c->name = s ? s : "";
        s = bus_dict_string(&c->props, "Kind");
        c->kind = s ? s : "";
        c->enabled = bus_dict_bool(&c->props, "Enabled", false);
        c->active = bus_dict_bool(&c->props, "Active", false);
        c->duress = bus_dict_bool(&c->props, "Duress", false);
        c->uses = (uint32_t)bus_dict_unsigned(&c->props, "Uses", 0);
        c->max_uses = (uint32_t)bus_dict_unsigned(&c->props, "MaxUses", 0);
        c->last_used = bus_dict_unsigned(&c->props, "LastUsed", 0);
        c->created = bus_dict_unsigned(&c->props, "Created", 0);
        c->valid_from = bus_dict_unsigned(&c->props, "ValidFrom", 0);
        c->valid_until = bus_dict_unsigned(&c->props, "ValidUntil", 0);

        v = bus_dict_find(&c->props, "Schedule");
        if (v && v->type == BUS_VALUE_SCHEDULE) {
                c->windows = v->schedule.windows;
                c->n_windows = v->schedule.n_windows;
        } else {
                c->windows = NULL;
                c->n_windows = 0;
        }
}

static int code_info_compare(const void *a, const void *b) {
        const struct code_info *x = a, *y = b;

        if (x->id != y->id)
                return x->id < y->id ? -1 : 1;
        return strcmp(x->path, y->path);
}

/* One object of GetManagedObjects: a{sa{sv}}, with o already read.  Returns
 * 1 and fills c when the object has org.doorlockd.Code1, 0 when not. */
static int bus_read_managed_object(sd_bus_message *m, const char *path, struct code_info *c) {
        bool found = false;
        const char *iface;
        int r;

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sa{sv}}");
        if (r < 0)
                return r;

        while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sa{sv}")) > 0) {
                r = sd_bus_message_read_basic(m, 's', &iface);
                if (r < 0)
                        return r;

                if (!found && strcmp(iface, DL_CODE_INTERFACE) == 0) {
                        r = bus_read_dict(m, &c->props);
                        if (r < 0)
                                return r;
                        c->path = strdup(path);
                        if (!c->path)
                                return -ENOMEM;
                        found = true;
                } else {
                        r = sd_bus_message_skip(m, "a{sv}");
                        if (r < 0)
                                return r;
                }

                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;

        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        return found;
}

int code_infos_read(sd_bus_message *reply, struct code_info **ret, size_t *ret_n) {
        struct code_info *codes = NULL;
        size_t n = 0;
        const char *path;
        int r;

        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "{oa{sa{sv}}}");
        if (r < 0)
                return r;

        while ((r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_DICT_ENTRY, "oa{sa{sv}}")) > 0) {
                struct code_info *nc;

                r = sd_bus_message_read_basic(reply, 'o', &path);
                if (r < 0)
                        goto fail;

                nc = reallocarray(codes, n + 1, sizeof(*codes));
                if (!nc) {
                        r = -ENOMEM;
                        goto fail;
                }
                codes = nc;
                codes[n] = (struct code_info){};

                r = bus_read_managed_object(reply, path, &codes[n]);
                if (r < 0) {
                        code_info_done(&codes[n]);
                        goto fail;
                }
                if (r > 0) {
                        code_info_fill(&codes[n]);
                        n++;
                }

                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        goto fail;
        }
        if (r < 0)
                goto fail;

        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                goto fail;

        if (n > 0)
                qsort(codes, n, sizeof(*codes), code_info_compare);
        *ret = codes;
        *ret_n = n;
        return 0;

fail:
        code_infos_free(codes, n);
        return r;
}

void json_code(FILE *f, const struct code_info *c) {
        struct json j;

        json_begin(&j, f);
        json_kv_unsigned(&j, "id", c->id);
        json_kv_string(&j, "name", c->name);
        json_kv_string(&j, "kind", c->kind);
        json_kv_bool(&j, "enabled", c->enabled);
        json_kv_bool(&j, "active", c->active);
        json_kv_bool(&j, "duress", c->duress);
        json_kv_unsigned(&j, "uses", c->uses);
        json_kv_unsigned(&j, "max_uses", c->max_uses);
        json_kv_unsigned(&j, "last_used", c->last_used);
        json_kv_unsigned(&j, "created", c->created);
        json_kv_unsigned(&j, "valid_from", c->valid_from);
        json_kv_unsigned(&j, "valid_until", c->valid_until);
        json_key(&j, "schedule");
        json_schedule(f, c->windows, c->n_windows);
        json_end(&j);
}
