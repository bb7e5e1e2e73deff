/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A strict, bounded JSON reader (RFC 8259) for the command payloads that
 * arrive over MQTT.  It takes exactly one top-level object and refuses
 * more than it needs to:
 *   - containers nested deeper than JSON_IN_DEPTH_MAX (the top-level
 *     object is depth 1), more than JSON_IN_MEMBERS_MAX members or
 *     elements in one container, a key twice in one object;
 *   - strings that are not valid UTF-8 (overlong forms, surrogates, past
 *     U+10FFFF), raw control characters, a NUL (raw or \u0000), a lone or
 *     reversed surrogate escape; \uD83D\uDE00 pairs are decoded;
 *   - numbers with a fraction or exponent (only integers), integers
 *     outside int64_t, leading zeros;
 *   - anything but white space after the object.
 * Every string it decoded (keys and values) is wiped with explicit_bzero()
 * when the tree is freed: a PIN passes through it.  Error messages say
 * where and why, never quote a string's content.  Pure: no I/O. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_IN_DEPTH_MAX 4
#define JSON_IN_MEMBERS_MAX 64

enum json_in_type {
        JSON_IN_NULL,
        JSON_IN_BOOL,
        JSON_IN_INTEGER,
        JSON_IN_STRING,
        JSON_IN_ARRAY,
        JSON_IN_OBJECT,
};

struct json_in_member;

struct json_in {
        enum json_in_type type;
        union {
                bool boolean;
                int64_t integer;
                struct {
                        char *s; /* NUL-terminated, no NUL inside */
                        size_t len;
                } string;
                struct {
                        struct json_in *items;
                        size_t n;
                } array;
                struct {
                        struct json_in_member *members; /* in document order */
                        size_t n;
                } object;
        };
};

struct json_in_member {
        char *key; /* NUL-terminated, no NUL inside */
        size_t key_len;
        struct json_in value;
};

/* Parse len bytes (not NUL-terminated).  0 with *ret set (free it with
 * json_in_free()), or a negative errno with a message in err (errlen
 * bytes; err may be NULL):
 *   -EBADMSG   not JSON (syntax), or not an object at the top, or trailing bytes
 *   -EILSEQ    a string that is not valid UTF-8, holds a NUL or a bad escape
 *   -E2BIG     too deep, or too many members or elements in one container
 *   -ENOTUNIQ  a key twice in one object
 *   -EDOM      a number with a fraction or exponent (a type error: integers only)
 *   -ERANGE    an integer outside int64_t
 *   -ENOMEM */
int json_in_parse(const void *data, size_t len, struct json_in **ret, char *err, size_t errlen);

/* Wipes every string, frees the tree; NULL is fine.  Returns NULL. */
struct json_in *json_in_free(struct json_in *v);
static inline void json_in_freep(struct json_in **v) {
        *v = json_in_free(*v);
}
#define _cleanup_json_in_ __attribute__((cleanup(json_in_freep)))

/* The member's value for key in an object, NULL when absent or when v is
 * not an object. */
const struct json_in *json_in_get(const struct json_in *v, const char *key);

/* "null", "boolean", "integer", "string", "array", "object". */
const char *json_in_type_to_string(enum json_in_type t);
