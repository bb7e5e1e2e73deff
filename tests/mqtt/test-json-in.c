/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json-in.c: what it takes (and decodes), what it refuses and with which
 * errno, its bounds exactly at the edge, and that its messages never quote
 * a string. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the four above. */
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-in.h"

static int parse(const char *s, struct json_in **ret, char *err, size_t errlen) {
        return json_in_parse(s, strlen(s), ret, err, errlen);
}

/* s must be refused with r; the message is set and does not hold secret. */
static void refused(const char *s, int want, const char *secret) {
        struct json_in *v = NULL;
        char err[256] = "";
        int r = parse(s, &v, err, sizeof(err));

        if (r != want)
                fail_msg("%s: %d (%s), wanted %d", s, r, err, want);
        assert_null(v);
        assert_true(strncmp(err, "at byte ", 8) == 0);
        if (secret)
                assert_null(strstr(err, secret));
}

static void test_values(void **state) {
        struct json_in *v = NULL;
        const struct json_in *x;
        char err[256];

        (void)state;
        assert_int_equal(parse(" \t\r\n{\"s\":\"abc\",\"i\":-42,\"z\":0,\"t\":true,\"f\":false,\"n\":null,"
                               "\"a\":[1,\"x\",[]],\"o\":{\"k\":{}}} \n",
                               &v, err, sizeof(err)),
                         0);
        assert_int_equal(v->type, JSON_IN_OBJECT);
        assert_int_equal(v->object.n, 8);
        assert_string_equal(v->object.members[0].key, "s"); /* document order */
        x = json_in_get(v, "s");
        assert_int_equal(x->type, JSON_IN_STRING);
        assert_string_equal(x->string.s, "abc");
        assert_int_equal(x->string.len, 3);
        assert_int_equal(json_in_get(v, "i")->integer, -42);
        assert_int_equal(json_in_get(v, "z")->integer, 0);
        assert_true(json_in_get(v, "t")->boolean);
        assert_int_equal(json_in_get(v, "f")->type, JSON_IN_BOOL);
        assert_false(json_in_get(v, "f")->boolean);
        assert_int_equal(json_in_get(v, "n")->type, JSON_IN_NULL);
        x = json_in_get(v, "a");
        assert_int_equal(x->type, JSON_IN_ARRAY);
        assert_int_equal(x->array.n, 3);
        assert_int_equal(x->array.items[0].integer, 1);
        assert_string_equal(x->array.items[1].string.s, "x");
        assert_int_equal(x->array.items[2].type, JSON_IN_ARRAY);
        assert_int_equal(x->array.items[2].array.n, 0);
        x = json_in_get(json_in_get(v, "o"), "k");
        assert_int_equal(x->type, JSON_IN_OBJECT);
        assert_int_equal(x->object.n, 0);
        assert_null(json_in_get(v, "nope"));
        assert_null(json_in_get(json_in_get(v, "s"), "s")); /* not an object */
        assert_null(json_in_get(NULL, "s"));
        v = json_in_free(v);
        assert_null(json_in_free(NULL));

        assert_int_equal(parse("{}", &v, err, sizeof(err)), 0);
        assert_int_equal(v->object.n, 0);
        v = json_in_free(v);
}

