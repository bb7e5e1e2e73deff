/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doorlockd-mqtt's JSON reader (mqtt/json-in.c) on arbitrary bytes: it
 * takes or refuses, never crashes or leaks; what it takes keeps its
 * bounds (depth, members), its strings are valid UTF-8 without a NUL and
 * its keys unique; a refusal has a message that quotes no string. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-util.h"
#include "json-in.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void)argc, (void)argv;
        return 0;
}

static bool utf8_valid(const char *s, size_t len) {
        const unsigned char *p = (const unsigned char *)s, *end = p + len;

        while (p < end) {
                size_t n;
                uint32_t cp;

                if (*p == 0)
                        return false;
                if (*p < 0x80) {
                        p++;
                        continue;
                }
                if (*p >= 0xc2 && *p <= 0xdf)
                        n = 1, cp = *p & 0x1f;
                else if ((*p & 0xf0) == 0xe0)
                        n = 2, cp = *p & 0x0f;
                else if (*p >= 0xf0 && *p <= 0xf4)
                        n = 3, cp = *p & 0x07;
                else
                        return false;
                if ((size_t)(end - p) < n + 1)
                        return false;
                for (size_t i = 1; i <= n; i++) {
                        if ((p[i] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (p[i] & 0x3f);
                }
                if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
                    (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
                p += n + 1;
        }
        return strlen(s) == len;
}

static void check_value(const struct json_in *v, unsigned depth) {
        switch (v->type) {
        case JSON_IN_STRING:
                if (!v->string.s || !utf8_valid(v->string.s, v->string.len))
                        abort();
                break;
        case JSON_IN_ARRAY:
                if (depth > JSON_IN_DEPTH_MAX || v->array.n > JSON_IN_MEMBERS_MAX)
                        abort();
                for (size_t i = 0; i < v->array.n; i++)
                        check_value(&v->array.items[i], depth + 1);
                break;
        case JSON_IN_OBJECT:
                if (depth > JSON_IN_DEPTH_MAX || v->object.n > JSON_IN_MEMBERS_MAX)
                        abort();
                for (size_t i = 0; i < v->object.n; i++) {
                        const struct json_in_member *m = &v->object.members[i];

                        if (!utf8_valid(m->key, m->key_len))
                                abort();
                        for (size_t j = 0; j < i; j++)
                                if (strcmp(m->key, v->object.members[j].key) == 0)
                                        abort();
                        if (json_in_get(v, m->key) != &m->value)
                                abort();
                        check_value(&m->value, depth + 1);
                }
                break;
        case JSON_IN_NULL:
        case JSON_IN_BOOL:
        case JSON_IN_INTEGER:
                break;
        default:
                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct json_in *v = NULL;
        char err[256];
        int r;

        if (size > 65536)
                return 0;
        r = json_in_parse(data, size, &v, err, sizeof(err));
        if (r < 0) {
                if (v || strncmp(err, "at byte ", 8) != 0)
                        abort();
                if (r != -EBADMSG && r != -EILSEQ && r != -E2BIG && r != -ENOTUNIQ && r != -EDOM && r != -ERANGE &&
                    r != -ENOMEM)
                        abort();
                for (const char *c = err; *c; c++)
                        if (*c < 0x20 || *c >= 0x7f)
                                abort();
                return 0;
        }
        if (!v || v->type != JSON_IN_OBJECT)
                abort();
        check_value(v, 1);
        json_in_free(v);
        return 0;
}
