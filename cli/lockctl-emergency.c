/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lockctl emergency ...: get an emergency code from the lock, manage the
 * issuers that may compute codes, and compute a code offline from an
 * issuer's secret URI exactly as a phone would (docs/emergency-codes.md).
 *
 * An issuer's secret (its URI, the decoded key) is kept in one fixed buffer
 * that is wiped after use; the reply that carries it is marked sensitive
 * (sd-bus erases it when freed); it reaches stdout or a file through
 * write(2), never through a stdio buffer. */
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emergency-code.h"
#include "lockctl.h"
#include "parse-time.h"

#define LABEL_WIDTH 11

static inline void scols_unref_tablep(struct libscols_table **t) {
        scols_unref_table(*t);
}

/* A secret URI (one line, and room to see that a file holds more) and the
 * key decoded from it. */
struct ec_secret {
        char uri[DL_EC_URI_MAX + 2];
        uint8_t key[DL_EC_SECRET_SIZE];
        char name[DL_EC_URI_MAX];
};

static void ec_secret_wipe(struct ec_secret *s) {
        explicit_bzero(s, sizeof(*s));
}

/* A decimal number 0..max, digits only. */
static int parse_decimal(const char *s, uint64_t max, uint64_t *ret) {
        uint64_t v = 0;

        if (!s[0] || strspn(s, "0123456789") != strlen(s))
                return -EINVAL;
        for (const char *p = s; *p; p++) {
                v = v * 10 + (uint64_t)(*p - '0');
                if (v > max)
                        return -ERANGE;
        }
        *ret = v;
        return 0;
}

static bool is_code(const char *s) {
        return strlen(s) == DL_EC_DIGITS && strspn(s, "0123456789") == DL_EC_DIGITS;
}

/* What dl_ec_uri_format() writes is printable ASCII without quotes or
 * backslashes: safe on a terminal and inside a JSON string as it is. */
static bool uri_is_plain(const char *s) {
        for (; *s; s++)
                if (*s < '!' || *s > '~' || *s == '"' || *s == '\\')
                        return false;
        return true;
}

static int write_all(int fd, const char *s, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, s, n);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                s += k;
                n -= (size_t)k;
        }
        return 0;
}

/* A secret to stdout, around the stdio buffer. */
static int print_secret(const char *s) {
        if (fflush(stdout) != 0)
                return -EIO;
        return write_all(STDOUT_FILENO, s, strlen(s));
}

static void print_code_hint(void) {
        printf("Enter the %d digits on the keypad, then #.  The code opens the door once.\n", DL_EC_DIGITS);
}

/* ---- lockctl emergency --------------------------------------------------- */

static void emergency_help(void) {
        printf("lockctl emergency [--json]\n"
               "lockctl emergency --offline --secret-file FILE [--time TIME] [--slot N] [--json]\n"
               "lockctl emergency issuer add NAME [--output FILE]\n"
               "lockctl emergency issuer list\n"
               "lockctl emergency issuer remove ID\n"
               "\n"
               "Emergency codes open the door when nothing else can: %d digits entered\n"
               "on the keypad, then #.  Each opens the door once, from the start of its\n"
               "4-hour window to the end of the next one.  Each issuer has %d codes per\n"
               "window, and the lock accepts at most 16 of an issuer in any 4 hours; the\n"
               "lock itself is issuer 0.\n"
               "\n"
               "Without a command, ask the lock for a code and show it, its expiry and how\n"
               "many more it can give now (16 in any 4 hours, counting unused codes).\n"
               "\n"
               "With --offline, compute a code without the lock, as a phone does, from\n"
               "an issuer's secret URI (as written by 'issuer add --output FILE').\n"
               "Each window and slot gives one code, which opens the door once: take\n"
               "the next slot for the next code.\n"
               "\n"
               "Commands:\n"
               "  issuer add NAME      Add an issuer, a person or device that may compute\n"
               "                       codes, and show its secret (only this once)\n"
               "  issuer list          List the issuers\n"
               "  issuer remove ID     Remove an issuer: its codes stop working\n"
               "\n"
               "Options:\n"
               "  -h --help            Show this help\n"
               "     --json            Print JSON\n"
               "     --offline         Compute the code here, with no daemon\n"
               "     --secret-file FILE\n"
               "                       The issuer's secret URI (--offline)\n"
               "     --time TIME       The code for the window at TIME (--offline; default\n"
               "                       now; see 'lockctl code add --help' for TIME)\n"
               "     --slot N          Slot 0..%d (--offline; default 0)\n",
               DL_EC_DIGITS, DL_EC_SLOTS, DL_EC_SLOTS - 1);
}

