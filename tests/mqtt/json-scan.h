/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small strict JSON reader for the MQTT tests: checks a document is one
 * valid JSON value (RFC 8259) and lists what it holds by path, so a test
 * can ask for "device.identifiers[]" or "event_types[]".  Not for
 * production: recursion is bounded at 16 levels, strings are decoded only
 * as far as the tests need (\uXXXX below 0x80 decoded, others kept). */
#pragma once

#include <stddef.h>

struct json_item {
        char *path;  /* "a", "a.b", "a[]" (one item per array element) */
        char type;   /* 's' string, 'n' number, 'b' bool, 'z' null, 'o' object, 'a' array */
        char *value; /* strings decoded, numbers and literals as written; NULL for o and a */
};

struct json_doc {
        struct json_item *items;
        size_t n;
};

/* 0, or -EINVAL when text is not exactly one JSON value (*doc emptied). */
int json_scan(const char *text, struct json_doc *doc);
void json_doc_free(struct json_doc *doc);

/* The first item with that path, or NULL. */
const struct json_item *json_doc_get(const struct json_doc *doc, const char *path);
/* How many items have that path. */
size_t json_doc_count(const struct json_doc *doc, const char *path);
