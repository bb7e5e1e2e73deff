/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "schedule.h"

/* A JSON string with quotes and escapes.  Invalid UTF-8 becomes U+FFFD;
 * controls, DEL, U+2028 and U+2029 are escaped. */
void json_string(FILE *f, const char *s);

/* An object built key by key. */
struct json {
        FILE *f;
        bool first;
};

void json_begin(struct json *j, FILE *f);
void json_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_kv_string(struct json *j, const char *key, const char *s);
void json_kv_unsigned(struct json *j, const char *key, uint64_t u);
void json_kv_bool(struct json *j, const char *key, bool b);
/* A schedule: [{"days":…,"start":…,"end":…}, …]. */
void json_schedule(FILE *f, const struct dl_window *w, size_t n);