static int emergency_generate(void) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        char buf[DL_FORMAT_TIME_MAX];
        const char *code = NULL;
        uint64_t until = 0;
        uint32_t left = 0;
        bool have_left;
        int r;

        r = bus_connect(&bus);
        if (r < 0)
                return r;
        r = bus_call_lock(bus, "GenerateEmergencyCode", &reply, NULL);
        if (r < 0)
                return r;
        (void)sd_bus_message_sensitive(reply);
        r = sd_bus_message_read(reply, "st", &code, &until);
        if (r < 0)
                return bus_log_parse_error(r);
        if (!is_code(code))
                return log_error(-EBADMSG, "doorlockd sent a code that is not %d digits.", DL_EC_DIGITS);

        /* The code is taken from this window's quota now: show it even
         * when the count cannot be read. */
        r = sd_bus_get_property_trivial(bus, DL_BUS_NAME, DL_LOCK_PATH, DL_LOCK_INTERFACE,
                                        "EmergencyCodesLeft", &error, 'u', &left);
        have_left = r >= 0;
        if (!have_left)
                (void)log_error(0, "Cannot read how many codes are left: %s",
                                sd_bus_error_is_set(&error) && error.message ? error.message : strerror(-r));

        if (arg_json) {
                struct json j;

                json_begin(&j, stdout);
                json_kv_string(&j, "code", code);
                json_kv_unsigned(&j, "valid_until", until);
                if (have_left)
                        json_kv_unsigned(&j, "left", left);
                json_end(&j);
                fputc('\n', stdout);
                return 0;
        }

        printf("%s\n", code);
        print_code_hint();
        print_field(LABEL_WIDTH, "Valid until", format_time(until, buf, sizeof(buf)));
        if (have_left) {
                print_label(LABEL_WIDTH, "Codes left");
                printf("%" PRIu32, left);
                /* Over any 4 hours, not per window: the lock accepts
                 * two or three windows at once. */
                printf(" of %d in any 4 hours (used and unused codes count)\n", DL_EC_QUOTA);
        }
        return 0;
}

/* Read one secret URI from path: -EIO and friends (printed) when the file
 * cannot be read or holds no valid URI. */
static int read_secret_file(const char *path, struct ec_secret *s, uint32_t *ret_issuer) {
        _cleanup_close_ int fd = -1;
        struct stat st;
        size_t n = 0;
        int r;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                r = -errno;
                return log_error(local_errno(r), "Cannot open %s: %s", path, strerror(-r));
        }
        if (fstat(fd, &st) < 0) {
                r = -errno;
                return log_error(local_errno(r), "Cannot stat %s: %s", path, strerror(-r));
        }
        if (S_ISDIR(st.st_mode))
                return log_error(-EISDIR, "%s is a directory.", path);
        if (S_ISREG(st.st_mode) && (st.st_mode & 077))
                (void)log_error(0, "Warning: %s is open to other users (mode %04o); make it 0600.", path,
                                (unsigned)(st.st_mode & 07777));

        for (;;) {
                ssize_t k;

                if (n >= sizeof(s->uri) - 1)
                        return log_error(-EBADMSG, "%s is too long for a secret URI.", path);
                k = read(fd, s->uri + n, sizeof(s->uri) - 1 - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        return log_error(local_errno(r), "Cannot read %s: %s", path, strerror(-r));
                }
                if (k == 0)
                        break;
                n += (size_t)k;
        }
        s->uri[n] = '\0';
        if (strlen(s->uri) != n)
                return log_error(-EBADMSG, "%s does not hold a secret URI (it has a NUL byte).", path);

        /* One line: a trailing newline (or CRLF) is fine. */
        if (n > 0 && s->uri[n - 1] == '\n')
                s->uri[--n] = '\0';
        if (n > 0 && s->uri[n - 1] == '\r')
                s->uri[--n] = '\0';

        if (dl_ec_uri_parse(s->uri, ret_issuer, s->key, s->name, sizeof(s->name)) < 0)
                return log_error(-EBADMSG,
                                 "%s does not hold a valid emergency secret URI "
                                 "(otpauth://doorlockd-emergency/...).",
                                 path);
        return 0;
}

