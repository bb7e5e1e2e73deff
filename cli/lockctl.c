/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lockctl: the command line of doorlockd, over the system bus.
 *
 * This file has main(), the top-level help and the verbs about the lock
 * itself (status, lock, unlock, mode, lockout, clock).  Codes are in
 * lockctl-code.c and lockctl-code-edit.c, emergency codes in
 * lockctl-emergency.c, the log and monitor in lockctl-log.c. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build-config.h"
#include "lockctl.h"
#include "parse-time.h"

bool arg_json = false;

/* Width of the labels in "Label: value" output. */
#define LABEL_WIDTH 18

static void help(void) {
        printf("lockctl [OPTIONS...] COMMAND ...\n"
               "\n"
               "Control the doorlockd door lock.\n"
               "\n"
               "Lock commands:\n"
               "  status                     Show the lock's state (the default)\n"
               "  lock                       Lock the door\n"
               "  unlock [--for DURATION]    Unlock the door, or for a while\n"
               "  mode [normal|privacy|passage]\n"
               "                             Show or set the mode\n"
               "  lockout status|reset       Show or end the keypad lockout\n"
               "  clock status|reset         Show or reset the clock trust\n"
               "  hw status                  Show the hardware and each line's level\n"
               "  hw test lock|unlock|buzzer|led|keypad\n"
               "                             Check the wiring (admins)\n"
               "\n"
               "Code commands:\n"
               "  code list                  List the codes\n"
               "  code show ID|NAME          Show one code\n"
               "  code add NAME [OPTIONS]    Add a code\n"
               "  code edit ID|NAME OPTIONS  Change a code\n"
               "  code enable ID|NAME        Enable a code\n"
               "  code disable ID|NAME       Disable a code\n"
               "  code remove ID|NAME        Remove a code\n"
               "\n"
               "Emergency code commands:\n"
               "  emergency                  Get an emergency code from the lock\n"
               "  emergency --offline --secret-file FILE [--time TIME] [--slot N]\n"
               "                             Compute an issuer's code, without the lock\n"
               "  emergency issuer list      List the emergency issuers\n"
               "  emergency issuer add NAME [--output FILE]\n"
               "                             Add an issuer, show its secret once\n"
               "  emergency issuer remove ID Remove an issuer\n"
               "\n"
               "Log commands:\n"
               "  log [-n N] [--since TIME] [--follow]\n"
               "                             Show the log\n"
               "  monitor                    Show the lock's events as they happen\n"
               "\n"
               "Backup commands:\n"
               "  backup FILE                Write an encrypted backup of the whole lock\n"
               "  restore [--force] FILE     Bring a backup back (on a new install)\n"
               "\n"
               "Options:\n"
               "  -h --help                  Show this help\n"
               "     --version               Show the version\n"
               "     --json                  Print JSON (read commands)\n"
               "\n"
               "Run 'lockctl COMMAND --help' for a command's options.\n"
               "Exit status: 0 done, 1 refused by doorlockd, 2 usage error,\n"
               "3 doorlockd not reachable.\n");
}

/* Parse a verb with no options of its own (--help and --json only) and
 * between min_args and max_args arguments.  1 to go on, 0 after help. */
static int parse_plain_verb(const char *verb, void (*verb_help)(void), int min_args, int max_args, int argc,
                            char *argv[]) {
        int n, r;

        r = parse_verb_options(verb, verb_help, argc, argv);
        if (r <= 0)
                return r;

        n = argc - optind;
        if (n < min_args)
                return log_usage(verb, "Missing argument.");
        if (n > max_args)
                return log_usage(verb, "Unexpected argument '%s'.", argv[optind + max_args]);
        return 1;
}

/* Connect and read all properties of Lock1 (errors printed). */
static int get_lock_properties(struct bus_dict *ret) {
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        int r;

        r = bus_connect(&bus);
        if (r < 0)
                return r;
        return bus_get_all(bus, DL_LOCK_PATH, DL_LOCK_INTERFACE, ret);
}

/* A verb without arguments that calls a method of Lock1 which takes
 * nothing and returns nothing: lock, lockout reset, clock reset. */
static int run_simple_call(const char *verb, void (*verb_help)(void), const char *member, int argc,
                           char *argv[]) {
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        int r;

        r = parse_plain_verb(verb, verb_help, 0, 0, argc, argv);
        if (r <= 0)
                return r;

        r = bus_connect(&bus);
        if (r < 0)
                return r;
        return bus_call_lock(bus, member, NULL, NULL);
}

