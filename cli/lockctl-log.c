/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lockctl log and lockctl monitor: the audit log (GetLog, then LogEntry
 * signals with --follow) and every signal of the lock as it comes. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>

#include "lockctl.h"
#include "parse-time.h"

/* The detail keys in the order people read them, with shorter labels. */
static const struct {
        const char *key;
        const char *label;
} detail_labels[] = {
        { "code_id", "code" }, { "code_name", "name" }, { "reason", "reason" },
        { "kind", "kind" },    { "cause", "cause" },    { "details", "details" },
};

static bool is_labelled_detail(const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(detail_labels); i++)
                if (strcmp(detail_labels[i].key, key) == 0)
                        return true;
        return false;
}

static void print_detail(const struct bus_value *v, const char *label) {
        fputc(' ', stdout);
        print_text(stdout, label, false);
        fputc('=', stdout);
        print_bus_value(stdout, v);
}

/* The details of a bolt operation begin with "<cause>: ", which cause= says
 * already: the rest, or NULL when there is no such prefix. */
static const char *details_after_cause(const char *details, const char *cause) {
        size_t n;

        if (!details || !cause)
                return NULL;
        n = strlen(cause);
        if (strncmp(details, cause, n) != 0 || details[n] != ':' || details[n + 1] != ' ')
                return NULL;
        return details + n + 2;
}

/* " key=value ..." of a details dictionary.  "details" is left out when it
 * says no more than the reason or the alarm kind, and loses the cause it
 * starts with. */
static void print_details(const struct bus_dict *d) {
        const char *details = bus_dict_string(d, "details"), *reason = bus_dict_string(d, "reason"),
                   *kind = bus_dict_string(d, "kind");
        const char *rest = details_after_cause(details, bus_dict_string(d, "cause"));

        for (size_t i = 0; i < ELEMENTSOF(detail_labels); i++) {
                const struct bus_value *v = bus_dict_find(d, detail_labels[i].key);

                if (!v)
                        continue;
                if (details && strcmp(detail_labels[i].key, "details") == 0 &&
                    ((reason && strcmp(details, reason) == 0) || (kind && strcmp(details, kind) == 0)))
                        continue;
                if (rest && strcmp(detail_labels[i].key, "details") == 0) {
                        struct bus_value shorter = *v;

                        shorter.s = (char *)rest;
                        print_detail(&shorter, detail_labels[i].label);
                        continue;
                }
                print_detail(v, detail_labels[i].label);
        }
        for (size_t i = 0; i < d->n; i++)
                if (!is_labelled_detail(d->items[i].key))
                        print_detail(&d->items[i], d->items[i].key);
}

/* "#id event source details" without the time. */
static void print_log_entry_body(const struct log_entry *e) {
        printf("#%" PRIu64 " ", e->id);
        print_text(stdout, e->event, false);
        fputc(' ', stdout);
        print_text(stdout, e->source, false);
        print_details(&e->details);
}

static void print_log_entry(const struct log_entry *e) {
        char buf[DL_FORMAT_TIME_MAX];

        if (arg_json)
                json_log_entry(stdout, e);
        else {
                printf("%s ", format_time(e->time, buf, sizeof(buf)));
                print_log_entry_body(e);
        }
        fputc('\n', stdout);
}

static int log_entry_compare(const void *a, const void *b) {
        const struct log_entry *x = a, *y = b;

        if (x->id != y->id)
                return x->id < y->id ? -1 : 1;
        return 0;
}