static void test_strings(void **state) {
        static const struct {
                const char *in, *out;
                size_t len;
        } ok[] = {
                { "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", "\" \\ / \b \f \n \r \t", 15 },
                { "\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac", 6 },
                { "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4 }, /* a surrogate pair */
                { "\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf", 4 }, /* U+10FFFF */
                { "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9 },
                { "\"\x7f\"", "\x7f", 1 },
                { "\"\"", "", 0 },
        };
        char text[128], err[256];

        (void)state;
        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
                struct json_in *v = NULL;
                const struct json_in *s;

                snprintf(text, sizeof(text), "{\"k\":%s}", ok[i].in);
                if (parse(text, &v, err, sizeof(err)) != 0)
                        fail_msg("%s: %s", text, err);
                s = json_in_get(v, "k");
                assert_int_equal(s->type, JSON_IN_STRING);
                assert_int_equal(s->string.len, ok[i].len);
                assert_memory_equal(s->string.s, ok[i].out, ok[i].len + 1);
                json_in_free(v);
        }
        /* Keys are decoded too. */
        {
                struct json_in *v = NULL;

                assert_int_equal(parse("{\"\\u0070in\":1}", &v, err, sizeof(err)), 0);
                assert_non_null(json_in_get(v, "pin"));
                json_in_free(v);
        }
}

static void test_bad_strings(void **state) {
        static const char *const bad[] = {
                "{\"k\":\"\\u0000\"}",          /* NUL escaped */
                "{\"k\":\"\\ud83d\"}",          /* lone high surrogate */
                "{\"k\":\"\\ud83dx\"}",         /* high surrogate, no escape after */
                "{\"k\":\"\\ud83d\\u0041\"}",   /* high, then not a low one */
                "{\"k\":\"\\ud83d\\ud83d\"}",   /* high, high */
                "{\"k\":\"\\ude00\\ud83d\"}",   /* reversed */
                "{\"k\":\"\\ude00\"}",          /* lone low */
                "{\"k\":\"\\u12\"}",            /* short */
                "{\"k\":\"\\u12g4\"}",          /* not hex */
                "{\"k\":\"\\x41\"}",            /* unknown escape */
                "{\"k\":\"\\'\"}",              /* unknown escape */
                "{\"k\":\"a\nb\"}",             /* raw control character */
                "{\"k\":\"a\tb\"}",             /* raw tab */
                "{\"k\":\"\xc0\xaf\"}",         /* overlong '/' */
                "{\"k\":\"\xe0\x80\xaf\"}",     /* overlong, 3 bytes */
                "{\"k\":\"\xf0\x80\x80\xaf\"}", /* overlong, 4 bytes */
                "{\"k\":\"\xed\xa0\x80\"}",     /* a surrogate in UTF-8 */
                "{\"k\":\"\xf4\x90\x80\x80\"}", /* past U+10FFFF */
                "{\"k\":\"\xff\"}",             /* never UTF-8 */
                "{\"k\":\"\x80\"}",             /* a stray continuation byte */
                "{\"k\":\"\xc3\"}",             /* cut short */
                "{\"k\":\"\xe2\x82\"}",         /* cut short */
                "{\"\xff\":1}",                 /* in a key */
        };

        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                refused(bad[i], -EILSEQ, NULL);

        /* A raw NUL inside a string (the length says where the end is). */
        {
                static const char s[] = "{\"k\":\"12\0"
                                        "34\"}";
                struct json_in *v = NULL;
                char err[256];

                assert_int_equal(json_in_parse(s, sizeof(s) - 1, &v, err, sizeof(err)), -EILSEQ);
                assert_null(v);
        }
}

static void test_syntax(void **state) {
        static const char *const bad[] = {
                "",
                "   ",
                "[]", /* not an object at the top */
                "\"s\"",
                "42",
                "null",
                "{",
                "{\"k\"",
                "{\"k\":",
                "{\"k\":1",
                "{\"k\":1,",
                "{\"k\":1,}",
                "{,}",
                "{\"k\" 1}",
                "{k:1}",
                "{'k':1}",
                "{\"k\":1}}",
                "{\"k\":1} x",
                "{\"k\":1}{}",
                "{} {}",
                "{\"k\":\"abc}",
                "{\"k\":[1,]}",
                "{\"k\":[1 2]}",
                "{\"k\":[}",
                "{\"k\":tru}",
                "{\"k\":True}",
                "{\"k\":nul}",
                "{\"k\":+1}",
                "{\"k\":01}",
                "{\"k\":-}",
                "{\"k\":-01}",
                "{\"k\":1.}",
                "{\"k\":.5}",
                "{\"k\":1e}",
                "{\"k\":0x10}",
                "{\"k\":NaN}",
                "{\"k\":Infinity}",
                "{\"k\":1}\x01",
                "\xef\xbb\xbf{}", /* no BOM */
        };

        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                refused(bad[i], -EBADMSG, NULL);

        /* A NUL after the object is a trailing byte. */
        {
                static const char s[] = "{}\0";
                struct json_in *v = NULL;

                assert_int_equal(json_in_parse(s, sizeof(s), &v, NULL, 0), -EBADMSG);
                assert_null(v);
        }
        /* No buffer and no length: empty. */
        {
                struct json_in *v = NULL;

                assert_int_equal(json_in_parse(NULL, 0, &v, NULL, 0), -EBADMSG);
                assert_int_equal(json_in_parse(NULL, 1, &v, NULL, 0), -EINVAL);
                assert_int_equal(json_in_parse("{}", 2, NULL, NULL, 0), -EINVAL);
        }
}

static void test_numbers(void **state) {
        static const struct {
                const char *in;
                int64_t want;
        } ok[] = {
                { "0", 0 },
                { "-0", 0 },
                { "9223372036854775807", INT64_MAX },
                { "-9223372036854775808", INT64_MIN },
                { "1764870000000000", INT64_C(1764870000000000) },
        };
        static const char *const fraction[] = {
                "1.0", "1.5", "-0.0", "1e3", "1E3", "1e+3", "1e-3", "2.5e10"
        };
        static const char *const range[] = {
                "9223372036854775808",
                "-9223372036854775809",
                "18446744073709551616",
                "99999999999999999999999999999",
        };
        char text[128], err[256];

        (void)state;
        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
                struct json_in *v = NULL;

                snprintf(text, sizeof(text), "{\"k\":%s}", ok[i].in);
                if (parse(text, &v, err, sizeof(err)) != 0)
                        fail_msg("%s: %s", text, err);
                assert_int_equal(json_in_get(v, "k")->type, JSON_IN_INTEGER);
                assert_true(json_in_get(v, "k")->integer == ok[i].want);
                json_in_free(v);
        }
        for (size_t i = 0; i < sizeof(fraction) / sizeof(fraction[0]); i++) {
                snprintf(text, sizeof(text), "{\"k\":%s}", fraction[i]);
                refused(text, -EDOM, NULL);
        }
        for (size_t i = 0; i < sizeof(range) / sizeof(range[0]); i++) {
                snprintf(text, sizeof(text), "{\"k\":%s}", range[i]);
                refused(text, -ERANGE, NULL);
        }
}

