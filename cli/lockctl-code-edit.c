/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lockctl code add and code edit: the options that set a code's validity
 * (--from, --until, the --days/--hours schedule, --uses), sending them to
 * doorlockd, and reading the PIN.  The other code verbs and their dispatch
 * are in lockctl-code.c.
 *
 * A PIN passes through here only on its way to AddCode: read without echo
 * (or from stdin), kept in one fixed buffer that is wiped after use, and
 * sent in a message marked sensitive (sd-bus erases it when freed). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lockctl.h"
#include "parse-time.h"

#define PIN_BUF_SIZE 64

/* ---- the options of add and edit ----------------------------------------- */

/* A number 1..UINT32_MAX (or 0..UINT32_MAX with allow_zero). */
static int parse_u32(const char *s, bool allow_zero, uint32_t *ret) {
        uint64_t v = 0;

        if (!s[0] || strspn(s, "0123456789") != strlen(s))
                return -EINVAL;
        for (const char *p = s; *p; p++) {
                v = v * 10 + (uint64_t)(*p - '0');
                if (v > UINT32_MAX)
                        return -ERANGE;
        }
        if (v == 0 && !allow_zero)
                return -ERANGE;
        *ret = (uint32_t)v;
        return 0;
}

static int parse_time_arg(const char *verb, const char *option, const char *s, int64_t now, uint64_t *ret) {
        int64_t t;

        if (dl_parse_time(s, now, &t) < 0)
                return log_usage(verb, "Invalid time '%s' for %s.", s, option);
        if (t <= 0)
                return log_usage(verb, "Time '%s' for %s is not after 1970.", s, option);
        *ret = (uint64_t)t;
        return 0;
}

/* --days and --hours, in the order given: each --hours belongs to the last
 * --days before it (every day if there is none), a --days that no --hours
 * follows is the whole day. */
struct schedule_args {
        struct dl_window *windows;
        size_t n;
        bool given;
        bool have_days;
        bool days_used;
        uint8_t days;
};

static void schedule_args_done(struct schedule_args *s) {
        free(s->windows);
}

static int schedule_push(struct schedule_args *s, uint8_t days, uint16_t start, uint16_t end) {
        struct dl_window *w;

        w = reallocarray(s->windows, s->n + 1, sizeof(*w));
        if (!w)
                return log_error(-ENOMEM, "Out of memory.");
        s->windows = w;
        s->windows[s->n++] = (struct dl_window){ .days = days, .start = start, .end = end };
        return 0;
}

static int schedule_days(struct schedule_args *s, const char *verb, const char *arg) {
        uint8_t days;
        int r;

        if (dl_parse_days(arg, &days) < 0 || days == 0)
                return log_usage(verb, "Invalid days '%s' (e.g. mon-fri,sun).", arg);

        if (s->have_days && !s->days_used) {
                r = schedule_push(s, s->days, 0, DL_MINUTES_PER_DAY);
                if (r < 0)
                        return r;
        }
        s->given = true;
        s->have_days = true;
        s->days_used = false;
        s->days = days;
        return 0;
}

static int schedule_hours(struct schedule_args *s, const char *verb, const char *arg) {
        uint16_t start, end;

        if (dl_parse_hours(arg, &start, &end) < 0)
                return log_usage(verb, "Invalid hours '%s' (e.g. 08:00-18:00).", arg);

        s->given = true;
        s->days_used = true;
        return schedule_push(s, s->have_days ? s->days : DL_ALL_DAYS, start, end);
}

static int schedule_finish(struct schedule_args *s) {
        if (s->have_days && !s->days_used) {
                s->days_used = true;
                return schedule_push(s, s->days, 0, DL_MINUTES_PER_DAY);
        }
        return 0;
}

/* ---- sending a schedule ------------------------------------------------- */

/* A schedule as a variant a(yqq), for AddCode's options and for the
 * Schedule property. */