/* GetLog(since, limit), printed oldest first.  *last_id: the newest id. */
static int show_log(sd_bus *bus, uint64_t since, uint32_t limit, uint64_t *last_id) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        struct log_entry *entries = NULL;
        size_t n = 0;
        int r;

        r = bus_call_lock(bus, "GetLog", &reply, "tu", since, limit);
        if (r < 0)
                return r;

        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "(ttssa{sv})");
        if (r < 0)
                goto parse_error;
        while ((r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_STRUCT, "ttssa{sv}")) > 0) {
                struct log_entry *ne;

                ne = reallocarray(entries, n + 1, sizeof(*entries));
                if (!ne) {
                        r = -ENOMEM;
                        goto parse_error;
                }
                entries = ne;
                r = log_entry_read(reply, &entries[n]);
                if (r < 0)
                        goto parse_error;
                n++;
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
                qsort(entries, n, sizeof(*entries), log_entry_compare);
        for (size_t i = 0; i < n; i++) {
                print_log_entry(&entries[i]);
                *last_id = MAX(*last_id, entries[i].id);
        }
        log_entries_free(entries, n);
        fflush(stdout);
        return 0;

parse_error:
        log_entries_free(entries, n);
        return bus_log_parse_error(r);
}

/* Run the bus on an event loop until SIGINT or SIGTERM. */
static int run_loop(sd_bus *bus) {
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        int r;

        r = sd_event_default(&e);
        if (r < 0)
                return log_error(r, "Cannot make an event loop: %s", strerror(-r));
        r = sd_event_set_signal_exit(e, true);
        if (r < 0)
                return log_error(r, "Cannot catch SIGINT and SIGTERM: %s", strerror(-r));
        r = sd_bus_attach_event(bus, e, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error(r, "Cannot attach the bus to the event loop: %s", strerror(-r));
        r = sd_bus_set_exit_on_disconnect(bus, true);
        if (r < 0)
                return log_error(r, "Cannot watch the bus connection: %s", strerror(-r));

        /* 0 after SIGINT or SIGTERM; sd-bus ends the loop with
         * EXIT_FAILURE when the connection breaks. */
        r = sd_event_loop(e);
        if (r < 0)
                return log_error(r, "Event loop failed: %s", strerror(-r));
        if (r > 0)
                return log_error(-EHOSTDOWN, "Lost the connection to the system bus.");
        return 0;
}

static int on_log_entry(sd_bus_message *m, void *userdata, _unused_ sd_bus_error *ret_error) {
        _cleanup_(log_entry_done) struct log_entry e = {};
        uint64_t *last_id = userdata;
        int r;

        r = log_entry_read(m, &e);
        if (r < 0) {
                log_error(r, "Cannot read a LogEntry signal: %s", strerror(-r));
                return 0;
        }
        /* Already shown by GetLog (the match was there before it ran). */
        if (e.id <= *last_id)
                return 0;
        *last_id = e.id;
        print_log_entry(&e);
        fflush(stdout);
        return 0;
}

static void log_help(void) {
        printf("lockctl log [OPTIONS...]\n"
               "\n"
               "Show the lock's log, oldest first.\n"
               "\n"
               "Options:\n"
               "  -h --help          Show this help\n"
               "  -n --lines N       Show N entries (default 20; 0 with --follow: only new ones)\n"
               "     --since TIME    Entries from TIME on (see 'lockctl code add --help')\n"
               "  -f --follow        Then show new entries as they come, until Ctrl-C\n"
               "     --json          One JSON object a line\n");
}

int verb_log(int argc, char *argv[]) {
        enum {
                ARG_SINCE = 0x100,
                ARG_JSON,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },        { "json", no_argument, NULL, ARG_JSON },
                { "lines", required_argument, NULL, 'n' }, { "since", required_argument, NULL, ARG_SINCE },
                { "follow", no_argument, NULL, 'f' },      {},
        };
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        uint64_t since = 0, last_id = 0, limit = 20;
        bool follow = false;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":hn:f", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        log_help();
                        return 0;
                case ARG_JSON:
                        arg_json = true;
                        break;
                case 'n': {
                        const char *p = optarg;

                        if (!*p || strspn(p, "0123456789") != strlen(p))
                                return log_usage("log", "Invalid number of entries '%s'.", optarg);
                        limit = 0;
                        for (; *p; p++) {
                                limit = limit * 10 + (uint64_t)(*p - '0');
                                if (limit > UINT32_MAX)
                                        return log_usage("log", "Number of entries '%s' is too large.",
                                                         optarg);
                        }
                        break;
                }
                case ARG_SINCE: {
                        int64_t t;

                        if (dl_parse_time(optarg, now_usec(), &t) < 0 || t < 0)
                                return log_usage("log", "Invalid time '%s' for --since.", optarg);
                        since = (uint64_t)t;
                        break;
                }
                case 'f':
                        follow = true;
                        break;
                default:
                        return log_option_error("log", c, argv);
                }
        if (optind < argc)
                return log_usage("log", "Unexpected argument '%s'.", argv[optind]);
        if (limit == 0 && !follow)
                return log_usage("log", "-n 0 shows nothing without --follow.");

        r = bus_connect(&bus);
        if (r < 0)
                return r;

        if (follow) {
                r = sd_bus_match_signal(bus, NULL, DL_BUS_NAME, DL_LOCK_PATH, DL_LOCK_INTERFACE, "LogEntry",
                                        on_log_entry, &last_id);
                if (r < 0)
                        return log_error(r, "Cannot subscribe to LogEntry signals: %s", strerror(-r));
        }

        if (limit > 0) {
                r = show_log(bus, since, (uint32_t)limit, &last_id);
                if (r < 0)
                        return r;
        }

        if (!follow)
                return 0;
        return run_loop(bus);
}

