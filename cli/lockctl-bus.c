/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lockctl's side of the D-Bus contract (dbus/org.doorlockd.Lock1.xml):
 * connecting, reporting errors, reading property dictionaries, finding codes. */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockctl.h"

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

void print_bus_value(FILE *f, const struct bus_value *v) {
        switch (v->type) {
        case BUS_VALUE_STRING:
                print_text(f, v->s, true);
                break;
        case BUS_VALUE_BOOL:
                fputs(yes_no(v->b), f);
                break;
        case BUS_VALUE_UNSIGNED:
                fprintf(f, "%" PRIu64, v->u);
                break;
        case BUS_VALUE_SIGNED:
                fprintf(f, "%" PRId64, v->i);
                break;
        case BUS_VALUE_DOUBLE:
                fprintf(f, "%g", v->d);
                break;
        case BUS_VALUE_SCHEDULE: {
                _cleanup_free_ char *s = format_schedule(v->schedule.windows, v->schedule.n_windows);

                print_text(f, s ? s : "?", true);
                break;
        }
        default:
                fputs("?", f);
        }
}

/* What sd_bus_open_system() connects to (sd-bus's default when the variable
 * is unset or empty). */
#define SYSTEM_BUS_DEFAULT_ADDRESS "unix:path=/run/dbus/system_bus_socket"

int bus_connect(sd_bus **ret) {
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        const char *address = getenv("DBUS_SYSTEM_BUS_ADDRESS");
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0) {
                /* The usual causes: dbus is not running, or (the demo, the
                 * tests) the variable that names a private bus is unset or
                 * stale. */
                if (!address || !address[0])
                        return log_error(-EHOSTDOWN,
                                         "Cannot connect to the system bus at %s: %s. Is dbus running "
                                         "(systemctl status dbus)? For the demo's private bus, export "
                                         "DBUS_SYSTEM_BUS_ADDRESS=unix:path=$PWD/build/demo/bus in the "
                                         "source directory.",
                                         SYSTEM_BUS_DEFAULT_ADDRESS, strerror(-r));
                return log_error(
                        -EHOSTDOWN,
                        "Cannot connect to the system bus at %s (from DBUS_SYSTEM_BUS_ADDRESS): %s. "
                        "Is that bus running? The demo's private bus is "
                        "unix:path=$PWD/build/demo/bus in the source directory while tools/demo "
                        "runs; unset DBUS_SYSTEM_BUS_ADDRESS for the machine's system bus.",
                        address, strerror(-r));
        }

        *ret = TAKE_PTR(bus);
        return 0;
}

/* Errnos of a connection that broke or never was. */
static bool errno_is_disconnect(int r) {
        return r == -ECONNRESET || r == -ECONNREFUSED || r == -ENOTCONN || r == -EPIPE || r == -ESHUTDOWN ||
               r == -ETIMEDOUT || r == -ECONNABORTED;
}

int bus_log_error(const sd_bus_error *error, int r) {
        /* The daemon is not running, or went away, or the bus did. */
        if (sd_bus_error_has_names(error, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
                return log_error(-EHOSTDOWN,
                                 "doorlockd is not running on the bus (nobody owns %s). "
                                 "Check systemctl status doorlockd; for the demo, run tools/demo.",
                                 DL_BUS_NAME);
        if (sd_bus_error_has_names(error, SD_BUS_ERROR_NO_REPLY, SD_BUS_ERROR_TIMEOUT))
                return log_error(-EHOSTDOWN,
                                 "doorlockd did not answer (%s): it is stuck, stopping or restarting. "
                                 "Check systemctl status doorlockd and journalctl -u doorlockd.",
                                 error->message ? error->message : error->name);
        if (sd_bus_error_has_names(error, SD_BUS_ERROR_DISCONNECTED, SD_BUS_ERROR_NO_SERVER) ||
            errno_is_disconnect(r))
                return log_error(-EHOSTDOWN,
                                 "Cannot reach doorlockd, the bus connection broke: %s. Is dbus running "
                                 "(systemctl status dbus)?",
                                 sd_bus_error_is_set(error) && error->message ? error->message
                                                                              : strerror(-r));

        if (sd_bus_error_is_set(error)) {
                const char *msg = error->message && error->message[0] ? error->message : error->name;
                size_t n = strlen(msg);

                /* Some services end their messages with a newline. */
                while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
                        n--;
                return log_error(-EREMOTEIO, "%.*s", (int)MIN(n, (size_t)INT_MAX), msg);
        }

        return log_error(r, "D-Bus call failed: %s", strerror(-r));
}

int bus_log_parse_error(int r) {
        return log_error(-EBADMSG, "Cannot read doorlockd's reply: %s", strerror(-r));
}

int bus_log_create_error(int r) {
        return log_error(r, "Cannot build the D-Bus message: %s", strerror(-r));
}

int bus_call_lock(sd_bus *bus, const char *member, sd_bus_message **ret_reply, const char *types, ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        va_list ap;
        int r;

        va_start(ap, types);
        r = sd_bus_call_methodv(bus, DL_BUS_NAME, DL_LOCK_PATH, DL_LOCK_INTERFACE, member, &error, ret_reply,
                                types, ap);
        va_end(ap);
        if (r < 0)
                return bus_log_error(&error, r);
        return 0;
}

/* Properties.GetAll; errors are left to the caller. */
static int bus_call_get_all(sd_bus *bus, const char *path, const char *interface, sd_bus_error *error,
                            sd_bus_message **ret_reply) {
        return sd_bus_call_method(bus, DL_BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll", error,
                                  ret_reply, "s", interface);
}

int bus_get_all(sd_bus *bus, const char *path, const char *interface, struct bus_dict *ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = bus_call_get_all(bus, path, interface, &error, &reply);
        if (r < 0)
                return bus_log_error(&error, r);

        r = bus_read_dict(reply, ret);
        if (r < 0)
                return bus_log_parse_error(r);
        return 0;
}

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

/* Fill the views of c from c->props. */
static void code_info_fill(struct code_info *c) {
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

int bus_list_codes(sd_bus *bus, struct code_info **ret, size_t *ret_n) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        struct code_info *codes = NULL;
        size_t n = 0;
        const char *path;
        int r;

        r = sd_bus_call_method(bus, DL_BUS_NAME, DL_LOCK_PATH, "org.freedesktop.DBus.ObjectManager",
                               "GetManagedObjects", &error, &reply, NULL);
        if (r < 0)
                return bus_log_error(&error, r);

        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "{oa{sa{sv}}}");
        if (r < 0)
                goto parse_error;

        while ((r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_DICT_ENTRY, "oa{sa{sv}}")) > 0) {
                struct code_info *nc;

                r = sd_bus_message_read_basic(reply, 'o', &path);
                if (r < 0)
                        goto parse_error;

                nc = reallocarray(codes, n + 1, sizeof(*codes));
                if (!nc) {
                        r = -ENOMEM;
                        goto parse_error;
                }
                codes = nc;
                codes[n] = (struct code_info){};

                r = bus_read_managed_object(reply, path, &codes[n]);
                if (r < 0) {
                        code_info_done(&codes[n]);
                        goto parse_error;
                }
                if (r > 0) {
                        code_info_fill(&codes[n]);
                        n++;
                }

                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        goto parse_error;
        }
        if (r < 0)
                goto parse_error;

        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                goto parse_error;

        if (n > 0)
                qsort(codes, n, sizeof(*codes), code_info_compare);
        *ret = codes;
        *ret_n = n;
        return 0;

parse_error:
        code_infos_free(codes, n);
        return bus_log_parse_error(r);
}