static int append_schedule_variant(sd_bus_message *m, const struct dl_window *w, size_t n) {
        int r;

        r = sd_bus_message_open_container(m, SD_BUS_TYPE_VARIANT, "a(yqq)");
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "(yqq)");
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = sd_bus_message_append(m, "(yqq)", w[i].days, w[i].start, w[i].end);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(m);
}

static int set_code_schedule(sd_bus *bus, const char *path, const char *spec, const struct dl_window *w,
                             size_t n) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, DL_BUS_NAME, path, "org.freedesktop.DBus.Properties",
                                           "Set");
        if (r < 0)
                return bus_log_create_error(r);
        r = sd_bus_message_append(m, "ss", DL_CODE_INTERFACE, "Schedule");
        if (r < 0)
                return bus_log_create_error(r);
        r = append_schedule_variant(m, w, n);
        if (r < 0)
                return bus_log_create_error(r);

        r = sd_bus_call(bus, m, 0, &error, NULL);
        if (r < 0)
                return bus_log_code_error(&error, r, spec);
        return 0;
}

/* ---- reading a PIN ------------------------------------------------------- */

struct pin_buf {
        char s[PIN_BUF_SIZE];
};

static void pin_buf_wipe(struct pin_buf *p) {
        explicit_bzero(p, sizeof(*p));
}

/* ---- code add ------------------------------------------------------------ */

static void code_add_help(void) {
        printf("lockctl code add NAME [OPTIONS...]\n"
               "\n"
               "Add a code.  Without --pin the lock makes up a random PIN and lockctl\n"
               "shows it once.\n"
               "\n"
               "Options:\n"
               "  -h --help              Show this help\n"
               "     --pin PIN           Use this PIN (visible to other users and kept in\n"
               "                         the shell history: prefer --pin -)\n"
               "     --pin -             Type the PIN (twice, without echo), or read one\n"
               "                         line from stdin when it is not a terminal\n"
               "     --random[=LENGTH]   A random PIN (the default), of LENGTH digits\n"
               "                         (default 6, or MinPinLength= if that is more)\n"
               "     --one-time          The code opens the door once\n"
               "     --from TIME         Valid from TIME\n"
               "     --until TIME        Valid until TIME (exclusive)\n"
               "     --days DAYS         Days of the week for the next --hours, e.g. mon-fri\n"
               "     --hours HH:MM-HH:MM\n"
               "                         Hours on those days (every day without --days)\n"
               "     --uses N            Opens the door at most N times\n"
               "     --duress            A duress code: opens the door and raises an alarm\n"
               "     --json              Print the result as JSON\n"
               "\n"
               "PIN: digits only, 6 to 10 of them unless the lock's configuration says\n"
               "otherwise ([Codes] MinPinLength=, MaxPinLength= in doorlockd.conf), and\n"
               "not weak (all one digit, or a straight run like 123456 or 987654).\n"
               "TIME: now, +2h, -30m, today 18:00, tomorrow 08:00, 2026-07-01,\n"
               "2026-07-01 08:00, or ISO 8601 with a zone (2026-07-01T08:00+02:00).\n"
               "DAYS: mon..sun, ranges and lists (mon-fri,sun), daily, weekdays, weekends.\n"
               "--days and --hours may be repeated: each --hours applies to the --days\n"
               "before it, and a --days without --hours means the whole day:\n"
               "  --days mon-fri --hours 08:00-18:00 --days sat --hours 10:00-14:00\n");
}