/* ---- monitor ------------------------------------------------------------- */

static void monitor_prefix(const char *signal, struct json *j) {
        int64_t now = now_usec();
        char buf[DL_FORMAT_TIME_MAX];

        if (arg_json) {
                json_begin(j, stdout);
                json_kv_unsigned(j, "time", (uint64_t)now);
                json_kv_string(j, "signal", signal);
        } else
                printf("%s %s", format_time((uint64_t)now, buf, sizeof(buf)), signal);
}

static void monitor_field(struct json *j, const char *key, const char *value) {
        if (arg_json)
                json_kv_string(j, key, value);
        else {
                printf(" %s=", key);
                print_text(stdout, value, true);
        }
}

static void monitor_end(struct json *j) {
        if (arg_json)
                json_end(j);
        fputc('\n', stdout);
        fflush(stdout);
}

static int on_lock_signal(sd_bus_message *m, _unused_ void *userdata, _unused_ sd_bus_error *ret_error) {
        const char *member = sd_bus_message_get_member(m);
        const char *a, *b, *cp;
        struct json j;
        int r;

        if (!member)
                return 0;

        if (strcmp(member, "AccessGranted") == 0) {
                r = sd_bus_message_read(m, "sos", &a, &cp, &b);
                if (r < 0)
                        goto parse_error;
                monitor_prefix(member, &j);
                monitor_field(&j, "source", a);
                if (arg_json) {
                        json_kv_string(&j, "code", cp);
                        json_kv_unsigned(&j, "code_id", code_path_to_id(cp));
                        json_kv_string(&j, "name", b);
                } else {
                        /* No code for an unlock over D-Bus. */
                        if (code_path_to_id(cp) > 0)
                                printf(" code=%" PRIu32, code_path_to_id(cp));
                        if (b[0])
                                monitor_field(&j, "name", b);
                }
                monitor_end(&j);

        } else if (strcmp(member, "AccessDenied") == 0) {
                r = sd_bus_message_read(m, "ss", &a, &b);
                if (r < 0)
                        goto parse_error;
                monitor_prefix(member, &j);
                monitor_field(&j, "source", a);
                monitor_field(&j, "reason", b);
                monitor_end(&j);

        } else if (strcmp(member, "Alarm") == 0) {
                r = sd_bus_message_read(m, "ss", &a, &b);
                if (r < 0)
                        goto parse_error;
                monitor_prefix(member, &j);
                monitor_field(&j, "kind", a);
                monitor_field(&j, "detail", b);
                monitor_end(&j);

        } else if (strcmp(member, "LogEntry") == 0) {
                _cleanup_(log_entry_done) struct log_entry e = {};

                r = log_entry_read(m, &e);
                if (r < 0)
                        goto parse_error;
                monitor_prefix(member, &j);
                if (arg_json) {
                        json_key(&j, "entry");
                        json_log_entry(stdout, &e);
                } else {
                        fputc(' ', stdout);
                        print_log_entry_body(&e);
                }
                monitor_end(&j);
        }
        return 0;

parse_error:
        log_error(r, "Cannot read a %s signal: %s", member, strerror(-r));
        return 0;
}

