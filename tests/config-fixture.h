/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The config tests' fixture, shared by tests/test-config.c (the file
 * format and the general keys) and tests/test-config-gpio.c (the GPIO
 * keys): a scratch directory with a config file to write, load helpers
 * and comparisons of whole configs. */
#pragma once

#include "test-util.h"

/* Not "config.h": that name finds the build's generated config.h first. */
#include "../daemon/config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSEC ((int64_t)1000)
#define SEC ((int64_t)1000000)
#define DAY (SEC * 24 * 3600)

struct fixture {
        char *dir;
        char *path; /* dir/doorlockd.conf, not yet written */
        struct dl_daemon_config config;
};

/* cmocka setup/teardown: a fresh fixture with the defaults loaded. */
int setup(void **state);
int teardown(void **state);
void write_bytes(const char *path, const char *data, size_t size);
void write_text(const char *path, const char *text);
int load(struct fixture *f, const char *text, struct dl_error *err);
void load_ok(struct fixture *f, const char *text);
void assert_contains(const char *haystack, const char *needle);
void assert_gpio_equal(const struct dl_hw_gpio_config *a, const struct dl_hw_gpio_config *b);
void assert_config_equal(const struct dl_daemon_config *a, const struct dl_daemon_config *b);
void assert_is_default(const struct dl_daemon_config *c);
void config_copy(struct dl_daemon_config *to, const struct dl_daemon_config *from);
/* Loading text fails with -EINVAL at line (0: the whole-config check),
 * the message holding needle and needle2 (may be NULL), the config
 * unchanged. */
void assert_load_fails_at(struct fixture *f, const char *text, unsigned line, const char *needle,
                          const char *needle2);
