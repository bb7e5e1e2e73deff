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

int bus_list_codes(sd_bus *bus, struct code_info **ret, size_t *ret_n) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_call_method(bus, DL_BUS_NAME, DL_LOCK_PATH, "org.freedesktop.DBus.ObjectManager",
                               "GetManagedObjects", &error, &reply, NULL);
        if (r < 0)
                return bus_log_error(&error, r);
        r = code_infos_read(reply, ret, ret_n);
        if (r < 0)
                return bus_log_parse_error(r);
        return 0;
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