static int on_properties_changed(sd_bus_message *m, _unused_ void *userdata,
                                 _unused_ sd_bus_error *ret_error) {
        _cleanup_(bus_dict_done) struct bus_dict changed = {};
        const char *iface, *name;
        struct json j;
        bool first = true;
        int r;

        r = sd_bus_message_read(m, "s", &iface);
        if (r < 0)
                goto parse_error;
        r = bus_read_dict(m, &changed);
        if (r < 0)
                goto parse_error;

        monitor_prefix("PropertiesChanged", &j);
        if (arg_json) {
                json_kv_string(&j, "interface", iface);
                json_key(&j, "changed");
                fputc('{', stdout);
                for (size_t i = 0; i < changed.n; i++) {
                        _cleanup_free_ char *key = snake_case(changed.items[i].key);

                        if (i > 0)
                                fputc(',', stdout);
                        json_string(stdout, key ? key : changed.items[i].key);
                        fputc(':', stdout);
                        json_bus_value(stdout, &changed.items[i]);
                }
                fputs("}", stdout);
                json_key(&j, "invalidated");
                fputc('[', stdout);
        } else
                for (size_t i = 0; i < changed.n; i++)
                        print_detail(&changed.items[i], changed.items[i].key);

        r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "s");
        if (r < 0)
                goto parse_error_line;
        while ((r = sd_bus_message_read_basic(m, 's', &name)) > 0) {
                if (arg_json) {
                        _cleanup_free_ char *key = snake_case(name);

                        if (!first)
                                fputc(',', stdout);
                        json_string(stdout, key ? key : name);
                } else {
                        fputc(' ', stdout);
                        print_text(stdout, name, false);
                        fputs("=(changed)", stdout);
                }
                first = false;
        }
        if (r < 0)
                goto parse_error_line;
        if (arg_json)
                fputc(']', stdout);
        monitor_end(&j);
        return 0;

parse_error_line:
        fputc('\n', stdout);
parse_error:
        log_error(r, "Cannot read a PropertiesChanged signal: %s", strerror(-r));
        return 0;
}

static void monitor_help(void) {
        printf("lockctl monitor [--json]\n"
               "\n"
               "Show the lock's signals as they come, one line each with the local\n"
               "time, until Ctrl-C: AccessGranted, AccessDenied, Alarm, LogEntry and\n"
               "PropertiesChanged of the lock.\n");
}

int verb_monitor(int argc, char *argv[]) {
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        int r;

        r = parse_verb_options("monitor", monitor_help, argc, argv);
        if (r <= 0)
                return r;
        if (optind < argc)
                return log_usage("monitor", "Unexpected argument '%s'.", argv[optind]);

        r = bus_connect(&bus);
        if (r < 0)
                return r;

        r = sd_bus_match_signal(bus, NULL, DL_BUS_NAME, DL_LOCK_PATH, DL_LOCK_INTERFACE, NULL,
                                on_lock_signal, NULL);
        if (r < 0)
                return log_error(r, "Cannot subscribe to doorlockd's signals: %s", strerror(-r));
        r = sd_bus_match_signal(bus, NULL, DL_BUS_NAME, DL_LOCK_PATH, "org.freedesktop.DBus.Properties",
                                "PropertiesChanged", on_properties_changed, NULL);
        if (r < 0)
                return log_error(r, "Cannot subscribe to doorlockd's signals: %s", strerror(-r));

        return run_loop(bus);
}