int check_code_spec(const char *verb, const char *spec, uint32_t *ret_id) {
        uint64_t id = 0;

        if (spec[0] == '\0')
                return log_usage(verb, "A code's id or name must not be empty.");
        if (strspn(spec, "0123456789") != strlen(spec)) {
                *ret_id = 0;
                return 0; /* a name */
        }

        for (const char *p = spec; *p; p++) {
                id = id * 10 + (uint64_t)(*p - '0');
                if (id > UINT32_MAX)
                        return log_usage(verb, "Code id '%s' is out of range.", spec);
        }
        if (id == 0)
                return log_usage(verb, "Code ids start at 1.");
        *ret_id = (uint32_t)id;
        return 1;
}

int resolve_code(sd_bus *bus, const char *verb, const char *spec, char **ret_path) {
        struct code_info *codes = NULL;
        size_t n = 0;
        char *path = NULL;
        uint32_t id = 0;
        int r;

        r = check_code_spec(verb, spec, &id);
        if (r < 0)
                return r;
        if (r > 0) {
                if (asprintf(&path, DL_CODE_PATH_PREFIX "%" PRIu32, id) < 0)
                        return log_error(-ENOMEM, "Out of memory.");
                *ret_path = path;
                return 0;
        }

        r = bus_list_codes(bus, &codes, &n);
        if (r < 0)
                return r;

        for (size_t i = 0; i < n; i++)
                if (strcmp(codes[i].name, spec) == 0) {
                        path = strdup(codes[i].path);
                        break;
                }
        code_infos_free(codes, n);

        if (!path) {
                fputs("lockctl: No code named ", stderr);
                print_quoted(stderr, spec);
                fputs(".\n", stderr);
                return -ENOENT;
        }

        *ret_path = path;
        return 0;
}

int bus_log_code_error(const sd_bus_error *error, int r, const char *spec) {
        /* sd-bus answers UnknownObject for a path it has nothing at; other
         * implementations UnknownInterface or UnknownMethod.  Every code
         * object has all the methods lockctl calls on it. */
        if (sd_bus_error_has_names(error, SD_BUS_ERROR_UNKNOWN_OBJECT, SD_BUS_ERROR_UNKNOWN_INTERFACE,
                                   SD_BUS_ERROR_UNKNOWN_METHOD)) {
                fputs("lockctl: No code ", stderr);
                print_text(stderr, spec, true);
                fputs(".\n", stderr);
                return -ENOENT;
        }
        return bus_log_error(error, r);
}

int bus_get_code(sd_bus *bus, const char *path, const char *spec, struct code_info *ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        struct code_info c = {};
        int r;

        r = bus_call_get_all(bus, path, DL_CODE_INTERFACE, &error, &reply);
        if (r < 0)
                return bus_log_code_error(&error, r, spec);

        r = bus_read_dict(reply, &c.props);
        if (r < 0)
                return bus_log_parse_error(r);

        c.path = strdup(path);
        if (!c.path) {
                bus_dict_done(&c.props);
                return log_error(-ENOMEM, "Out of memory.");
        }
        code_info_fill(&c);
        *ret = c;
        return 0;
}

int bus_set_code_property(sd_bus *bus, const char *path, const char *spec, const char *property,
                          const char *type, ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        va_list ap;
        int r;

        va_start(ap, type);
        r = sd_bus_set_propertyv(bus, DL_BUS_NAME, path, DL_CODE_INTERFACE, property, &error, type, ap);
        va_end(ap);
        if (r < 0)
                return bus_log_code_error(&error, r, spec);
        return 0;
}
