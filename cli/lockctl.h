/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lockctl's shared pieces: the bus names, the exit statuses, the bus helpers
 * (lockctl-bus.c), the output and option helpers (lockctl-output.c) and the
 * verbs (lockctl.c, lockctl-code.c, lockctl-code-edit.c, lockctl-log.c,
 * lockctl-emergency.c, lockctl-backup.c); lockctl-secret.c reads PINs and
 * passphrases.
 *
 * Errors: every function returns a negative errno and has already printed
 * "lockctl: ..." when it fails.  main() turns the errno into the exit status:
 *   -EINVAL      usage error, exit 2 (only ever returned for bad arguments)
 *   -EHOSTDOWN   the daemon is not reachable, exit 3
 *   anything else, exit 1 (the daemon refused, or a local failure) */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <systemd/sd-bus.h>

#include "bus-dict.h"
#include "code-info.h"
#include "json-out.h"
#include "log-entry.h"
#include "macro.h"
#include "schedule.h"

enum {
        LOCKCTL_EXIT_REFUSED = 1,
        LOCKCTL_EXIT_USAGE = 2,
        LOCKCTL_EXIT_UNREACHABLE = 3,
};

/* --json, given before or after the verb. */
extern bool arg_json;

/* A verb: argv[0] is its own name, getopt starts after it. */
typedef int (*verb_func)(int argc, char *argv[]);

struct verb {
        const char *name;
        verb_func func;
};

/* ---- lockctl-backup.c ---------------------------------------------------- */

int verb_backup(int argc, char *argv[]);
int verb_restore(int argc, char *argv[]);

/* ---- lockctl-secret.c ---------------------------------------------------- */

/* Read a secret (`what` names it in messages: "PIN", "passphrase") into
 * buf: on a terminal without echo, prompting `prompt` and, unless repeat is
 * NULL, asking again to confirm; otherwise one line from stdin.  buf is
 * wiped on failure; the caller wipes it after use. */
int read_secret(const char *what, const char *prompt, const char *repeat, char *buf, size_t size);

/* ---- lockctl-output.c ---------------------------------------------------- */

/* A local failure (a file, memory) as an errno that looks neither like a
 * usage error (-EINVAL, exit 2) nor like an unreachable daemon (-EHOSTDOWN,
 * exit 3): those become -EIO, as does a non-negative r. */
int local_errno(int r);

/* Print "lockctl: <message>" to stderr; returns r. */
int log_error(int r, const char *fmt, ...) _printf_(2, 3);

/* A usage error: "lockctl: <message>" and a hint to `lockctl <verb> --help`;
 * returns -EINVAL.  verb may be NULL (the top level). */
int log_usage(const char *verb, const char *fmt, ...) _printf_(2, 3);

/* getopt_long's '?' and ':' as a usage error (opterr is 0 everywhere). */
int log_option_error(const char *verb, int c, char *argv[]);

/* Dispatch argv[0] among verbs; `fallback` when there is no argv[0]. */
int dispatch_verb(const char *group, const struct verb *verbs, size_t n_verbs, const char *fallback,
                  int argc, char *argv[]);

/* A group ("code", "clock", ...): parse its own options (--help, --json) up
 * to its first non-option argument, then dispatch_verb() the rest.  0 after
 * printing help. */
int dispatch_group(const char *group, void (*help)(void), const struct verb *verbs, size_t n_verbs,
                   const char *fallback, int argc, char *argv[]);

/* Parse a verb that has no options of its own: --help and --json only.
 * Returns 1 to go on (the arguments are argv[optind...]), 0 after printing
 * help, -EINVAL. */
int parse_verb_options(const char *verb, void (*help)(void), int argc, char *argv[]);

/* Exactly n arguments left after the options: "Missing <what>." or
 * "Unexpected argument '...'." as a usage error otherwise. */
int check_args(const char *verb, int argc, char *argv[], int n, const char *what);

/* The current time, µs since the epoch. */
int64_t now_usec(void);

/* Strings for people: local time ("-" for 0), "yes"/"no". */
const char *format_time(uint64_t usec, char *buf, size_t size);
const char *yes_no(bool b);