static void status_help(void) {
        printf("lockctl status [--json]\n\n"
               "Show the lock's state, door, mode, keypad lockout, codes and clock.\n");
}

static void print_keypad_lockout(uint64_t until) {
        char buf[DL_FORMAT_TIME_MAX];

        print_label(LABEL_WIDTH, "Keypad locked");
        if (until == 0 || until <= (uint64_t)now_usec())
                printf("no\n");
        else
                printf("until %s\n", format_time(until, buf, sizeof(buf)));
}

static int verb_status(int argc, char *argv[]) {
        _cleanup_(bus_dict_done) struct bus_dict p = {};
        const char *hw;
        uint64_t relock;
        int r;

        r = parse_plain_verb("status", status_help, 0, 0, argc, argv);
        if (r <= 0)
                return r;

        r = get_lock_properties(&p);
        if (r < 0)
                return r;

        if (arg_json) {
                struct json j;

                json_begin(&j, stdout);
                json_kv_string(&j, "state", bus_dict_string(&p, "State"));
                json_kv_string(&j, "door", bus_dict_string(&p, "Door"));
                json_kv_string(&j, "mode", bus_dict_string(&p, "Mode"));
                json_kv_unsigned(&j, "auto_relock_seconds", bus_dict_unsigned(&p, "AutoRelockSeconds", 0));
                json_kv_unsigned(&j, "keypad_locked_until", bus_dict_unsigned(&p, "KeypadLockedUntil", 0));
                json_kv_unsigned(&j, "code_count", bus_dict_unsigned(&p, "CodeCount", 0));
                json_kv_unsigned(&j, "max_codes", bus_dict_unsigned(&p, "MaxCodes", 0));
                json_kv_bool(&j, "clock_trusted", bus_dict_bool(&p, "ClockTrusted", false));
                json_kv_bool(&j, "clock_synchronized", bus_dict_bool(&p, "ClockSynchronized", false));
                json_kv_string(&j, "version", bus_dict_string(&p, "Version"));
                json_kv_string(&j, "hardware", bus_dict_string(&p, "Hardware"));
                json_kv_bool(&j, "tamper", bus_dict_bool(&p, "Tamper", false));
                json_end(&j);
                fputc('\n', stdout);
                return 0;
        }

        print_field(LABEL_WIDTH, "State", bus_dict_string(&p, "State"));
        print_field(LABEL_WIDTH, "Door", bus_dict_string(&p, "Door"));
        print_field(LABEL_WIDTH, "Mode", bus_dict_string(&p, "Mode"));
        relock = bus_dict_unsigned(&p, "AutoRelockSeconds", 0);
        print_label(LABEL_WIDTH, "Auto-relock");
        if (relock == 0)
                printf("off\n");
        else
                printf("after %" PRIu64 "s\n", relock);
        print_keypad_lockout(bus_dict_unsigned(&p, "KeypadLockedUntil", 0));
        print_label(LABEL_WIDTH, "Codes");
        printf("%" PRIu64 " of %" PRIu64 "\n", bus_dict_unsigned(&p, "CodeCount", 0),
               bus_dict_unsigned(&p, "MaxCodes", 0));
        print_field(LABEL_WIDTH, "Clock trusted", yes_no(bus_dict_bool(&p, "ClockTrusted", false)));
        print_field(LABEL_WIDTH, "Clock synchronized",
                    yes_no(bus_dict_bool(&p, "ClockSynchronized", false)));
        print_field(LABEL_WIDTH, "Version", bus_dict_string(&p, "Version"));
        hw = bus_dict_string(&p, "Hardware");
        print_field(LABEL_WIDTH, "Hardware", hw && strcmp(hw, "none") == 0 ? "none configured" : hw);
        if (bus_dict_bool(&p, "Tamper", false))
                print_field(LABEL_WIDTH, "Tamper", "open (alarm)");
        if (hw && strcmp(hw, "none") == 0)
                printf("\nNo hardware is configured: the door cannot be locked or unlocked.\n"
                       "Set the lines in " DL_CONFIG_FILE " (see\n"
                       "/usr/share/doc/doorlockd/wiring.md), restart doorlockd and check\n"
                       "with 'lockctl hw status'.\n");
        return 0;
}

