/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "json-in.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

struct parser {
        const unsigned char *data;
        size_t len, pos;
        unsigned depth;
        char *err;
        size_t errlen;
};

static void fail_at(struct parser *p, const char *fmt, ...) _printf_(2, 3);
static void fail_at(struct parser *p, const char *fmt, ...) {
        char why[160];
        va_list ap;

        if (!p->err || p->errlen == 0)
                return;
        va_start(ap, fmt);
        vsnprintf(why, sizeof(why), fmt, ap);
        va_end(ap);
        snprintf(p->err, p->errlen, "at byte %zu: %s", p->pos, why);
}

/* The message, and r (negative) as the result, visibly to the analyzer. */
#define fail(p, r, ...) (fail_at((p), __VA_ARGS__), (r))

static void value_done(struct json_in *v);

static void string_wipe_free(char *s, size_t len) {
        if (!s)
                return;
        explicit_bzero(s, len + 1);
        free(s);
}

static void value_done(struct json_in *v) {
        switch (v->type) {
        case JSON_IN_STRING:
                string_wipe_free(v->string.s, v->string.len);
                break;
        case JSON_IN_ARRAY:
                for (size_t i = 0; i < v->array.n; i++)
                        value_done(&v->array.items[i]);
                free(v->array.items);
                break;
        case JSON_IN_OBJECT:
                for (size_t i = 0; i < v->object.n; i++) {
                        string_wipe_free(v->object.members[i].key, v->object.members[i].key_len);
                        value_done(&v->object.members[i].value);
                }
                free(v->object.members);
                break;
        default:
                break;
        }
        explicit_bzero(v, sizeof(*v));
}

struct json_in *json_in_free(struct json_in *v) {
        if (!v)
                return NULL;
        value_done(v);
        free(v);
        return NULL;
}

const struct json_in *json_in_get(const struct json_in *v, const char *key) {
        if (!v || v->type != JSON_IN_OBJECT || !key)
                return NULL;
        for (size_t i = 0; i < v->object.n; i++)
                if (strcmp(v->object.members[i].key, key) == 0)
                        return &v->object.members[i].value;
        return NULL;
}

const char *json_in_type_to_string(enum json_in_type t) {
        static const char *const names[] = {
                [JSON_IN_NULL] = "null",     [JSON_IN_BOOL] = "boolean", [JSON_IN_INTEGER] = "integer",
                [JSON_IN_STRING] = "string", [JSON_IN_ARRAY] = "array",  [JSON_IN_OBJECT] = "object",
        };

        if ((size_t)t >= ELEMENTSOF(names))
                return NULL;
        return names[t];
}

/* ---- the reader ---- */

static bool at_end(const struct parser *p) {
        return p->pos >= p->len;
}

static void skip_ws(struct parser *p) {
        while (!at_end(p) && (p->data[p->pos] == ' ' || p->data[p->pos] == '\t' || p->data[p->pos] == '\n' ||
                              p->data[p->pos] == '\r'))
                p->pos++;
}

/* One UTF-8 sequence at s (n bytes available): its length, or 0 when it
 * is not valid (overlong, surrogate, past U+10FFFF, cut short). */
static size_t utf8_sequence(const unsigned char *s, size_t n) {
        unsigned char c = s[0];
        size_t len;
        uint32_t cp;

        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf) {
                len = 2;
                cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
                len = 3;
                cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
                len = 4;
                cp = c & 0x07;
        } else
                return 0;
        if (n < len)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return len;
}

static size_t utf8_encode(uint32_t cp, char *out) {
        if (cp < 0x80) {
                out[0] = (char)cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char)(0xc0 | (cp >> 6));
                out[1] = (char)(0x80 | (cp & 0x3f));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char)(0xe0 | (cp >> 12));
                out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
                out[2] = (char)(0x80 | (cp & 0x3f));
                return 3;
        }
        out[0] = (char)(0xf0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[3] = (char)(0x80 | (cp & 0x3f));
        return 4;
}

