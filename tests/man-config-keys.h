/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A config file's man page against its parser, shared by
 * test-man-config-keys (doorlockd.conf(5)) and test-man-mqtt-config-keys
 * (doorlockd-mqtt.conf(5)): every key the parser's own table knows is
 * documented in its section of the man page, every key documented there is
 * one the parser knows, and each documented default is the one in the
 * shipped config file.
 *
 * The man page's layout: a section is a heading "# [Section] SECTION", a
 * key an entry line "*Key=*" in it, followed by its indented text, which
 * says "Default: VALUE." for keys with a value by default.  The shipped
 * file has every key commented out with its default, "#Key=value", under
 * its "[Section]" header. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

struct man_config_check {
        const char *man_page;       /* under $SOURCE_ROOT, e.g. "docs/man/doorlockd.conf.5.scd" */
        const char *shipped_config; /* under $SOURCE_ROOT, e.g. "systemd/doorlockd.conf" */
        /* The parser's table: section and name of key i (either may be
         * NULL), false past the last one. */
        bool (*key)(size_t i, const char **ret_section, const char **ret_name);
        /* The table is really there: at least this many keys. */
        size_t min_keys;
};

/* $SOURCE_ROOT/relative, whole, NUL-terminated (fails the test if absent). */
char *man_read_source_file(const char *relative);

/* The tests; each takes its struct man_config_check as the initial state. */
void test_every_parser_key_documented(void **state);
void test_missing_key_is_noticed(void **state);
void test_every_documented_key_parsed(void **state);
void test_documented_defaults(void **state);
void test_shipped_keys_parsed(void **state);

/* All of them, for a CMUnitTest array. */
#define MAN_CONFIG_KEYS_TESTS(check)                                                                        \
        cmocka_unit_test_prestate(test_every_parser_key_documented, (check)),                               \
                cmocka_unit_test_prestate(test_missing_key_is_noticed, (check)),                            \
                cmocka_unit_test_prestate(test_every_documented_key_parsed, (check)),                       \
                cmocka_unit_test_prestate(test_documented_defaults, (check)),                               \
                cmocka_unit_test_prestate(test_shipped_keys_parsed, (check))