int verb_code_add(int argc, char *argv[]) {
        enum {
                ARG_PIN = 0x100,
                ARG_RANDOM,
                ARG_ONE_TIME,
                ARG_FROM,
                ARG_UNTIL,
                ARG_DAYS,
                ARG_HOURS,
                ARG_USES,
                ARG_DURESS,
                ARG_JSON,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, ARG_JSON },
                { "pin", required_argument, NULL, ARG_PIN },
                { "random", optional_argument, NULL, ARG_RANDOM },
                { "one-time", no_argument, NULL, ARG_ONE_TIME },
                { "from", required_argument, NULL, ARG_FROM },
                { "until", required_argument, NULL, ARG_UNTIL },
                { "days", required_argument, NULL, ARG_DAYS },
                { "hours", required_argument, NULL, ARG_HOURS },
                { "uses", required_argument, NULL, ARG_USES },
                { "duress", no_argument, NULL, ARG_DURESS },
                {},
        };
        static const char verb[] = "code add";
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        _cleanup_(schedule_args_done) struct schedule_args sched = {};
        _cleanup_(pin_buf_wipe) struct pin_buf pin = {};
        enum {
                PIN_RANDOM,
                PIN_LITERAL,
                PIN_ASK,
        } pin_source = PIN_RANDOM;
        bool pin_given = false, random_given = false, one_time = false, duress = false;
        uint64_t from = 0, until = 0;
        uint32_t uses = 0, length = 0;
        int64_t now = now_usec();
        const char *name, *code_path, *new_pin;
        size_t len;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        code_add_help();
                        return 0;
                case ARG_JSON:
                        arg_json = true;
                        break;
                case ARG_PIN:
                        if (pin_given || random_given)
                                return log_usage(verb, "Give one of --pin and --random, once.");
                        pin_given = true;
                        if (strcmp(optarg, "-") == 0) {
                                pin_source = PIN_ASK;
                                break;
                        }
                        pin_source = PIN_LITERAL;
                        if (optarg[0] == '\0')
                                return log_usage(verb, "Empty PIN (leave out --pin for a random one).");
                        len = strlen(optarg);
                        if (len >= sizeof(pin.s))
                                return log_usage(verb, "The PIN is too long.");
                        memcpy(pin.s, optarg, len + 1);
                        /* Hide it from /proc/PID/cmdline from now on. */
                        explicit_bzero(optarg, len);
                        break;
                case ARG_RANDOM:
                        if (pin_given || random_given)
                                return log_usage(verb, "Give one of --pin and --random, once.");
                        random_given = true;
                        if (optarg && parse_u32(optarg, false, &length) < 0)
                                return log_usage(verb, "Invalid PIN length '%s'.", optarg);
                        break;
                case ARG_ONE_TIME:
                        one_time = true;
                        break;
                case ARG_FROM:
                        r = parse_time_arg(verb, "--from", optarg, now, &from);
                        if (r < 0)
                                return r;
                        break;
                case ARG_UNTIL:
                        r = parse_time_arg(verb, "--until", optarg, now, &until);
                        if (r < 0)
                                return r;
                        break;
                case ARG_DAYS:
                        r = schedule_days(&sched, verb, optarg);
                        if (r < 0)
                                return r;
                        break;
                case ARG_HOURS:
                        r = schedule_hours(&sched, verb, optarg);
                        if (r < 0)
                                return r;
                        break;
                case ARG_USES:
                        if (parse_u32(optarg, false, &uses) < 0)
                                return log_usage(verb, "Invalid number of uses '%s'.", optarg);
                        break;
                case ARG_DURESS:
                        duress = true;
                        break;
                default:
                        return log_option_error(verb, c, argv);
                }
        r = check_args(verb, argc, argv, 1, "code name");
        if (r < 0)
                return r;
        name = argv[optind];
        r = schedule_finish(&sched);
        if (r < 0)
                return r;

        if (pin_source == PIN_LITERAL && isatty(STDIN_FILENO))
                fputs("lockctl: Note: a PIN on the command line is visible to other local users and stays\n"
                      "lockctl: in the shell history.  Use --pin - to type it instead.\n",
                      stderr);

        r = bus_connect(&bus);
        if (r < 0)
                return r;

        /* Ask for the PIN only once the bus is there: no typing for nothing. */
        if (pin_source == PIN_ASK) {
                /* The daemon does not export its PIN lengths: the defaults,
                 * and where they are changed. */
                if (isatty(STDIN_FILENO))
                        fputs("The PIN: 6 to 10 digits unless the lock's configuration says otherwise "
                              "([Codes] MinPinLength=, MaxPinLength=), not all one digit and not a "
                              "straight run like 123456.\n",
                              stderr);
                r = read_secret("PIN", "PIN: ", "Repeat the PIN: ", pin.s, sizeof(pin.s));
                if (r < 0)
                        return r;
        }

        r = sd_bus_message_new_method_call(bus, &m, DL_BUS_NAME, DL_LOCK_PATH, DL_LOCK_INTERFACE, "AddCode");
        if (r < 0)
                return bus_log_create_error(r);
        r = sd_bus_message_sensitive(m);
        if (r < 0)
                return bus_log_create_error(r);
        r = sd_bus_message_append(m, "ss", name, pin.s);
        if (r < 0)
                return bus_log_create_error(r);
        pin_buf_wipe(&pin);

        r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
        if (r >= 0 && one_time)
                r = sd_bus_message_append(m, "{sv}", "OneTime", "b", 1);
        if (r >= 0 && from > 0)
                r = sd_bus_message_append(m, "{sv}", "ValidFrom", "t", from);
        if (r >= 0 && until > 0)
                r = sd_bus_message_append(m, "{sv}", "ValidUntil", "t", until);
        if (r >= 0 && uses > 0)
                r = sd_bus_message_append(m, "{sv}", "MaxUses", "u", uses);
        if (r >= 0 && duress)
                r = sd_bus_message_append(m, "{sv}", "Duress", "b", 1);
        if (r >= 0 && length > 0)
                r = sd_bus_message_append(m, "{sv}", "Length", "u", length);
        if (r >= 0 && sched.given) {
                r = sd_bus_message_open_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv");
                if (r >= 0)
                        r = sd_bus_message_append(m, "s", "Schedule");
                if (r >= 0)
                        r = append_schedule_variant(m, sched.windows, sched.n);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                return bus_log_create_error(r);

        r = sd_bus_call(bus, m, 0, &error, &reply);
        if (r < 0)
                return bus_log_error(&error, r);
        /* The reply may hold the new PIN: erase it when it is freed. */
        (void)sd_bus_message_sensitive(reply);

        r = sd_bus_message_read(reply, "os", &code_path, &new_pin);
        if (r < 0)
                return bus_log_parse_error(r);

        if (pin_source != PIN_RANDOM)
                new_pin = NULL;

        if (arg_json) {
                struct json j;

                json_begin(&j, stdout);
                json_kv_unsigned(&j, "id", code_path_to_id(code_path));
                json_kv_string(&j, "name", name);
                if (new_pin)
                        json_kv_string(&j, "pin", new_pin);
                json_end(&j);
                fputc('\n', stdout);
        } else {
                printf("Added code %" PRIu32 " ", code_path_to_id(code_path));
                print_quoted(stdout, name);
                printf(".\n");
                if (new_pin) {
                        printf("PIN: ");
                        print_text(stdout, new_pin, false);
                        printf("\nThis PIN will not be shown again.\n");
                }
        }
        fflush(stdout);
        return 0;
}