static int hex4(const struct parser *p, size_t at, uint32_t *ret) {
        uint32_t v = 0;

        if (p->len - at < 4)
                return -1;
        for (size_t i = 0; i < 4; i++) {
                unsigned char c = p->data[at + i];

                v <<= 4;
                if (c >= '0' && c <= '9')
                        v |= (uint32_t)(c - '0');
                else if (c >= 'a' && c <= 'f')
                        v |= (uint32_t)(c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        v |= (uint32_t)(c - 'A' + 10);
                else
                        return -1;
        }
        *ret = v;
        return 0;
}

/* A string at p->pos (the opening quote): decoded into a new buffer. */
static int parse_string(struct parser *p, char **ret, size_t *ret_len) {
        size_t start = p->pos + 1, end, n = 0;
        char *buf;

        /* First the closing quote, so the buffer is allocated once (a
         * realloc could leave a copy of a PIN behind). */
        for (end = start;; end++) {
                if (end >= p->len) {
                        p->pos = end;
                        return fail(p, -EBADMSG, "unterminated string");
                }
                if (p->data[end] == '"')
                        break;
                if (p->data[end] == '\\')
                        end++;
        }

        buf = malloc(end - start + 1);
        if (!buf)
                return fail(p, -ENOMEM, "out of memory");

        p->pos = start;
        while (p->pos < end) {
                unsigned char c = p->data[p->pos];
                uint32_t cp, lo;
                size_t k;

                if (c == '\\') {
                        unsigned char e = p->data[p->pos + 1];

                        switch (e) {
                        case '"':
                        case '\\':
                        case '/':
                                buf[n++] = (char)e;
                                p->pos += 2;
                                continue;
                        case 'b':
                                buf[n++] = '\b';
                                p->pos += 2;
                                continue;
                        case 'f':
                                buf[n++] = '\f';
                                p->pos += 2;
                                continue;
                        case 'n':
                                buf[n++] = '\n';
                                p->pos += 2;
                                continue;
                        case 'r':
                                buf[n++] = '\r';
                                p->pos += 2;
                                continue;
                        case 't':
                                buf[n++] = '\t';
                                p->pos += 2;
                                continue;
                        case 'u':
                                break;
                        default:
                                string_wipe_free(buf, n);
                                return fail(p, -EILSEQ, "invalid escape in a string");
                        }
                        if (p->pos + 6 > end || hex4(p, p->pos + 2, &cp) < 0) {
                                string_wipe_free(buf, n);
                                return fail(p, -EILSEQ, "invalid \\u escape in a string");
                        }
                        if (cp == 0) {
                                string_wipe_free(buf, n);
                                return fail(p, -EILSEQ, "a NUL in a string");
                        }
                        if (cp >= 0xdc00 && cp <= 0xdfff) {
                                string_wipe_free(buf, n);
                                return fail(p, -EILSEQ, "a lone low surrogate escape in a string");
                        }
                        if (cp >= 0xd800 && cp <= 0xdbff) {
                                if (p->pos + 12 > end || p->data[p->pos + 6] != '\\' ||
                                    p->data[p->pos + 7] != 'u' || hex4(p, p->pos + 8, &lo) < 0 ||
                                    lo < 0xdc00 || lo > 0xdfff) {
                                        string_wipe_free(buf, n);
                                        return fail(p, -EILSEQ, "a lone high surrogate escape in a string");
                                }
                                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                                p->pos += 6;
                        }
                        n += utf8_encode(cp, buf + n);
                        p->pos += 6;
                        continue;
                }
                if (c < 0x20) {
                        string_wipe_free(buf, n);
                        return fail(p, -EILSEQ,
                                    c == 0 ? "a NUL in a string" : "a control character in a string");
                }
                k = utf8_sequence(p->data + p->pos, end - p->pos);
                if (k == 0) {
                        string_wipe_free(buf, n);
                        return fail(p, -EILSEQ, "invalid UTF-8 in a string");
                }
                memcpy(buf + n, p->data + p->pos, k);
                n += k;
                p->pos += k;
        }
        buf[n] = '\0';
        p->pos = end + 1;
        *ret = buf;
        *ret_len = n;
        return 0;
}

static bool is_digit(unsigned char c) {
        return c >= '0' && c <= '9';
}

static int parse_number(struct parser *p, struct json_in *v) {
        size_t start = p->pos;
        bool negative = false, overflow = false, fraction = false;
        uint64_t m = 0;

        if (p->data[p->pos] == '-') {
                negative = true;
                p->pos++;
        }
        if (at_end(p) || !is_digit(p->data[p->pos]))
                return fail(p, -EBADMSG, "invalid number");
        if (p->data[p->pos] == '0' && p->pos + 1 < p->len && is_digit(p->data[p->pos + 1]))
                return fail(p, -EBADMSG, "a number with a leading zero");
        while (!at_end(p) && is_digit(p->data[p->pos])) {
                unsigned d = (unsigned)(p->data[p->pos] - '0');

                if (m > (UINT64_MAX - d) / 10)
                        overflow = true;
                else
                        m = m * 10 + d;
                p->pos++;
        }
        if (!at_end(p) && p->data[p->pos] == '.') {
                p->pos++;
                if (at_end(p) || !is_digit(p->data[p->pos]))
                        return fail(p, -EBADMSG, "invalid number");
                while (!at_end(p) && is_digit(p->data[p->pos]))
                        p->pos++;
                fraction = true;
        }
        if (!at_end(p) && (p->data[p->pos] == 'e' || p->data[p->pos] == 'E')) {
                p->pos++;
                if (!at_end(p) && (p->data[p->pos] == '+' || p->data[p->pos] == '-'))
                        p->pos++;
                if (at_end(p) || !is_digit(p->data[p->pos]))
                        return fail(p, -EBADMSG, "invalid number");
                while (!at_end(p) && is_digit(p->data[p->pos]))
                        p->pos++;
                fraction = true;
        }
        if (fraction) {
                p->pos = start;
                return fail(p, -EDOM, "a number with a fraction or exponent: only integers are taken");
        }
        if (overflow || (negative ? m > (uint64_t)INT64_MAX + 1 : m > (uint64_t)INT64_MAX)) {
                p->pos = start;
                return fail(p, -ERANGE, "an integer out of range");
        }
        v->type = JSON_IN_INTEGER;
        if (negative)
                v->integer = m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m;
        else
                v->integer = (int64_t)m;
        return 0;
}

static int parse_literal(struct parser *p, const char *word, size_t n) {
        if (p->len - p->pos < n || memcmp(p->data + p->pos, word, n) != 0)
                return fail(p, -EBADMSG, "invalid literal");
        p->pos += n;
        return 0;
}

static int parse_value(struct parser *p, struct json_in *v);

static int parse_array(struct parser *p, struct json_in *v) {
        struct json_in items[JSON_IN_MEMBERS_MAX];
        size_t n = 0;
        int r;

        p->pos++; /* '[' */
        skip_ws(p);
        if (!at_end(p) && p->data[p->pos] == ']') {
                p->pos++;
                *v = (struct json_in){ .type = JSON_IN_ARRAY };
                return 0;
        }
        for (;;) {
                if (n == JSON_IN_MEMBERS_MAX) {
                        r = fail(p, -E2BIG, "more than %d elements in an array", JSON_IN_MEMBERS_MAX);
                        goto fail;
                }
                r = parse_value(p, &items[n]);
                if (r < 0)
                        goto fail;
                n++;
                skip_ws(p);
                if (at_end(p)) {
                        r = fail(p, -EBADMSG, "unexpected end in an array");
                        goto fail;
                }
                if (p->data[p->pos] == ']') {
                        p->pos++;
                        break;
                }
                if (p->data[p->pos] != ',') {
                        r = fail(p, -EBADMSG, "expected ',' or ']' in an array");
                        goto fail;
                }
                p->pos++;
        }
        *v = (struct json_in){ .type = JSON_IN_ARRAY };
        v->array.items = calloc(n, sizeof(*items));
        if (!v->array.items) {
                r = fail(p, -ENOMEM, "out of memory");
                goto fail;
        }
        memcpy(v->array.items, items, n * sizeof(*items));
        v->array.n = n;
        return 0;
fail:
        for (size_t i = 0; i < n; i++)
                value_done(&items[i]);
        return r;
}

static int parse_object(struct parser *p, struct json_in *v) {
        struct json_in_member members[JSON_IN_MEMBERS_MAX];
        size_t n = 0;
        int r;

        p->pos++; /* '{' */
        skip_ws(p);
        if (!at_end(p) && p->data[p->pos] == '}') {
                p->pos++;
                *v = (struct json_in){ .type = JSON_IN_OBJECT };
                return 0;
        }
        for (;;) {
                struct json_in_member *m;

                if (n == JSON_IN_MEMBERS_MAX) {
                        r = fail(p, -E2BIG, "more than %d members in an object", JSON_IN_MEMBERS_MAX);
                        goto fail;
                }
                m = &members[n];
                skip_ws(p);
                if (at_end(p) || p->data[p->pos] != '"') {
                        r = fail(p, -EBADMSG, "expected a key (a string) in an object");
                        goto fail;
                }
                r = parse_string(p, &m->key, &m->key_len);
                if (r < 0)
                        goto fail;
                for (size_t i = 0; i < n; i++)
                        if (members[i].key_len == m->key_len &&
                            memcmp(members[i].key, m->key, m->key_len) == 0) {
                                string_wipe_free(m->key, m->key_len);
                                r = fail(p, -ENOTUNIQ, "a key given twice in an object");
                                goto fail;
                        }
                skip_ws(p);
                if (at_end(p) || p->data[p->pos] != ':') {
                        string_wipe_free(m->key, m->key_len);
                        r = fail(p, -EBADMSG, "expected ':' after a key");
                        goto fail;
                }
                p->pos++;
                r = parse_value(p, &m->value);
                if (r < 0) {
                        string_wipe_free(m->key, m->key_len);
                        goto fail;
                }
                n++;
                skip_ws(p);
                if (at_end(p)) {
                        r = fail(p, -EBADMSG, "unexpected end in an object");
                        goto fail;
                }
                if (p->data[p->pos] == '}') {
                        p->pos++;
                        break;
                }
                if (p->data[p->pos] != ',') {
                        r = fail(p, -EBADMSG, "expected ',' or '}' in an object");
                        goto fail;
                }
                p->pos++;
        }
        *v = (struct json_in){ .type = JSON_IN_OBJECT };
        v->object.members = calloc(n, sizeof(*members));
        if (!v->object.members) {
                r = fail(p, -ENOMEM, "out of memory");
                goto fail;
        }
        memcpy(v->object.members, members, n * sizeof(*members));
        v->object.n = n;
        return 0;
fail:
        for (size_t i = 0; i < n; i++) {
                string_wipe_free(members[i].key, members[i].key_len);
                value_done(&members[i].value);
        }
        return r;
}

static int parse_container(struct parser *p, struct json_in *v) {
        int r;

        if (p->depth >= JSON_IN_DEPTH_MAX)
                return fail(p, -E2BIG, "nested deeper than %d levels", JSON_IN_DEPTH_MAX);
        p->depth++;
        r = p->data[p->pos] == '{' ? parse_object(p, v) : parse_array(p, v);
        p->depth--;
        return r;
}

static int parse_value(struct parser *p, struct json_in *v) {
        int r;

        skip_ws(p);
        if (at_end(p))
                return fail(p, -EBADMSG, "unexpected end, expected a value");
        *v = (struct json_in){ .type = JSON_IN_NULL };
        switch (p->data[p->pos]) {
        case '{':
        case '[':
                return parse_container(p, v);
        case '"':
                r = parse_string(p, &v->string.s, &v->string.len);
                if (r < 0)
                        return r;
                v->type = JSON_IN_STRING;
                return 0;
        case 't':
                v->type = JSON_IN_BOOL;
                v->boolean = true;
                return parse_literal(p, "true", 4);
        case 'f':
                v->type = JSON_IN_BOOL;
                v->boolean = false;
                return parse_literal(p, "false", 5);
        case 'n':
                return parse_literal(p, "null", 4);
        default:
                if (p->data[p->pos] == '-' || is_digit(p->data[p->pos]))
                        return parse_number(p, v);
                return fail(p, -EBADMSG, "unexpected character, expected a value");
        }
}

int json_in_parse(const void *data, size_t len, struct json_in **ret, char *err, size_t errlen) {
        struct parser p = {
                .data = data,
                .len = len,
                .err = err,
                .errlen = errlen,
        };
        struct json_in *v;
        int r;

        if (err && errlen > 0)
                err[0] = '\0';
        if (!ret || (!data && len > 0))
                return -EINVAL;
        skip_ws(&p);
        if (at_end(&p))
                return fail(&p, -EBADMSG, "empty, expected an object");
        if (p.data[p.pos] != '{')
                return fail(&p, -EBADMSG, "not an object");
        v = calloc(1, sizeof(*v));
        if (!v)
                return fail(&p, -ENOMEM, "out of memory");
        r = parse_value(&p, v);
        if (r < 0) {
                free(v);
                return r;
        }
        skip_ws(&p);
        if (!at_end(&p)) {
                json_in_free(v);
                return fail(&p, -EBADMSG, "trailing bytes after the object");
        }
        *ret = v;
        return 0;
}
