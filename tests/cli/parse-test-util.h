/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The parsers of cli/parse-time.h, each run on a heap copy of exactly the
 * string's size, so AddressSanitizer (-Dsanitizers=true) catches any read
 * past the NUL.  Shared by test-parse-time.c and test-parse-schedule.c. */
#pragma once

#include "test-util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse-time.h"

static inline char *exact_copy(const char *s) {
        size_t n = strlen(s) + 1;
        char *c = malloc(n);

        assert_non_null(c);
        memcpy(c, s, n);
        return c;
}

static inline int parse_time(const char *s, int64_t now, int64_t *ret) {
        char *c = exact_copy(s);
        int r = dl_parse_time(c, now, ret);

        free(c);
        return r;
}

static inline int parse_duration(const char *s, int64_t *ret) {
        char *c = exact_copy(s);
        int r = dl_parse_duration(c, ret);

        free(c);
        return r;
}

static inline int parse_days(const char *s, uint8_t *ret) {
        char *c = exact_copy(s);
        int r = dl_parse_days(c, ret);

        free(c);
        return r;
}

static inline int parse_hours(const char *s, uint16_t *start, uint16_t *end) {
        char *c = exact_copy(s);
        int r = dl_parse_hours(c, start, end);

        free(c);
        return r;
}