/* Depth: the top-level object is 1; 4 is taken, 5 is not. */
static void test_depth(void **state) {
        struct json_in *v = NULL;

        (void)state;
        assert_int_equal(parse("{\"a\":[{\"b\":[]}]}", &v, NULL, 0), 0);
        v = json_in_free(v);
        assert_int_equal(parse("{\"a\":{\"b\":{\"c\":{\"d\":1}}}}", &v, NULL, 0), 0);
        v = json_in_free(v);
        refused("{\"a\":[{\"b\":[[]]}]}", -E2BIG, NULL);
        refused("{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}", -E2BIG, NULL);
        /* Deep nesting is refused at the limit, not by running out of stack. */
        {
                size_t n = 100000;
                char *s = malloc(n + 3);

                assert_non_null(s);
                s[0] = '{';
                s[1] = '"';
                s[2] = '"';
                s[3] = ':';
                memset(s + 4, '[', n - 4);
                s[n] = '\0';
                refused(s, -E2BIG, NULL);
                free(s);
        }
}

static void test_members(void **state) {
        char text[2048];
        struct json_in *v = NULL;
        size_t n;

        (void)state;
        /* 64 members: taken; 65: not. */
        n = (size_t)snprintf(text, sizeof(text), "{");
        for (int i = 0; i < 64; i++)
                n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\"k%d\":%d", i ? "," : "", i, i);
        snprintf(text + n, sizeof(text) - n, "}");
        assert_int_equal(parse(text, &v, NULL, 0), 0);
        assert_int_equal(v->object.n, 64);
        assert_int_equal(json_in_get(v, "k63")->integer, 63);
        v = json_in_free(v);
        snprintf(text + n, sizeof(text) - n, ",\"k64\":64}");
        refused(text, -E2BIG, NULL);

        /* 64 elements: taken; 65: not. */
        n = (size_t)snprintf(text, sizeof(text), "{\"a\":[");
        for (int i = 0; i < 64; i++)
                n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\"x\"", i ? "," : "");
        snprintf(text + n, sizeof(text) - n, "]}");
        assert_int_equal(parse(text, &v, NULL, 0), 0);
        assert_int_equal(json_in_get(v, "a")->array.n, 64);
        v = json_in_free(v);
        snprintf(text + n, sizeof(text) - n, ",1]}");
        refused(text, -E2BIG, NULL);
}

static void test_duplicates(void **state) {
        struct json_in *v = NULL;

        (void)state;
        refused("{\"a\":1,\"a\":2}", -ENOTUNIQ, NULL);
        refused("{\"a\":1,\"b\":2,\"a\":1}", -ENOTUNIQ, NULL);
        refused("{\"a\":1,\"\\u0061\":2}", -ENOTUNIQ, NULL); /* the same key, escaped */
        refused("{\"o\":{\"x\":1,\"x\":1}}", -ENOTUNIQ, NULL);
        /* In different objects, or differing in case: fine. */
        assert_int_equal(parse("{\"a\":{\"a\":1},\"A\":1}", &v, NULL, 0), 0);
        json_in_free(v);
}

/* Messages say where and why, never what a string held. */
static void test_messages(void **state) {
        char err[256], small[12];
        struct json_in *v = NULL;

        (void)state;
        refused("{\"pin\":\"482913\", x}", -EBADMSG, "482913");
        refused("{\"pin\":\"482913\xff\"}", -EILSEQ, "482913");
        refused("{\"pin\":\"482913\",\"pin\":\"482913\"}", -ENOTUNIQ, "482913");
        refused("{\"pin\":\"482913\",\"x\":1.5}", -EDOM, "482913");
        assert_int_equal(parse("{\"k\":1} x", &v, err, sizeof(err)), -EBADMSG);
        assert_string_equal(err, "at byte 8: trailing bytes after the object");
        /* Cut to the buffer, always terminated. */
        assert_int_equal(parse("{\"k\":1} x", &v, small, sizeof(small)), -EBADMSG);
        assert_int_equal(strlen(small), sizeof(small) - 1);
        assert_string_equal(json_in_type_to_string(JSON_IN_STRING), "string");
        assert_string_equal(json_in_type_to_string(JSON_IN_INTEGER), "integer");
        assert_null(json_in_type_to_string((enum json_in_type)99));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_values),      cmocka_unit_test(test_strings),
                cmocka_unit_test(test_bad_strings), cmocka_unit_test(test_syntax),
                cmocka_unit_test(test_numbers),     cmocka_unit_test(test_depth),
                cmocka_unit_test(test_members),     cmocka_unit_test(test_duplicates),
                cmocka_unit_test(test_messages),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
