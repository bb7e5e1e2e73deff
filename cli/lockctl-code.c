/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lockctl code ...: the verbs that read a code or only switch it (list,
 * show, enable, disable, remove), the output of a code for people and as
 * JSON, and the dispatch of the "code" verbs.  add and edit, which set a
 * code's PIN, validity and schedule, are in lockctl-code-edit.c. */
#include <getopt.h>
#include <inttypes.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>

#include "lockctl.h"
#include "parse-time.h"

#define LABEL_WIDTH 11

static inline void scols_unref_tablep(struct libscols_table **t) {
        scols_unref_table(*t);
}

/* ---- output -------------------------------------------------------------- */

static char *format_kind(const struct code_info *c) {
        char *s;

        if (asprintf(&s, "%s%s", c->kind, c->duress ? ",duress" : "") < 0)
                return NULL;
        return s;
}

static char *format_uses(const struct code_info *c) {
        char *s;
        int k;

        if (c->max_uses > 0)
                k = asprintf(&s, "%" PRIu32 "/%" PRIu32, c->uses, c->max_uses);
        else
                k = asprintf(&s, "%" PRIu32, c->uses);
        return k < 0 ? NULL : s;
}

/* ---- code list ----------------------------------------------------------- */

static void code_list_help(void) {
        printf("lockctl code list [--json]\n\n"
               "List the codes: id, name, kind, whether the code opens now (active),\n"
               "uses, last use, validity and weekly schedule.\n");
}

static int code_list_table(const struct code_info *codes, size_t n) {
        static const struct {
                const char *name;
                int flags;
        } columns[] = {
                { "ID", SCOLS_FL_RIGHT },   { "NAME", 0 },      { "KIND", 0 },       { "STATUS", 0 },
                { "USES", SCOLS_FL_RIGHT }, { "LAST-USED", 0 }, { "VALID-FROM", 0 }, { "VALID-UNTIL", 0 },
                { "SCHEDULE", 0 },
        };
        _cleanup_(scols_unref_tablep) struct libscols_table *t = NULL;

        t = scols_new_table();
        if (!t)
                return log_error(-ENOMEM, "Out of memory.");
        for (size_t i = 0; i < ELEMENTSOF(columns); i++)
                if (!scols_table_new_column(t, columns[i].name, 0, columns[i].flags))
                        return log_error(-ENOMEM, "Out of memory.");

        for (size_t i = 0; i < n; i++) {
                const struct code_info *c = &codes[i];
                _cleanup_free_ char *name = NULL, *kind = NULL, *uses = NULL, *schedule = NULL;
                char id[16], last[DL_FORMAT_TIME_MAX], from[DL_FORMAT_TIME_MAX], until[DL_FORMAT_TIME_MAX];
                struct libscols_line *l;

                snprintf(id, sizeof(id), "%" PRIu32, c->id);
                name = text_escape(c->name, false);
                kind = format_kind(c);
                uses = format_uses(c);
                schedule = format_schedule(c->windows, c->n_windows);
                l = scols_table_new_line(t, NULL);
                if (!name || !kind || !uses || !schedule || !l)
                        return log_error(-ENOMEM, "Out of memory.");

                if (scols_line_set_data(l, 0, id) < 0 || scols_line_set_data(l, 1, name) < 0 ||
                    scols_line_set_data(l, 2, kind) < 0 ||
                    scols_line_set_data(l, 3, c->active ? "active" : "inactive") < 0 ||
                    scols_line_set_data(l, 4, uses) < 0 ||
                    scols_line_set_data(l, 5, format_time(c->last_used, last, sizeof(last))) < 0 ||
                    scols_line_set_data(l, 6, format_time(c->valid_from, from, sizeof(from))) < 0 ||
                    scols_line_set_data(l, 7, format_time(c->valid_until, until, sizeof(until))) < 0 ||
                    scols_line_set_data(l, 8, schedule) < 0)
                        return log_error(-ENOMEM, "Out of memory.");
        }

        if (scols_print_table(t) < 0)
                return log_error(-EIO, "Cannot print the table.");
        return 0;
}

static int verb_code_list(int argc, char *argv[]) {
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        struct code_info *codes = NULL;
        size_t n = 0;
        int r;

        r = parse_verb_options("code list", code_list_help, argc, argv);
        if (r <= 0)
                return r;
        r = check_args("code list", argc, argv, 0, "");
        if (r < 0)
                return r;

        r = bus_connect(&bus);
        if (r < 0)
                return r;
        r = bus_list_codes(bus, &codes, &n);
        if (r < 0)
                return r;

        if (arg_json) {
                fputs("{\"codes\":[", stdout);
                for (size_t i = 0; i < n; i++) {
                        if (i > 0)
                                fputc(',', stdout);
                        json_code(stdout, &codes[i]);
                }
                fputs("]}\n", stdout);
        } else if (n == 0)
                printf("No codes.\n");
        else
                r = code_list_table(codes, n);

        code_infos_free(codes, n);
        return r;
}

/* ---- code show ----------------------------------------------------------- */

static void code_show_help(void) {
        printf("lockctl code show ID|NAME [--json]\n\n"
               "Show all properties of one code.  An argument of digits only is an id.\n");
}

/* Parse "VERB ID|NAME" with --help and --json only. */
static int parse_code_verb(const char *verb, void (*verb_help)(void), int argc, char *argv[],
                           const char **ret_spec) {
        uint32_t id;
        int r;

        r = parse_verb_options(verb, verb_help, argc, argv);
        if (r <= 0)
                return r;
        r = check_args(verb, argc, argv, 1, "code id or name");
        if (r < 0)
                return r;
        r = check_code_spec(verb, argv[optind], &id);
        if (r < 0)
                return r;
        *ret_spec = argv[optind];
        return 1;
}