static int emergency_offline(const char *path, int64_t when, unsigned slot) {
        _cleanup_(ec_secret_wipe) struct ec_secret s = {};
        char code[DL_EC_DIGITS + 1] = {};
        uint32_t issuer = 0;
        int64_t window, until;
        int r;

        r = read_secret_file(path, &s, &issuer);
        if (r < 0)
                return r;

        window = dl_ec_window(when);
        until = dl_ec_valid_until(window);
        r = dl_ec_code(s.key, issuer, window, slot, code);
        explicit_bzero(s.key, sizeof(s.key));
        if (r < 0)
                return log_error(local_errno(r), "Cannot compute the code: %s", strerror(-r));

        if (arg_json) {
                struct json j;

                json_begin(&j, stdout);
                json_kv_string(&j, "code", code);
                json_kv_unsigned(&j, "issuer_id", issuer);
                json_kv_string(&j, "issuer_name", s.name);
                json_kv_unsigned(&j, "window", (uint64_t)window);
                json_kv_unsigned(&j, "slot", slot);
                json_kv_unsigned(&j, "valid_until", (uint64_t)until);
                json_end(&j);
                fputc('\n', stdout);
        } else {
                char buf[DL_FORMAT_TIME_MAX];

                printf("%s\n", code);
                print_code_hint();
                print_label(LABEL_WIDTH, "Issuer");
                printf("%" PRIu32 " ", issuer);
                print_quoted(stdout, s.name);
                fputc('\n', stdout);
                print_label(LABEL_WIDTH, "Window");
                printf("%" PRId64 ", from %s\n", window,
                       dl_format_time(dl_ec_window_start(window), buf, sizeof(buf)));
                print_label(LABEL_WIDTH, "Slot");
                printf("%u\n", slot);
                print_label(LABEL_WIDTH, "Valid until");
                printf("%s%s\n", dl_format_time(until, buf, sizeof(buf)),
                       until <= now_usec() ? " (already past)" : "");
        }
        explicit_bzero(code, sizeof(code));
        return 0;
}

static int verb_emergency_issuer(int argc, char *argv[]);