/* ---- code edit ----------------------------------------------------------- */

static void code_edit_help(void) {
        printf("lockctl code edit ID|NAME [OPTIONS...]\n"
               "\n"
               "Change a code.  The PIN, the kind and the duress flag cannot change:\n"
               "remove the code and add a new one.\n"
               "\n"
               "Options:\n"
               "  -h --help              Show this help\n"
               "     --name NAME         Rename the code\n"
               "     --enable            Enable the code\n"
               "     --disable           Disable the code\n"
               "     --from TIME         Valid from TIME\n"
               "     --no-from           No start of validity\n"
               "     --until TIME        Valid until TIME (exclusive)\n"
               "     --no-until          No end of validity\n"
               "     --days DAYS         Days of the week for the next --hours\n"
               "     --hours HH:MM-HH:MM\n"
               "                         Hours on those days (every day without --days)\n"
               "     --no-schedule       Any time of the week\n"
               "     --uses N            Opens the door at most N times\n"
               "     --no-uses           No limit on uses\n"
               "\n"
               "--days and --hours replace the whole schedule; see 'lockctl code add --help'\n"
               "for TIME and DAYS.  doorlockd checks each change on its own: when one is\n"
               "refused, the ones before it stay made.\n");
}

struct edit_done {
        const char *names[8];
        size_t n;
};