static void lock_help(void) {
        printf("lockctl lock\n\nLock the door.\n");
}

static int verb_lock(int argc, char *argv[]) {
        return run_simple_call("lock", lock_help, "Lock", argc, argv);
}

static void unlock_help(void) {
        printf("lockctl unlock [--for DURATION]\n"
               "\n"
               "Unlock the door.  With --for, the lock locks again after DURATION:\n"
               "seconds (\"90\") or number+unit groups with s, m, h, d, w (\"1h30m\").\n"
               "\n"
               "Options:\n"
               "  -h --help          Show this help\n"
               "     --for DURATION  Unlock for this long\n");
}

static int verb_unlock(int argc, char *argv[]) {
        enum {
                ARG_FOR = 0x100,
                ARG_JSON,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, ARG_JSON },
                { "for", required_argument, NULL, ARG_FOR },
                {},
        };
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        const char *duration = NULL;
        int64_t usec = 0;
        uint64_t seconds;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        unlock_help();
                        return 0;
                case ARG_JSON:
                        arg_json = true;
                        break;
                case ARG_FOR:
                        duration = optarg;
                        break;
                default:
                        return log_option_error("unlock", c, argv);
                }
        if (optind < argc)
                return log_usage("unlock", "Unexpected argument '%s'.", argv[optind]);

        if (!duration) {
                r = bus_connect(&bus);
                if (r < 0)
                        return r;
                return bus_call_lock(bus, "Unlock", NULL, NULL);
        }

        if (dl_parse_duration(duration, &usec) < 0 || usec <= 0)
                return log_usage("unlock", "Invalid duration '%s'.", duration);
        /* UnlockFor takes whole seconds: round up, never unlock for less
         * than was asked. */
        seconds = ((uint64_t)usec + (uint64_t)USEC_PER_SEC - 1) / (uint64_t)USEC_PER_SEC;
        if (seconds > UINT32_MAX)
                return log_usage("unlock", "Duration '%s' is too long.", duration);

        r = bus_connect(&bus);
        if (r < 0)
                return r;
        return bus_call_lock(bus, "UnlockFor", NULL, "u", (uint32_t)seconds);
}

static void mode_help(void) {
        printf("lockctl mode [normal|privacy|passage]\n"
               "\n"
               "Show the mode, or set it to normal, privacy or passage.  In passage\n"
               "mode the door stays unlocked and does not lock again by itself.\n");
}

static int verb_mode(int argc, char *argv[]) {
        static const char *const modes[] = { "normal", "privacy", "passage" };
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        _cleanup_(bus_dict_done) struct bus_dict p = {};
        const char *mode;
        int r;

        r = parse_plain_verb("mode", mode_help, 0, 1, argc, argv);
        if (r <= 0)
                return r;

        if (optind < argc) {
                mode = argv[optind];
                for (size_t i = 0; i < ELEMENTSOF(modes); i++)
                        if (strcmp(mode, modes[i]) == 0) {
                                r = bus_connect(&bus);
                                if (r < 0)
                                        return r;
                                return bus_call_lock(bus, "SetMode", NULL, "s", mode);
                        }
                return log_usage("mode", "Unknown mode '%s' (normal, privacy or passage).", mode);
        }

        r = get_lock_properties(&p);
        if (r < 0)
                return r;

        mode = bus_dict_string(&p, "Mode");
        if (arg_json) {
                struct json j;

                json_begin(&j, stdout);
                json_kv_string(&j, "mode", mode);
                json_end(&j);
        } else
                print_text(stdout, mode ? mode : "", false);
        fputc('\n', stdout);
        return 0;
}

static void lockout_help(void) {
        printf("lockctl lockout [status|reset]\n"
               "\n"
               "After too many wrong codes the keypad refuses every code for a while.\n"
               "  status  Show until when (the default)\n"
               "  reset   End the lockout now\n");
}

static int verb_lockout_status(int argc, char *argv[]) {
        _cleanup_(bus_dict_done) struct bus_dict p = {};
        uint64_t until;
        int r;

        r = parse_plain_verb("lockout status", lockout_help, 0, 0, argc, argv);
        if (r <= 0)
                return r;

        r = get_lock_properties(&p);
        if (r < 0)
                return r;

        until = bus_dict_unsigned(&p, "KeypadLockedUntil", 0);
        if (arg_json) {
                struct json j;

                json_begin(&j, stdout);
                json_kv_unsigned(&j, "keypad_locked_until", until);
                json_kv_bool(&j, "locked_out", until > (uint64_t)now_usec());
                json_end(&j);
                fputc('\n', stdout);
        } else
                print_keypad_lockout(until);
        return 0;
}