int verb_emergency(int argc, char *argv[]) {
        enum {
                ARG_JSON = 0x100,
                ARG_OFFLINE,
                ARG_SECRET_FILE,
                ARG_TIME,
                ARG_SLOT,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, ARG_JSON },
                { "offline", no_argument, NULL, ARG_OFFLINE },
                { "secret-file", required_argument, NULL, ARG_SECRET_FILE },
                { "time", required_argument, NULL, ARG_TIME },
                { "slot", required_argument, NULL, ARG_SLOT },
                {},
        };
        static const char verb[] = "emergency";
        const char *secret_file = NULL, *time_arg = NULL, *slot_arg = NULL;
        bool offline = false;
        int64_t when;
        uint64_t slot = 0;
        int c;

        opterr = 0;
        optind = 0;
        /* "+": stop at "issuer", which parses its own options. */
        while ((c = getopt_long(argc, argv, "+:h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        emergency_help();
                        return 0;
                case ARG_JSON:
                        arg_json = true;
                        break;
                case ARG_OFFLINE:
                        offline = true;
                        break;
                case ARG_SECRET_FILE:
                        secret_file = optarg;
                        break;
                case ARG_TIME:
                        time_arg = optarg;
                        break;
                case ARG_SLOT:
                        slot_arg = optarg;
                        break;
                default:
                        return log_option_error(verb, c, argv);
                }

        if (optind < argc) {
                if (strcmp(argv[optind], "issuer") != 0)
                        return log_usage(verb, "Unknown command 'emergency %s'.", argv[optind]);
                if (offline || secret_file || time_arg || slot_arg)
                        return log_usage(verb, "--offline, --secret-file, --time and --slot do not go with "
                                               "'issuer'.");
                return verb_emergency_issuer(argc - optind, argv + optind);
        }

        if (!offline) {
                if (secret_file || time_arg || slot_arg)
                        return log_usage(verb, "--secret-file, --time and --slot need --offline.");
                return emergency_generate();
        }

        if (!secret_file)
                return log_usage(verb, "--offline needs --secret-file FILE.");
        if (!secret_file[0])
                return log_usage(verb, "The secret file name must not be empty.");
        if (slot_arg && parse_decimal(slot_arg, DL_EC_SLOTS - 1, &slot) < 0)
                return log_usage(verb, "Invalid slot '%s' (0 to %d).", slot_arg, DL_EC_SLOTS - 1);
        when = now_usec();
        if (time_arg) {
                if (dl_parse_time(time_arg, when, &when) < 0)
                        return log_usage(verb, "Invalid time '%s' for --time.", time_arg);
                if (when < 0)
                        return log_usage(verb, "Time '%s' for --time is before 1970.", time_arg);
        }
        return emergency_offline(secret_file, when, (unsigned)slot);
}

/* ---- lockctl emergency issuer add ---------------------------------------- */

static void issuer_add_help(void) {
        printf("lockctl emergency issuer add NAME [--output FILE] [--json]\n"
               "\n"
               "Add an emergency issuer: a person or device that may compute emergency\n"
               "codes offline.  The lock makes up its secret and lockctl shows it as a\n"
               "URI (otpauth://doorlockd-emergency/...) that a phone can take as a QR\n"
               "code.  It is shown only this once.  Whoever has it can compute codes that\n"
               "open the door, until the issuer is removed.\n"
               "\n"
               "Options:\n"
               "  -h --help            Show this help\n"
               "     --output FILE     Write the secret URI to FILE instead (a new file,\n"
               "                       mode 0600; an existing one is not overwritten)\n"
               "     --json            Print the result as JSON\n");
}

/* The file of --output: removed again unless keep is set. */
struct output_file {
        const char *path;
        int fd;
        bool keep;
};

static void output_file_done(struct output_file *o) {
        if (o->fd >= 0)
                (void)close(o->fd);
        o->fd = -1;
        if (o->path && !o->keep)
                (void)unlink(o->path);
}

static int output_file_create(const char *path, struct output_file *o) {
        o->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
        if (o->fd < 0) {
                int r = -errno;

                if (r == -EEXIST)
                        return log_error(r, "%s exists already: lockctl does not overwrite it.", path);
                return log_error(local_errno(r), "Cannot create %s: %s", path, strerror(-r));
        }
        o->path = path;
        return 0;
}

/* After the issuer exists, losing its secret leaves an issuer nobody can
 * use: say how to remove it. */
static int issuer_lost(int r, uint32_t id) {
        return log_error(r,
                         "Emergency issuer %" PRIu32 " was added, but its secret is lost: remove it with "
                         "'lockctl emergency issuer remove %" PRIu32 "'.",
                         id, id);
}

static int output_file_write(struct output_file *o, const char *uri, uint32_t id) {
        int r;

        r = write_all(o->fd, uri, strlen(uri));
        if (r >= 0)
                r = write_all(o->fd, "\n", 1);
        if (r >= 0 && fsync(o->fd) < 0)
                r = -errno;
        if (r >= 0) {
                r = close(o->fd) < 0 ? -errno : 0;
                o->fd = -1;
        }
        if (r < 0) {
                (void)log_error(local_errno(r), "Cannot write %s: %s", o->path, strerror(-r));
                return issuer_lost(local_errno(r), id);
        }
        o->keep = true;
        return 0;
}

static int verb_issuer_add(int argc, char *argv[]) {
        enum {
                ARG_JSON = 0x100,
                ARG_OUTPUT,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, ARG_JSON },
                { "output", required_argument, NULL, ARG_OUTPUT },
                {},
        };
        static const char verb[] = "emergency issuer add";
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(output_file_done) struct output_file out = { .fd = -1 };
        _cleanup_(ec_secret_wipe) struct ec_secret s = {};
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        const char *output = NULL, *name, *uri = NULL;
        uint32_t id = 0, parsed_id = 0;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        issuer_add_help();
                        return 0;
                case ARG_JSON:
                        arg_json = true;
                        break;
                case ARG_OUTPUT:
                        output = optarg;
                        break;
                default:
                        return log_option_error(verb, c, argv);
                }
        if (argc - optind < 1)
                return log_usage(verb, "Missing issuer name.");
        if (argc - optind > 1)
                return log_usage(verb, "Unexpected argument '%s'.", argv[optind + 1]);
        name = argv[optind];
        if (output && !output[0])
                return log_usage(verb, "The output file name must not be empty.");

        /* The file first: a secret with nowhere to go is never made. */
        if (output) {
                r = output_file_create(output, &out);
                if (r < 0)
                        return r;
        }

        r = bus_connect(&bus);
        if (r < 0)
                return r;
        r = bus_call_lock(bus, "AddEmergencyIssuer", &reply, "s", name);
        if (r < 0)
                return r;
        (void)sd_bus_message_sensitive(reply);
        r = sd_bus_message_read(reply, "us", &id, &uri);
        if (r < 0)
                return bus_log_parse_error(r);

        if (strlen(uri) >= sizeof(s.uri) || !uri_is_plain(uri)) {
                (void)log_error(-EBADMSG, "doorlockd sent a secret URI that lockctl cannot read.");
                return issuer_lost(-EBADMSG, id);
        }
        memcpy(s.uri, uri, strlen(uri) + 1);
        /* What a phone (or --offline) will parse must parse. */
        r = dl_ec_uri_parse(s.uri, &parsed_id, s.key, NULL, 0);
        explicit_bzero(s.key, sizeof(s.key));
        if (r < 0 || parsed_id != id) {
                (void)log_error(-EBADMSG, "doorlockd sent a secret URI that lockctl cannot read.");
                return issuer_lost(-EBADMSG, id);
        }
        /* Our copy is enough: let sd-bus erase the reply now. */
        reply = sd_bus_message_unref(reply);

        if (output) {
                r = output_file_write(&out, s.uri, id);
                if (r < 0)
                        return r;
        }

        if (arg_json) {
                struct json j;

                json_begin(&j, stdout);
                json_kv_unsigned(&j, "id", id);
                json_kv_string(&j, "name", name);
                if (output)
                        json_kv_string(&j, "file", output);
                else {
                        json_key(&j, "secret_uri");
                        fputc('"', stdout);
                        r = print_secret(s.uri);
                        if (r < 0)
                                return issuer_lost(log_error(-EIO, "Cannot write the output."), id);
                        fputc('"', stdout);
                }
                json_end(&j);
                fputc('\n', stdout);
                return 0;
        }

        printf("Added emergency issuer %" PRIu32 " ", id);
        print_quoted(stdout, name);
        printf(".\n");
        if (output) {
                printf("Its secret URI is in %s (mode 0600).  It will not be shown again.\n", output);
                return 0;
        }
        printf("Secret URI: ");
        r = print_secret(s.uri);
        if (r < 0)
                return issuer_lost(log_error(-EIO, "Cannot write the output."), id);
        printf("\nThis secret will not be shown again.  Whoever has it can compute codes that\n"
               "open the door: hand it over (e.g. as a QR code) and keep no other copy.\n");
        return 0;
}

