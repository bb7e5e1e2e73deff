/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lockctl's output: error messages, option parsing shared by the verbs, verb
 * dispatch, text for people (local times, schedules, escaped strings) and
 * JSON. */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lockctl.h"
#include "parse-time.h"
#include "utf8.h"

int log_error(int r, const char *fmt, ...) {
        va_list ap;

        fputs("lockctl: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return r;
}

int log_usage(const char *verb, const char *fmt, ...) {
        va_list ap;

        fputs("lockctl: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        fprintf(stderr, "Try 'lockctl%s%s --help' for more information.\n", verb ? " " : "",
                verb ? verb : "");
        return -EINVAL;
}

int log_option_error(const char *verb, int c, char *argv[]) {
        const char *arg = optind > 0 ? argv[optind - 1] : "?";

        if (c == ':')
                return log_usage(verb, "Option '%s' needs a value.", arg);
        /* An unknown short option is in optopt (it may sit inside "-xyz");
         * for a long one glibc leaves optopt 0 or sets it to the option's
         * value, and the word itself is argv[optind - 1]. */
        if (optopt > ' ' && optopt < 0x7f && strncmp(arg, "--", 2) != 0)
                return log_usage(verb, "Unknown option '-%c'.", optopt);
        return log_usage(verb, "Unknown option '%s'.", arg);
}

int dispatch_verb(const char *group, const struct verb *verbs, size_t n_verbs, const char *fallback,
                  int argc, char *argv[]) {
        static char *fallback_argv[2];
        const char *name;

        if (argc < 1) {
                fallback_argv[0] = (char *)fallback;
                fallback_argv[1] = NULL;
                argc = 1;
                argv = fallback_argv;
        }
        name = argv[0];

        for (size_t i = 0; i < n_verbs; i++)
                if (strcmp(verbs[i].name, name) == 0)
                        return verbs[i].func(argc, argv);

        if (group)
                return log_usage(group, "Unknown command '%s %s'.", group, name);
        return log_usage(NULL, "Unknown command '%s'.", name);
}

/* --help and --json, the options of every group and of the verbs without
 * options of their own. */
static int parse_help_json(const char *verb, void (*help)(void), const char *shortopts, int argc,
                           char *argv[]) {
        enum {
                ARG_JSON = 0x100,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "json", no_argument, NULL, ARG_JSON },
                {},
        };
        int c;

        opterr = 0;
        optind = 0;
        while ((c = getopt_long(argc, argv, shortopts, options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_JSON:
                        arg_json = true;
                        break;
                default:
                        return log_option_error(verb, c, argv);
                }
        return 1;
}

int parse_verb_options(const char *verb, void (*help)(void), int argc, char *argv[]) {
        return parse_help_json(verb, help, ":h", argc, argv);
}

int check_args(const char *verb, int argc, char *argv[], int n, const char *what) {
        if (argc - optind < n)
                return log_usage(verb, "Missing %s.", what);
        if (argc - optind > n)
                return log_usage(verb, "Unexpected argument '%s'.", argv[optind + n]);
        return 0;
}

int dispatch_group(const char *group, void (*help)(void), const struct verb *verbs, size_t n_verbs,
                   const char *fallback, int argc, char *argv[]) {
        int r;

        /* "+": stop at the verb, which parses its own options. */
        r = parse_help_json(group, help, "+:h", argc, argv);
        if (r <= 0)
                return r;
        return dispatch_verb(group, verbs, n_verbs, fallback, argc - optind, argv + optind);
}

int64_t now_usec(void) {
        struct timespec ts;

        if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
                return 0;
        return (int64_t)ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

const char *format_time(uint64_t usec, char *buf, size_t size) {
        if (usec > INT64_MAX) {
                snprintf(buf, size, "(invalid)");
                return buf;
        }
        return dl_format_time((int64_t)usec, buf, size);
}

const char *yes_no(bool b) {
        return b ? "yes" : "no";
}

char *format_schedule(const struct dl_window *w, size_t n) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        if (n == 0)
                return strdup("any time");

        f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                char days[DL_FORMAT_DAYS_MAX], hours[DL_FORMAT_HOURS_MAX];

                if (i > 0)
                        fputs("; ", f);
                fputs(dl_format_days(w[i].days, days, sizeof(days)), f);
                if (w[i].start != 0 || w[i].end != DL_MINUTES_PER_DAY)
                        fprintf(f, " %s", dl_format_hours(w[i].start, w[i].end, hours, sizeof(hours)));
        }
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

/* What a terminal must not get raw: controls, and the characters that hide
 * or reorder text (the same set the daemon refuses in code names). */
static bool unsafe_for_terminal(uint32_t cp) {
        return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0xad || cp == 0x200b || cp == 0x200e ||
               cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) ||
               cp == 0xfeff;
}

static bool needs_quotes(const char *s) {
        return s[0] == '\0' || strpbrk(s, " \"\\=") != NULL;
}

static void print_text_full(FILE *f, const char *s, bool quote, bool always) {
        const unsigned char *p = (const unsigned char *)s;

        quote = always || (quote && needs_quotes(s));
        if (quote)
                fputc('"', f);

        while (*p) {
                uint32_t cp;
                int len = utf8_decode(p, &cp);

                if (len < 0) {
                        fprintf(f, "\\x%02x", *p);
                        p++;
                        continue;
                }
                if (unsafe_for_terminal(cp)) {
                        if (cp < 0x80)
                                fprintf(f, "\\x%02x", (unsigned)cp);
                        else
                                fprintf(f, "\\u%04x", (unsigned)cp);
                } else if (cp == '\\' || (quote && cp == '"')) {
                        fputc('\\', f);
                        fputc((int)cp, f);
                } else
                        fwrite(p, 1, (size_t)len, f);
                p += len;
        }

        if (quote)
                fputc('"', f);
}

void print_text(FILE *f, const char *s, bool quote) {
        print_text_full(f, s, quote, false);
}

void print_quoted(FILE *f, const char *s) {
        print_text_full(f, s, true, true);
}

void print_label(int width, const char *label) {
        printf("%*s: ", width, label);
}

void print_field(int width, const char *label, const char *value) {
        print_label(width, label);
        print_text(stdout, value ? value : "", false);
        fputc('\n', stdout);
}

char *text_escape(const char *s, bool quote) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        print_text(f, s, quote);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static bool is_upper(char c) {
        return c >= 'A' && c <= 'Z';
}

static bool is_lower_or_digit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

char *snake_case(const char *s) {
        size_t n = strlen(s);
        char *ret, *q;

        ret = malloc(n * 2 + 1);
        if (!ret)
                return NULL;

        q = ret;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];

                if (is_upper(c)) {
                        /* "AutoRelock" -> auto_relock; "PINLength" ->
                         * pin_length */
                        if (i > 0 && (is_lower_or_digit(s[i - 1]) ||
                                      (is_upper(s[i - 1]) && i + 1 < n && is_lower_or_digit(s[i + 1]))))
                                *q++ = '_';
                        *q++ = (char)(c - 'A' + 'a');
                } else
                        *q++ = c;
        }
        *q = '\0';
        return ret;
}

int local_errno(int r) {
        return r == -EINVAL || r == -EHOSTDOWN || r >= 0 ? -EIO : r;
}