static int verb_lockout_reset(int argc, char *argv[]) {
        return run_simple_call("lockout reset", lockout_help, "ResetLockout", argc, argv);
}

static int verb_lockout(int argc, char *argv[]) {
        static const struct verb verbs[] = {
                { "status", verb_lockout_status },
                { "reset", verb_lockout_reset },
        };

        return dispatch_group("lockout", lockout_help, verbs, ELEMENTSOF(verbs), "status", argc, argv);
}

static void clock_help(void) {
        printf("lockctl clock [status|reset]\n"
               "\n"
               "The lock stops trusting its clock when it sees the time go back.\n"
               "  status  Show whether the clock is trusted and synchronized (the default)\n"
               "  reset   Trust the clock as it is now\n");
}

static int verb_clock_status(int argc, char *argv[]) {
        _cleanup_(bus_dict_done) struct bus_dict p = {};
        int r;

        r = parse_plain_verb("clock status", clock_help, 0, 0, argc, argv);
        if (r <= 0)
                return r;

        r = get_lock_properties(&p);
        if (r < 0)
                return r;

        if (arg_json) {
                struct json j;

                json_begin(&j, stdout);
                json_kv_bool(&j, "clock_trusted", bus_dict_bool(&p, "ClockTrusted", false));
                json_kv_bool(&j, "clock_synchronized", bus_dict_bool(&p, "ClockSynchronized", false));
                json_end(&j);
                fputc('\n', stdout);
        } else {
                print_field(LABEL_WIDTH, "Clock trusted", yes_no(bus_dict_bool(&p, "ClockTrusted", false)));
                print_field(LABEL_WIDTH, "Clock synchronized",
                            yes_no(bus_dict_bool(&p, "ClockSynchronized", false)));
        }
        return 0;
}

static int verb_clock_reset(int argc, char *argv[]) {
        return run_simple_call("clock reset", clock_help, "ResetClock", argc, argv);
}

static int verb_clock(int argc, char *argv[]) {
        static const struct verb verbs[] = {
                { "status", verb_clock_status },
                { "reset", verb_clock_reset },
        };

        return dispatch_group("clock", clock_help, verbs, ELEMENTSOF(verbs), "status", argc, argv);
}

static int parse_argv(int *argc, char ***argv) {
        enum {
                ARG_VERSION = 0x100,
                ARG_JSON,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "json", no_argument, NULL, ARG_JSON },
                {},
        };
        int c;

        opterr = 0;
        optind = 0;
        /* "+": stop at the verb; the verb parses the rest. */
        while ((c = getopt_long(*argc, *argv, "+:h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("lockctl %s\n", PACKAGE_VERSION);
                        return 0;
                case ARG_JSON:
                        arg_json = true;
                        break;
                default:
                        return log_option_error(NULL, c, *argv);
                }

        *argc -= optind;
        *argv += optind;
        return 1;
}

static int run(int argc, char *argv[]) {
        static const struct verb verbs[] = {
                { "status", verb_status },   { "lock", verb_lock },
                { "unlock", verb_unlock },   { "mode", verb_mode },
                { "lockout", verb_lockout }, { "clock", verb_clock },
                { "code", verb_code },       { "emergency", verb_emergency },
                { "log", verb_log },         { "monitor", verb_monitor },
                { "hw", verb_hw },           { "backup", verb_backup },
                { "restore", verb_restore },
        };
        int r;

        r = parse_argv(&argc, &argv);
        if (r <= 0)
                return r;
        return dispatch_verb(NULL, verbs, ELEMENTSOF(verbs), "status", argc, argv);
}

int main(int argc, char *argv[]) {
        int r;

        r = run(argc, argv);
        if (fflush(stdout) != 0 && r >= 0)
                r = log_error(-EIO, "Cannot write the output.");

        if (r >= 0)
                return EXIT_SUCCESS;
        if (r == -EINVAL)
                return LOCKCTL_EXIT_USAGE;
        if (r == -EHOSTDOWN)
                return LOCKCTL_EXIT_UNREACHABLE;
        return LOCKCTL_EXIT_REFUSED;
}