/* ---- lockctl emergency issuer list --------------------------------------- */

static void issuer_list_help(void) {
        printf("lockctl emergency issuer list [--json]\n"
               "\n"
               "List the emergency issuers: id, name and when it was added.  Issuer 0 is\n"
               "the lock itself (the codes of 'lockctl emergency').\n");
}

struct issuer {
        uint32_t id;
        char *name;
        uint64_t created;
};

static void issuers_free(struct issuer *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i].name);
        free(v);
}

static int issuer_compare(const void *a, const void *b) {
        const struct issuer *x = a, *y = b;

        return x->id < y->id ? -1 : x->id > y->id;
}

static int read_issuers(sd_bus_message *reply, struct issuer **ret, size_t *ret_n) {
        struct issuer *v = NULL;
        size_t n = 0;
        const char *name;
        uint32_t id;
        uint64_t created;
        int r;

        r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "(ust)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(ust)", &id, &name, &created)) > 0) {
                struct issuer *nv = reallocarray(v, n + 1, sizeof(*v));

                if (!nv) {
                        r = -ENOMEM;
                        break;
                }
                v = nv;
                v[n] = (struct issuer){ .id = id, .name = strdup(name), .created = created };
                if (!v[n].name) {
                        r = -ENOMEM;
                        break;
                }
                n++;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        if (r < 0) {
                issuers_free(v, n);
                return r;
        }
        if (n > 0)
                qsort(v, n, sizeof(*v), issuer_compare);
        *ret = v;
        *ret_n = n;
        return 0;
}