/* A window as "mon-fri 08:00-18:00" (the hours left out for a whole day),
 * and a schedule as windows joined by "; " ("any time" when empty).  The
 * returned string is malloc'd; NULL on OOM. */
char *format_schedule(const struct dl_window *w, size_t n);

/* Write s for a terminal: control characters, C1 controls and invisible or
 * text-direction characters escaped as \xNN or \uNNNN.  With quote, the
 * value is put in double quotes when it is empty or holds a space, a quote,
 * a backslash or an '=' (and quotes and backslashes inside are escaped). */
void print_text(FILE *f, const char *s, bool quote);
/* Always in double quotes. */
void print_quoted(FILE *f, const char *s);
/* "      Label: " (right-aligned to width) and "Label: value\n" to stdout,
 * the value through print_text(). */
void print_label(int width, const char *label);
void print_field(int width, const char *label, const char *value);
/* The same into a malloc'd string (for table cells); NULL on OOM. */
char *text_escape(const char *s, bool quote);

/* "AutoRelockSeconds" -> "auto_relock_seconds", malloc'd. */
char *snake_case(const char *s);

/* ---- lockctl-bus.c ------------------------------------------------------- */

/* A value for people (schedule as format_schedule()). */
void print_bus_value(FILE *f, const struct bus_value *v);

/* Connect to the system bus; prints and returns -EHOSTDOWN on failure. */
int bus_connect(sd_bus **ret);

/* Report a failed call: prints the daemon's message and returns -EREMOTEIO,
 * or -EHOSTDOWN when the daemon is not reachable. */
int bus_log_error(const sd_bus_error *error, int r);
/* A reply lockctl cannot read: prints, returns -EBADMSG. */
int bus_log_parse_error(int r);
/* A message lockctl could not build: prints, returns r. */
int bus_log_create_error(int r);

/* Call a method of org.doorlockd.Lock1 on /org/doorlockd/Lock1; errors are
 * printed (bus_log_error). */
int bus_call_lock(sd_bus *bus, const char *member, sd_bus_message **ret_reply, const char *types, ...);

/* Properties.GetAll of interface at path into a dict; errors printed. */
int bus_get_all(sd_bus *bus, const char *path, const char *interface, struct bus_dict *ret);

/* ---- codes (lockctl-bus.c) ----------------------------------------------- */

/* All codes, sorted by id, through ObjectManager.GetManagedObjects on
 * /org/doorlockd/Lock1.  Errors printed. */
int bus_list_codes(sd_bus *bus, struct code_info **ret, size_t *ret_n);

/* Check "ID|NAME" before any bus call: 1 and the id for digits only, 0 for
 * a name, -EINVAL (printed) for an empty string or an id out of range. */
int check_code_spec(const char *verb, const char *spec, uint32_t *ret_id);

/* "ID|NAME" to an object path: all digits is an id (no bus call), anything
 * else is looked up by name.  -EINVAL for an id that is out of range,
 * -ENOENT for an unknown name; errors printed. */
int resolve_code(sd_bus *bus, const char *verb, const char *spec, char **ret_path);

/* The id at the end of a code's object path, 0 if there is none. */
uint32_t code_path_to_id(const char *path);

/* Report a failed call on a code object: an unknown object becomes "No code
 * <spec>." (-ENOENT), everything else bus_log_error(). */
int bus_log_code_error(const sd_bus_error *error, int r, const char *spec);

/* Properties.GetAll of one code (errors printed, unknown code -ENOENT). */
int bus_get_code(sd_bus *bus, const char *path, const char *spec, struct code_info *ret);

/* Properties.Set of one code's property, the value after type as for
 * sd_bus_message_append() (errors printed, unknown code -ENOENT). */
int bus_set_code_property(sd_bus *bus, const char *path, const char *spec, const char *property,
                          const char *type, ...);

/* ---- verbs --------------------------------------------------------------- */

int verb_code(int argc, char *argv[]);
/* lockctl-hw.c */
int verb_hw(int argc, char *argv[]);
/* lockctl-code-edit.c, dispatched by verb_code(). */
int verb_code_add(int argc, char *argv[]);
int verb_code_edit(int argc, char *argv[]);
int verb_emergency(int argc, char *argv[]);
int verb_log(int argc, char *argv[]);
int verb_monitor(int argc, char *argv[]);