static void print_code(const struct code_info *c) {
        char buf[DL_FORMAT_TIME_MAX];

        print_label(LABEL_WIDTH, "Id");
        printf("%" PRIu32 "\n", c->id);
        print_field(LABEL_WIDTH, "Name", c->name);
        print_field(LABEL_WIDTH, "Kind", c->kind);
        print_field(LABEL_WIDTH, "Enabled", yes_no(c->enabled));
        print_field(LABEL_WIDTH, "Active", yes_no(c->active));
        print_field(LABEL_WIDTH, "Duress", yes_no(c->duress));
        print_label(LABEL_WIDTH, "Uses");
        if (c->max_uses > 0)
                printf("%" PRIu32 " of %" PRIu32 "\n", c->uses, c->max_uses);
        else
                printf("%" PRIu32 " (no limit)\n", c->uses);
        print_field(LABEL_WIDTH, "Last used",
                    c->last_used ? format_time(c->last_used, buf, sizeof(buf)) : "never");
        print_field(LABEL_WIDTH, "Created", format_time(c->created, buf, sizeof(buf)));
        print_field(LABEL_WIDTH, "Valid from", format_time(c->valid_from, buf, sizeof(buf)));
        print_field(LABEL_WIDTH, "Valid until", format_time(c->valid_until, buf, sizeof(buf)));

        print_label(LABEL_WIDTH, "Schedule");
        if (c->n_windows == 0)
                printf("any time\n");
        for (size_t i = 0; i < c->n_windows; i++) {
                _cleanup_free_ char *s = format_schedule(&c->windows[i], 1);

                if (i > 0)
                        printf("%*s  ", LABEL_WIDTH, "");
                printf("%s\n", s ? s : "?");
        }
        print_field(LABEL_WIDTH, "Path", c->path);
}

static int verb_code_show(int argc, char *argv[]) {
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *path = NULL;
        _cleanup_(code_info_done) struct code_info c = {};
        const char *spec = NULL;
        int r;

        r = parse_code_verb("code show", code_show_help, argc, argv, &spec);
        if (r <= 0)
                return r;

        r = bus_connect(&bus);
        if (r < 0)
                return r;
        r = resolve_code(bus, "code show", spec, &path);
        if (r < 0)
                return r;
        r = bus_get_code(bus, path, spec, &c);
        if (r < 0)
                return r;

        if (arg_json) {
                json_code(stdout, &c);
                fputc('\n', stdout);
        } else
                print_code(&c);
        return 0;
}

/* ---- code enable, disable, remove ---------------------------------------- */

static void code_enable_help(void) {
        printf("lockctl code enable ID|NAME\n\nEnable a code: it opens the door again within its limits.\n");
}

static void code_disable_help(void) {
        printf("lockctl code disable ID|NAME\n\nDisable a code: it opens nothing until enabled again.\n");
}

static int code_set_enabled(const char *verb, void (*verb_help)(void), bool enable, int argc, char *argv[]) {
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *path = NULL;
        const char *spec = NULL;
        int r;

        r = parse_code_verb(verb, verb_help, argc, argv, &spec);
        if (r <= 0)
                return r;

        r = bus_connect(&bus);
        if (r < 0)
                return r;
        r = resolve_code(bus, verb, spec, &path);
        if (r < 0)
                return r;
        return bus_set_code_property(bus, path, spec, "Enabled", "b", (int)enable);
}

static int verb_code_enable(int argc, char *argv[]) {
        return code_set_enabled("code enable", code_enable_help, true, argc, argv);
}

static int verb_code_disable(int argc, char *argv[]) {
        return code_set_enabled("code disable", code_disable_help, false, argc, argv);
}

static void code_remove_help(void) {
        printf("lockctl code remove ID|NAME\n\nRemove a code for good.  Its id is never used again.\n");
}

static int verb_code_remove(int argc, char *argv[]) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *path = NULL;
        const char *spec = NULL;
        int r;

        r = parse_code_verb("code remove", code_remove_help, argc, argv, &spec);
        if (r <= 0)
                return r;

        r = bus_connect(&bus);
        if (r < 0)
                return r;
        r = resolve_code(bus, "code remove", spec, &path);
        if (r < 0)
                return r;

        r = sd_bus_call_method(bus, DL_BUS_NAME, path, DL_CODE_INTERFACE, "Remove", &error, NULL, NULL);
        if (r < 0)
                return bus_log_code_error(&error, r, spec);
        return 0;
}

/* ---- code ---------------------------------------------------------------- */

static void code_help(void) {
        printf("lockctl code COMMAND ...\n"
               "\n"
               "Commands:\n"
               "  list                 List the codes (the default)\n"
               "  show ID|NAME         Show one code\n"
               "  add NAME [OPTIONS]   Add a code\n"
               "  edit ID|NAME OPTIONS Change a code\n"
               "  enable ID|NAME       Enable a code\n"
               "  disable ID|NAME      Disable a code\n"
               "  remove ID|NAME       Remove a code\n"
               "\n"
               "An ID|NAME of digits only is an id, anything else a name.\n"
               "Run 'lockctl code COMMAND --help' for a command's options.\n");
}

int verb_code(int argc, char *argv[]) {
        static const struct verb verbs[] = {
                { "list", verb_code_list },     { "show", verb_code_show },
                { "add", verb_code_add },       { "edit", verb_code_edit },
                { "enable", verb_code_enable }, { "disable", verb_code_disable },
                { "remove", verb_code_remove },
        };

        return dispatch_group("code", code_help, verbs, ELEMENTSOF(verbs), "list", argc, argv);
}