static int issuer_table(const struct issuer *v, size_t n) {
        _cleanup_(scols_unref_tablep) struct libscols_table *t = NULL;

        t = scols_new_table();
        if (!t || !scols_table_new_column(t, "ID", 0, SCOLS_FL_RIGHT) ||
            !scols_table_new_column(t, "NAME", 0, 0) || !scols_table_new_column(t, "CREATED", 0, 0))
                return log_error(-ENOMEM, "Out of memory.");

        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *name = text_escape(v[i].name, false);
                char id[16], created[DL_FORMAT_TIME_MAX];
                struct libscols_line *l = scols_table_new_line(t, NULL);

                snprintf(id, sizeof(id), "%" PRIu32, v[i].id);
                if (!name || !l || scols_line_set_data(l, 0, id) < 0 ||
                    scols_line_set_data(l, 1, name) < 0 ||
                    scols_line_set_data(l, 2, format_time(v[i].created, created, sizeof(created))) < 0)
                        return log_error(-ENOMEM, "Out of memory.");
        }

        if (scols_print_table(t) < 0)
                return log_error(-EIO, "Cannot print the table.");
        return 0;
}

static int verb_issuer_list(int argc, char *argv[]) {
        static const char verb[] = "emergency issuer list";
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        struct issuer *v = NULL;
        size_t n = 0;
        int r;

        r = parse_verb_options(verb, issuer_list_help, argc, argv);
        if (r <= 0)
                return r;
        if (optind < argc)
                return log_usage(verb, "Unexpected argument '%s'.", argv[optind]);

        r = bus_connect(&bus);
        if (r < 0)
                return r;
        r = bus_call_lock(bus, "ListEmergencyIssuers", &reply, NULL);
        if (r < 0)
                return r;
        r = read_issuers(reply, &v, &n);
        if (r < 0)
                return bus_log_parse_error(r);

        if (arg_json) {
                fputs("{\"issuers\":[", stdout);
                for (size_t i = 0; i < n; i++) {
                        struct json j;

                        if (i > 0)
                                fputc(',', stdout);
                        json_begin(&j, stdout);
                        json_kv_unsigned(&j, "id", v[i].id);
                        json_kv_string(&j, "name", v[i].name);
                        json_kv_unsigned(&j, "created", v[i].created);
                        json_end(&j);
                }
                fputs("]}\n", stdout);
        } else if (n == 0)
                printf("No emergency issuers.\n");
        else
                r = issuer_table(v, n);

        issuers_free(v, n);
        return r;
}

/* ---- lockctl emergency issuer remove ------------------------------------- */

static void issuer_remove_help(void) {
        printf("lockctl emergency issuer remove ID\n"
               "\n"
               "Remove an emergency issuer: its secret is deleted and every code it could\n"
               "compute stops working.  Its id is never used again.  Issuer 0, the lock\n"
               "itself, cannot be removed.\n");
}

static int verb_issuer_remove(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                {},
        };
        static const char verb[] = "emergency issuer remove";
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        uint64_t id = 0;
        int c, r;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        issuer_remove_help();
                        return 0;
                default:
                        return log_option_error(verb, c, argv);
                }
        if (argc - optind < 1)
                return log_usage(verb, "Missing issuer id.");
        if (argc - optind > 1)
                return log_usage(verb, "Unexpected argument '%s'.", argv[optind + 1]);
        if (parse_decimal(argv[optind], UINT32_MAX, &id) < 0)
                return log_usage(verb,
                                 "Invalid issuer id '%s' (a number, see 'lockctl emergency issuer list').",
                                 argv[optind]);

        r = bus_connect(&bus);
        if (r < 0)
                return r;
        return bus_call_lock(bus, "RemoveEmergencyIssuer", NULL, "u", (uint32_t)id);
}

/* ---- lockctl emergency issuer -------------------------------------------- */

static void issuer_help(void) {
        printf("lockctl emergency issuer COMMAND ...\n"
               "\n"
               "Issuers are the people and devices that may compute emergency codes\n"
               "offline, each with its own secret.  Issuer 0 is the lock itself.\n"
               "\n"
               "Commands:\n"
               "  list                 List the issuers (the default)\n"
               "  add NAME [--output FILE]\n"
               "                       Add an issuer and show its secret, only this once\n"
               "  remove ID            Remove an issuer: its codes stop working\n"
               "\n"
               "Run 'lockctl emergency issuer COMMAND --help' for a command's options.\n");
}

static int verb_emergency_issuer(int argc, char *argv[]) {
        static const struct verb verbs[] = {
                { "list", verb_issuer_list },
                { "add", verb_issuer_add },
                { "remove", verb_issuer_remove },
        };

        return dispatch_group("emergency issuer", issuer_help, verbs, ELEMENTSOF(verbs), "list", argc, argv);
}