static void edit_done_add(struct edit_done *d, const char *name) {
        if (d->n < ELEMENTSOF(d->names))
                d->names[d->n++] = name;
}

/* After a refused change: say which ones were made. */
static int edit_failed(const struct edit_done *d, int r) {
        if (d->n == 0)
                return r;
        fputs("lockctl: Changed before that:", stderr);
        for (size_t i = 0; i < d->n; i++)
                fprintf(stderr, "%s %s", i > 0 ? "," : "", d->names[i]);
        fputs(".\n", stderr);
        return r;
}

int verb_code_edit(int argc, char *argv[]) {
        enum {
                ARG_NAME = 0x100,
                ARG_ENABLE,
                ARG_DISABLE,
                ARG_FROM,
                ARG_NO_FROM,
                ARG_UNTIL,
                ARG_NO_UNTIL,
                ARG_DAYS,
                ARG_HOURS,
                ARG_NO_SCHEDULE,
                ARG_USES,
                ARG_NO_USES,
                ARG_JSON,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, ARG_JSON },
                { "name", required_argument, NULL, ARG_NAME },
                { "enable", no_argument, NULL, ARG_ENABLE },
                { "disable", no_argument, NULL, ARG_DISABLE },
                { "from", required_argument, NULL, ARG_FROM },
                { "no-from", no_argument, NULL, ARG_NO_FROM },
                { "until", required_argument, NULL, ARG_UNTIL },
                { "no-until", no_argument, NULL, ARG_NO_UNTIL },
                { "days", required_argument, NULL, ARG_DAYS },
                { "hours", required_argument, NULL, ARG_HOURS },
                { "no-schedule", no_argument, NULL, ARG_NO_SCHEDULE },
                { "uses", required_argument, NULL, ARG_USES },
                { "no-uses", no_argument, NULL, ARG_NO_USES },
                {},
        };
        static const char verb[] = "code edit";
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        _cleanup_(schedule_args_done) struct schedule_args sched = {};
        _cleanup_(code_info_done) struct code_info cur = {};
        _cleanup_free_ char *path = NULL;
        struct edit_done done = {};
        const char *new_name = NULL, *spec;
        int enable = -1; /* -1 unchanged, 0 disable, 1 enable */
        bool set_from = false, set_until = false, set_uses = false, no_schedule = false;
        uint64_t from = 0, until = 0;
        uint32_t uses = 0, id;
        int64_t now = now_usec();
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        code_edit_help();
                        return 0;
                case ARG_JSON:
                        arg_json = true;
                        break;
                case ARG_NAME:
                        new_name = optarg;
                        break;
                case ARG_ENABLE:
                case ARG_DISABLE:
                        if (enable >= 0 && enable != (c == ARG_ENABLE))
                                return log_usage(verb, "--enable and --disable exclude each other.");
                        enable = c == ARG_ENABLE;
                        break;
                case ARG_FROM:
                case ARG_NO_FROM:
                        if (set_from)
                                return log_usage(verb, "Give --from or --no-from once.");
                        set_from = true;
                        if (c == ARG_FROM) {
                                r = parse_time_arg(verb, "--from", optarg, now, &from);
                                if (r < 0)
                                        return r;
                        }
                        break;
                case ARG_UNTIL:
                case ARG_NO_UNTIL:
                        if (set_until)
                                return log_usage(verb, "Give --until or --no-until once.");
                        set_until = true;
                        if (c == ARG_UNTIL) {
                                r = parse_time_arg(verb, "--until", optarg, now, &until);
                                if (r < 0)
                                        return r;
                        }
                        break;
                case ARG_DAYS:
                        r = schedule_days(&sched, verb, optarg);
                        if (r < 0)
                                return r;
                        break;
                case ARG_HOURS:
                        r = schedule_hours(&sched, verb, optarg);
                        if (r < 0)
                                return r;
                        break;
                case ARG_NO_SCHEDULE:
                        no_schedule = true;
                        break;
                case ARG_USES:
                case ARG_NO_USES:
                        if (set_uses)
                                return log_usage(verb, "Give --uses or --no-uses once.");
                        set_uses = true;
                        if (c == ARG_USES && parse_u32(optarg, false, &uses) < 0)
                                return log_usage(verb, "Invalid number of uses '%s'.", optarg);
                        break;
                default:
                        return log_option_error(verb, c, argv);
                }
        r = check_args(verb, argc, argv, 1, "code id or name");
        if (r < 0)
                return r;
        spec = argv[optind];
        r = check_code_spec(verb, spec, &id);
        if (r < 0)
                return r;
        if (no_schedule && sched.given)
                return log_usage(verb, "--no-schedule excludes --days and --hours.");
        r = schedule_finish(&sched);
        if (r < 0)
                return r;
        if (!new_name && enable < 0 && !set_from && !set_until && !sched.given && !no_schedule && !set_uses)
                return log_usage(verb, "Nothing to change.");

        r = bus_connect(&bus);
        if (r < 0)
                return r;
        r = resolve_code(bus, verb, spec, &path);
        if (r < 0)
                return r;
        /* The current values decide the order of --from and --until. */
        r = bus_get_code(bus, path, spec, &cur);
        if (r < 0)
                return r;

        /* Restrictions first, the enabling last: a code that is being
         * disabled never opens with half its new rules; one that is being
         * enabled opens only with all of them. */
        if (enable == 0) {
                r = bus_set_code_property(bus, path, spec, "Enabled", "b", 0);
                if (r < 0)
                        return edit_failed(&done, r);
                edit_done_add(&done, "--disable");
        }

        if (new_name) {
                r = bus_set_code_property(bus, path, spec, "Name", "s", new_name);
                if (r < 0)
                        return edit_failed(&done, r);
                edit_done_add(&done, "--name");
        }

        if (set_from || set_until) {
                /* Each Set is checked against the other bound as it is: set
                 * --until first when the new start would not be before the
                 * old end.  (Both orders cannot fail for a valid pair.) */
                bool until_first = set_from && set_until && from != 0 && cur.valid_until != 0 &&
                                   from >= cur.valid_until;

                for (int step = 0; step < 2; step++) {
                        bool do_until = (step == 0) == until_first;

                        if (do_until && set_until) {
                                r = bus_set_code_property(bus, path, spec, "ValidUntil", "t", until);
                                if (r < 0)
                                        return edit_failed(&done, r);
                                edit_done_add(&done, until ? "--until" : "--no-until");
                        } else if (!do_until && set_from) {
                                r = bus_set_code_property(bus, path, spec, "ValidFrom", "t", from);
                                if (r < 0)
                                        return edit_failed(&done, r);
                                edit_done_add(&done, from ? "--from" : "--no-from");
                        }
                }
        }

        if (sched.given || no_schedule) {
                r = set_code_schedule(bus, path, spec, sched.windows, sched.n);
                if (r < 0)
                        return edit_failed(&done, r);
                edit_done_add(&done, no_schedule ? "--no-schedule" : "--days/--hours");
        }

        if (set_uses) {
                r = bus_set_code_property(bus, path, spec, "MaxUses", "u", uses);
                if (r < 0)
                        return edit_failed(&done, r);
                edit_done_add(&done, uses ? "--uses" : "--no-uses");
        }

        if (enable == 1) {
                r = bus_set_code_property(bus, path, spec, "Enabled", "b", 1);
                if (r < 0)
                        return edit_failed(&done, r);
        }

        return 0;
}
