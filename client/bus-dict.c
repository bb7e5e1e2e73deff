/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading a{sv} dictionaries of the types doorlockd sends; JSON of a value. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bus-dict.h"
#include "json-out.h"
#include "macro.h"

static void bus_value_done(struct bus_value *v) {
        free(v->key);
        if (v->type == BUS_VALUE_STRING)
                free(v->s);
        else if (v->type == BUS_VALUE_SCHEDULE)
                free(v->schedule.windows);
}

void bus_dict_done(struct bus_dict *d) {
        for (size_t i = 0; i < d->n; i++)
                bus_value_done(&d->items[i]);
        free(d->items);
        d->items = NULL;
        d->n = 0;
}

/* An a(yqq) at the current position. */
static int bus_read_schedule(sd_bus_message *m, struct dl_window **ret, size_t *ret_n) {
        _cleanup_free_ struct dl_window *w = NULL;
        size_t n = 0;
        uint8_t days;
        uint16_t start, end;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "(yqq)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(m, "(yqq)", &days, &start, &end)) > 0) {
                struct dl_window *nw;

                nw = reallocarray(w, n + 1, sizeof(*w));
                if (!nw)
                        return -ENOMEM;
                w = nw;
                w[n++] = (struct dl_window){ .days = days, .start = start, .end = end };
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(w);
        *ret_n = n;
        return 0;
}

/* A y, q, u or t at the current position, widened. */
static int bus_read_unsigned(sd_bus_message *m, char type, uint64_t *ret) {
        union {
                uint8_t y;
                uint16_t q;
                uint32_t u;
                uint64_t t;
        } x = {};
        int r;

        r = sd_bus_message_read_basic(m, type, &x);
        if (r < 0)
                return r;
        *ret = type == 'y' ? x.y : type == 'q' ? x.q : type == 'u' ? x.u : x.t;
        return 0;
}

/* An n, i or x at the current position, widened. */
static int bus_read_signed(sd_bus_message *m, char type, int64_t *ret) {
        union {
                int16_t n;
                int32_t i;
                int64_t x;
        } x = {};
        int r;

        r = sd_bus_message_read_basic(m, type, &x);
        if (r < 0)
                return r;
        *ret = type == 'n' ? x.n : type == 'i' ? x.i : x.x;
        return 0;
}

/* The variant at the current position into v (v->key already set). */
static int bus_read_variant(sd_bus_message *m, struct bus_value *v) {
        const char *contents;
        char type;
        int r;

        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r < 0)
                return r;
        if (r == 0 || type != SD_BUS_TYPE_VARIANT)
                return -EBADMSG;

        if (strcmp(contents, "a(yqq)") == 0) {
                r = sd_bus_message_enter_container(m, SD_BUS_TYPE_VARIANT, contents);
                if (r < 0)
                        return r;
                r = bus_read_schedule(m, &v->schedule.windows, &v->schedule.n_windows);
                if (r < 0)
                        return r;
                v->type = BUS_VALUE_SCHEDULE;
                return sd_bus_message_exit_container(m);
        }

        if (strlen(contents) != 1 || !strchr("sogbyqutnixd", contents[0])) {
                v->type = BUS_VALUE_OTHER;
                return sd_bus_message_skip(m, "v");
        }

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_VARIANT, contents);
        if (r < 0)
                return r;

        switch (contents[0]) {
        case 's':
        case 'o':
        case 'g': {
                const char *s;

                r = sd_bus_message_read_basic(m, contents[0], &s);
                if (r < 0)
                        return r;
                v->s = strdup(s);
                if (!v->s)
                        return -ENOMEM;
                v->type = BUS_VALUE_STRING;
                break;
        }
        case 'b': {
                int b;

                r = sd_bus_message_read_basic(m, 'b', &b);
                if (r < 0)
                        return r;
                v->b = b;
                v->type = BUS_VALUE_BOOL;
                break;
        }
        case 'y':
        case 'q':
        case 'u':
        case 't':
                r = bus_read_unsigned(m, contents[0], &v->u);
                if (r < 0)
                        return r;
                v->type = BUS_VALUE_UNSIGNED;
                break;
        case 'n':
        case 'i':
        case 'x':
                r = bus_read_signed(m, contents[0], &v->i);
                if (r < 0)
                        return r;
                v->type = BUS_VALUE_SIGNED;
                break;
        default: { /* 'd' */
                double d;

                r = sd_bus_message_read_basic(m, 'd', &d);
                if (r < 0)
                        return r;
                v->d = d;
                v->type = BUS_VALUE_DOUBLE;
                break;
        }
        }

        return sd_bus_message_exit_container(m);
}

static int bus_read_dict_into(sd_bus_message *m, struct bus_dict *d) {
        const char *key;
        int r;

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r < 0)
                return r;

        while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
                struct bus_value *items, *v;

                r = sd_bus_message_read_basic(m, 's', &key);
                if (r < 0)
                        return r;

                items = reallocarray(d->items, d->n + 1, sizeof(*items));
                if (!items)
                        return -ENOMEM;
                d->items = items;
                v = &d->items[d->n];
                *v = (struct bus_value){ .type = BUS_VALUE_OTHER };
                v->key = strdup(key);
                if (!v->key)
                        return -ENOMEM;
                d->n++;

                r = bus_read_variant(m, v);
                if (r < 0)
                        return r;

                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;

        return sd_bus_message_exit_container(m);
}

int bus_read_dict(sd_bus_message *m, struct bus_dict *ret) {
        int r;

        *ret = (struct bus_dict){};
        r = bus_read_dict_into(m, ret);
        if (r < 0) {
                bus_dict_done(ret);
                return r;
        }
        return 0;
}

const struct bus_value *bus_dict_find(const struct bus_dict *d, const char *key) {
        for (size_t i = 0; i < d->n; i++)
                if (strcmp(d->items[i].key, key) == 0)
                        return &d->items[i];
        return NULL;
}

const char *bus_dict_string(const struct bus_dict *d, const char *key) {
        const struct bus_value *v = bus_dict_find(d, key);

        return v && v->type == BUS_VALUE_STRING ? v->s : NULL;
}

uint64_t bus_dict_unsigned(const struct bus_dict *d, const char *key, uint64_t fallback) {
        const struct bus_value *v = bus_dict_find(d, key);

        return v && v->type == BUS_VALUE_UNSIGNED ? v->u : fallback;
}

bool bus_dict_bool(const struct bus_dict *d, const char *key, bool fallback) {
        const struct bus_value *v = bus_dict_find(d, key);

        return v && v->type == BUS_VALUE_BOOL ? v->b : fallback;
}

void json_bus_value(FILE *f, const struct bus_value *v) {
        switch (v->type) {
        case BUS_VALUE_STRING:
                json_string(f, v->s);
                break;
        case BUS_VALUE_BOOL:
                fputs(v->b ? "true" : "false", f);
                break;
        case BUS_VALUE_UNSIGNED:
                fprintf(f, "%" PRIu64, v->u);
                break;
        case BUS_VALUE_SIGNED:
                fprintf(f, "%" PRId64, v->i);
                break;
        case BUS_VALUE_DOUBLE:
                /* NaN and infinities have no JSON spelling. */
                if (v->d == v->d && v->d - v->d == 0)
                        fprintf(f, "%.17g", v->d);
                else
                        fputs("null", f);
                break;
        case BUS_VALUE_SCHEDULE:
                json_schedule(f, v->schedule.windows, v->schedule.n_windows);
                break;
        default:
                fputs("null", f);
        }
}
