/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-util.h"

#include "code-name.h"

#include <stdio.h>
#include <string.h>

static long u8len(const char *s) {
        return dl_utf8_length(s, strlen(s));
}

/* dl_code_name_check() with the message filled in as promised. */
static int check(const char *name) {
        struct dl_error err = {};
        int r;

        r = dl_code_name_check(name, &err);
        if (r < 0) {
                assert_int_equal(err.code, r);
                assert_true(err.message[0] != '\0');
                /* The message is valid UTF-8 itself: the name is not echoed. */
                assert_true(dl_utf8_length(err.message, strlen(err.message)) > 0);
        } else
                assert_int_equal(err.code, 0);

        /* NULL err gives the same answer. */
        assert_int_equal(dl_code_name_check(name, NULL), r);
        return r;
}

static void check_message(const char *name, int expected, const char *message) {
        struct dl_error err = {};

        assert_int_equal(dl_code_name_check(name, &err), expected);
        assert_string_equal(err.message, message);
}

/* `count` copies of `unit` into buf. */
static char *repeat(char *buf, size_t bufsz, const char *unit, size_t count) {
        size_t u = strlen(unit);

        assert_true(u * count < bufsz);
        for (size_t i = 0; i < count; i++)
                memcpy(buf + i * u, unit, u);
        buf[u * count] = '\0';
        return buf;
}

/* ---- dl_utf8_length: valid input ---- */

static void test_utf8_ascii(void **state) {
        (void)state;
        assert_int_equal(dl_utf8_length("", 0), 0);
        assert_int_equal(dl_utf8_length(NULL, 0), 0);
        assert_int_equal(u8len("a"), 1);
        assert_int_equal(u8len("Front door"), 10);
        assert_int_equal(u8len("\x01\x1f\x7f"), 3); /* controls are valid UTF-8 */
        /* Only the first n bytes count. */
        assert_int_equal(dl_utf8_length("abcdef", 3), 3);
}

static void test_utf8_multibyte(void **state) {
        (void)state;
        assert_int_equal(u8len("\xc3\xa9"), 1);         /* é */
        assert_int_equal(u8len("caf\xc3\xa9"), 4);      /* café */
        assert_int_equal(u8len("\xe2\x82\xac"), 1);     /* € */
        assert_int_equal(u8len("\xf0\x9f\x94\x91"), 1); /* 🔑 */
        assert_int_equal(u8len("K\xc3\xbc"
                               "che \xf0\x9f\x8d\xb3"),
                         7);                                    /* Küche 🍳 */
        assert_int_equal(u8len("\xe6\x97\xa5\xe6\x9c\xac"), 2); /* 日本 */
}

/* The first and last code point of every encoded length, and around the
 * surrogate gap. */
static void test_utf8_boundaries(void **state) {
        (void)state;
        assert_int_equal(u8len("\x7f"), 1);             /* U+007F */
        assert_int_equal(u8len("\xc2\x80"), 1);         /* U+0080 */
        assert_int_equal(u8len("\xdf\xbf"), 1);         /* U+07FF */
        assert_int_equal(u8len("\xe0\xa0\x80"), 1);     /* U+0800 */
        assert_int_equal(u8len("\xed\x9f\xbf"), 1);     /* U+D7FF */
        assert_int_equal(u8len("\xee\x80\x80"), 1);     /* U+E000 */
        assert_int_equal(u8len("\xef\xbf\xbd"), 1);     /* U+FFFD */
        assert_int_equal(u8len("\xef\xbf\xbf"), 1);     /* U+FFFF */
        assert_int_equal(u8len("\xf0\x90\x80\x80"), 1); /* U+10000 */
        assert_int_equal(u8len("\xf3\xbf\xbf\xbf"), 1); /* U+FFFFF */
        assert_int_equal(u8len("\xf4\x80\x80\x80"), 1); /* U+100000 */
        assert_int_equal(u8len("\xf4\x8f\xbf\xbf"), 1); /* U+10FFFF */
}

/* ---- dl_utf8_length: invalid input ---- */

static void test_utf8_overlong(void **state) {
        (void)state;
        assert_int_equal(u8len("\xc0\x80"), -EILSEQ);         /* NUL */
        assert_int_equal(u8len("\xc0\xaf"), -EILSEQ);         /* '/' */
        assert_int_equal(u8len("\xc1\xbf"), -EILSEQ);         /* U+007F */
        assert_int_equal(u8len("\xe0\x80\x80"), -EILSEQ);     /* NUL */
        assert_int_equal(u8len("\xe0\x80\xaf"), -EILSEQ);     /* '/' */
        assert_int_equal(u8len("\xe0\x9f\xbf"), -EILSEQ);     /* U+07FF */
        assert_int_equal(u8len("\xf0\x80\x80\x80"), -EILSEQ); /* NUL */
        assert_int_equal(u8len("\xf0\x80\x80\xaf"), -EILSEQ); /* '/' */
        assert_int_equal(u8len("\xf0\x8f\xbf\xbf"), -EILSEQ); /* U+FFFF */
        /* Five- and six-byte forms are gone altogether. */
        assert_int_equal(u8len("\xf8\x80\x80\x80\xaf"), -EILSEQ);
        assert_int_equal(u8len("\xfc\x80\x80\x80\x80\xaf"), -EILSEQ);
}

static void test_utf8_surrogates(void **state) {
        (void)state;
        assert_int_equal(u8len("\xed\xa0\x80"), -EILSEQ); /* U+D800 */
        assert_int_equal(u8len("\xed\xad\xbf"), -EILSEQ); /* U+DB7F */
        assert_int_equal(u8len("\xed\xb0\x80"), -EILSEQ); /* U+DC00 */
        assert_int_equal(u8len("\xed\xbf\xbf"), -EILSEQ); /* U+DFFF */
        /* A CESU-8 pair for U+1F511. */
        assert_int_equal(u8len("\xed\xa0\xbd\xed\xb4\x91"), -EILSEQ);
        assert_int_equal(u8len("ok\xed\xa0\x80ok"), -EILSEQ);
}

static void test_utf8_too_large(void **state) {
        (void)state;
        assert_int_equal(u8len("\xf4\x90\x80\x80"), -EILSEQ); /* U+110000 */
        assert_int_equal(u8len("\xf4\xbf\xbf\xbf"), -EILSEQ);
        assert_int_equal(u8len("\xf5\x80\x80\x80"), -EILSEQ);
        assert_int_equal(u8len("\xf7\xbf\xbf\xbf"), -EILSEQ);
        /* Bytes that never occur in UTF-8. */
        for (unsigned b = 0xf5; b <= 0xff; b++) {
                char s[5] = { (char)b, (char)0x80, (char)0x80, (char)0x80, 0 };
                assert_int_equal(dl_utf8_length(s, 4), -EILSEQ);
                assert_int_equal(dl_utf8_length(s, 1), -EILSEQ);
        }
}

static void test_utf8_truncated(void **state) {
        (void)state;
        assert_int_equal(u8len("\xc3"), -EILSEQ);
        assert_int_equal(u8len("\xe2\x82"), -EILSEQ);
        assert_int_equal(u8len("\xe2"), -EILSEQ);
        assert_int_equal(u8len("\xf0\x9f\x94"), -EILSEQ);
        assert_int_equal(u8len("\xf0\x9f"), -EILSEQ);
        assert_int_equal(u8len("abc\xf0"), -EILSEQ);
        /* Cut short by n, with the rest of the sequence beyond it. */
        assert_int_equal(dl_utf8_length("\xc3\xa9", 1), -EILSEQ);
        assert_int_equal(dl_utf8_length("\xe2\x82\xac", 2), -EILSEQ);
        assert_int_equal(dl_utf8_length("\xf0\x9f\x94\x91", 3), -EILSEQ);
        assert_int_equal(dl_utf8_length("a\xf0\x9f\x94\x91", 2), -EILSEQ);
        /* Interrupted by an ASCII byte or a new lead byte. */
        assert_int_equal(u8len("\xc3"
                               "a"),
                         -EILSEQ);
        assert_int_equal(u8len("\xe2\x82"
                               "a"),
                         -EILSEQ);
        assert_int_equal(u8len("\xf0\x9f\x94"
                               "a"),
                         -EILSEQ);
        assert_int_equal(u8len("\xc3\xc3\xa9"), -EILSEQ);
        assert_int_equal(u8len("\xe2\xc3\xa9"), -EILSEQ);
}

static void test_utf8_stray_continuation(void **state) {
        (void)state;
        assert_int_equal(u8len("\x80"), -EILSEQ);
        assert_int_equal(u8len("\xbf"), -EILSEQ);
        assert_int_equal(u8len("a\x80"), -EILSEQ);
        assert_int_equal(u8len("\xc3\xa9\xa9"), -EILSEQ); /* one too many */
        assert_int_equal(u8len("\xe2\x82\xac\x80"), -EILSEQ);
        for (unsigned b = 0x80; b <= 0xbf; b++) {
                char s[2] = { (char)b, 0 };
                assert_int_equal(dl_utf8_length(s, 1), -EILSEQ);
        }
}

static void test_utf8_nul(void **state) {
        (void)state;
        assert_int_equal(dl_utf8_length("a\0b", 3), -EILSEQ);
        assert_int_equal(dl_utf8_length("\0", 1), -EILSEQ);
        assert_int_equal(dl_utf8_length("ab\0", 3), -EILSEQ);
        assert_int_equal(dl_utf8_length("\xc3\xa9\0\xc3\xa9", 5), -EILSEQ);
        assert_int_equal(dl_utf8_length("a\0b", 1), 1);
}

/* Every two-byte sequence, checked against the rules written out plainly. */
static void test_utf8_exhaustive_two_bytes(void **state) {
        (void)state;
        for (unsigned a = 0; a < 256; a++)
                for (unsigned b = 0; b < 256; b++) {
                        char s[2] = { (char)a, (char)b };
                        long expected;

                        if (a == 0 || b == 0)
                                expected = -EILSEQ;
                        else if (a < 0x80 && b < 0x80)
                                expected = 2;
                        else if (a >= 0xc2 && a <= 0xdf && b >= 0x80 && b <= 0xbf)
                                expected = 1;
                        else
                                expected = -EILSEQ;
                        assert_int_equal(dl_utf8_length(s, 2), expected);
                }
}

/* Every code point encodes and decodes; every three-byte sequence agrees with
 * the code point it names. */
static void test_utf8_exhaustive_three_bytes(void **state) {
        (void)state;
        for (unsigned a = 0xe0; a <= 0xef; a++)
                for (unsigned b = 0; b < 256; b++)
                        for (unsigned c = 0; c < 256; c++) {
                                char s[3] = { (char)a, (char)b, (char)c };
                                bool cont = b >= 0x80 && b <= 0xbf && c >= 0x80 && c <= 0xbf;
                                unsigned cp = ((a & 0x0f) << 12) | ((b & 0x3f) << 6) | (c & 0x3f);
                                bool valid = cont && cp >= 0x800 && !(cp >= 0xd800 && cp <= 0xdfff);

                                if (valid)
                                        assert_int_equal(dl_utf8_length(s, 3), 1);
                                else if (dl_utf8_length(s, 3) != -EILSEQ)
                                        fail_msg("%02x %02x %02x accepted", a, b, c);
                        }
}

/* Encode cp in `len` bytes, overlong if len is more than needed. */
static size_t encode(unsigned cp, size_t len, char *out) {
        static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };

        if (len == 1) {
                out[0] = (char)cp;
                return 1;
        }
        for (size_t i = len - 1; i > 0; i--) {
                out[i] = (char)(0x80 | (cp & 0x3f));
                cp >>= 6;
        }
        out[0] = (char)(lead[len] | cp);
        return len;
}

static size_t shortest(unsigned cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/* Every code point in its shortest form is accepted, except NUL and the
 * surrogates; every longer (overlong) form is refused. */
static void test_utf8_every_code_point(void **state) {
        (void)state;
        for (unsigned cp = 0; cp <= 0x10ffff; cp++) {
                char s[4];
                size_t n = encode(cp, shortest(cp), s);
                long expected = (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff)) ? -EILSEQ : 1;

                if (dl_utf8_length(s, n) != expected)
                        fail_msg("U+%04X: got %ld", cp, dl_utf8_length(s, n));

                for (size_t len = shortest(cp) + 1; len <= 4; len++) {
                        if (len < 2)
                                continue;
                        n = encode(cp, len, s);
                        if (dl_utf8_length(s, n) != -EILSEQ)
                                fail_msg("overlong U+%04X in %zu bytes accepted", cp, len);
                }
        }
}

static void test_utf8_null_pointer(void **state) {
        (void)state;
        assert_true(dl_utf8_length(NULL, 1) < 0);
}

/* ---- dl_code_name_check ---- */

static void test_name_ok(void **state) {
        (void)state;
        assert_int_equal(check("Front door"), 0);
        assert_int_equal(check("a"), 0);
        assert_int_equal(check("Cleaner (Tuesdays)"), 0);
        assert_int_equal(check("Gr\xc3\xa4"
                               "fin M\xc3\xbcller"),
                         0);
        assert_int_equal(check("\xe3\x81\x8a\xe3\x81\xb0\xe3\x81\x82\xe3\x81\xa1\xe3\x82\x83\xe3\x82\x93"),
                         0);
        assert_int_equal(check("a b"), 0);
        assert_int_equal(check("a  b"), 0);
        /* A no-break space inside is fine; it is not a control. */
        assert_int_equal(check("a\xc2\xa0"
                               "b"),
                         0);
}

static void test_name_emoji(void **state) {
        (void)state;
        assert_int_equal(check("\xf0\x9f\x94\x91"), 0);            /* 🔑 */
        assert_int_equal(check("Dog walker \xf0\x9f\x90\x95"), 0); /* 🐕 */
        assert_int_equal(check("\xf0\x9f\x8f\xa0 Home"), 0);       /* 🏠 */
        /* A ZWJ sequence: 👨‍👩‍👧 is 5 code points. */
        assert_int_equal(check("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7"),
                         0);
}

static void test_name_empty(void **state) {
        (void)state;
        assert_int_equal(check(""), -EINVAL);
        assert_int_equal(check(NULL), -EINVAL);
        check_message("", -EINVAL, "Code name must not be empty");
}

/* The limit counts code points, not bytes. */
static void test_name_length(void **state) {
        char buf[DL_CODE_NAME_MAX_BYTES + 8];

        (void)state;
        assert_int_equal(check(repeat(buf, sizeof(buf), "a", 32)), 0);
        assert_int_equal(check(repeat(buf, sizeof(buf), "a", 33)), -ENAMETOOLONG);

        /* 32 x é is 64 bytes and fine. */
        repeat(buf, sizeof(buf), "\xc3\xa9", 32);
        assert_int_equal(strlen(buf), 64);
        assert_int_equal(check(buf), 0);
        assert_int_equal(check(repeat(buf, sizeof(buf), "\xc3\xa9", 33)), -ENAMETOOLONG);

        assert_int_equal(check(repeat(buf, sizeof(buf), "\xe2\x82\xac", 32)), 0);
        assert_int_equal(check(repeat(buf, sizeof(buf), "\xe2\x82\xac", 33)), -ENAMETOOLONG);

        /* 32 four-byte code points is the largest name, and fits in
         * DL_CODE_NAME_MAX_BYTES with its NUL. */
        repeat(buf, sizeof(buf), "\xf0\x9f\x94\x91", 32);
        assert_int_equal(strlen(buf) + 1, DL_CODE_NAME_MAX_BYTES);
        assert_int_equal(check(buf), 0);
        assert_int_equal(check(repeat(buf, sizeof(buf), "\xf0\x9f\x94\x91", 33)), -ENAMETOOLONG);

        check_message(repeat(buf, sizeof(buf), "x", 33), -ENAMETOOLONG,
                      "Code name is longer than 32 characters");
}

static void test_name_very_long(void **state) {
        _cleanup_free_ char *buf = malloc(100001);

        (void)state;
        assert_non_null(buf);
        memset(buf, 'a', 100000);
        buf[100000] = '\0';
        assert_int_equal(check(buf), -ENAMETOOLONG);
}

static void test_name_digits_only(void **state) {
        (void)state;
        assert_int_equal(check("1234"), -EINVAL);
        assert_int_equal(check("0"), -EINVAL);
        assert_int_equal(check("00000000000000000000000000000000"), -EINVAL);
        check_message("42", -EINVAL, "Code name must not be digits only (it would be taken for a code id)");
        /* Anything else in it makes it a name. */
        assert_int_equal(check("12a"), 0);
        assert_int_equal(check("a12"), 0);
        assert_int_equal(check("1 2"), 0);
        assert_int_equal(check("-1"), 0);
        assert_int_equal(check("#1"), 0);
        assert_int_equal(check("1.5"), 0);
        /* Non-ASCII digits are not what lockctl parses as an id. */
        assert_int_equal(check("\xd9\xa1\xd9\xa2\xd9\xa3"), 0); /* ١٢٣ */
        assert_int_equal(check("\xef\xbc\x91\xef\xbc\x92"), 0); /* １２ */
        /* Too long wins over digits only. */
        assert_int_equal(check("123456789012345678901234567890123"), -ENAMETOOLONG);
}

static void test_name_invalid_utf8(void **state) {
        (void)state;
        assert_int_equal(check("\xc0\x80"), -EILSEQ);
        assert_int_equal(check("a\xc0\x80"
                               "b"),
                         -EILSEQ);
        assert_int_equal(check("\xed\xa0\x80"), -EILSEQ);
        assert_int_equal(check("\xf5\x80\x80\x80"), -EILSEQ);
        assert_int_equal(check("\xf4\x90\x80\x80"), -EILSEQ);
        assert_int_equal(check("door\xc3"), -EILSEQ);
        assert_int_equal(check("door\xe2\x82"), -EILSEQ);
        assert_int_equal(check("\x80"), -EILSEQ);
        assert_int_equal(check("do\x80or"), -EILSEQ);
        assert_int_equal(check("\xff\xfe"), -EILSEQ);
        /* Latin-1, not UTF-8. */
        assert_int_equal(check("caf\xe9"), -EILSEQ);
        check_message("\xc0\x80", -EILSEQ, "Code name is not valid UTF-8");
        /* Invalid wins over everything else. */
        assert_int_equal(check(" \x80"), -EILSEQ);
        assert_int_equal(check("1\x80"), -EILSEQ);
}

static void test_utf8_trim_partial(void **state) {
        char a[] = "ab\xc3", b[] = "ab\xe2\x82", c[] = "ab\xe2\x82\xac", d[] = "\xf0\x9f\x94", e[] = "abc";

        (void)state;
        dl_utf8_trim_partial(a);
        assert_string_equal(a, "ab");
        dl_utf8_trim_partial(b);
        assert_string_equal(b, "ab");
        dl_utf8_trim_partial(c);
        assert_string_equal(c, "ab\xe2\x82\xac"); /* complete euro sign kept */
        dl_utf8_trim_partial(d);
        assert_string_equal(d, "");
        dl_utf8_trim_partial(e);
        assert_string_equal(e, "abc");
}

static void test_name_invisible(void **state) {
        const char *bad[] = {
                "Ali\xe2\x80\x8b"
                "ce", /* zero-width space */
                /* The next two are the attack itself. */
                "Bob\xe2\x80\xae" /* NOLINT(misc-misleading-bidirectional) */
                "ecilA",          /* right-to-left override */
                "Eve\xe2\x81\xa6" /* NOLINT(misc-misleading-bidirectional) */
                "x",              /* left-to-right isolate */
                "\xef\xbb\xbf"
                "Carol", /* byte-order mark */
                "Dan\xe2\x80\xa8"
                "x", /* line separator */
                "So\xc2\xad"
                "ft", /* soft hyphen */
        };

        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct dl_error err = {};

                assert_int_equal(dl_code_name_check(bad[i], &err), -EINVAL);
                assert_non_null(strstr(err.message, "invisible"));
        }
        /* Visible non-Latin text is fine. */
        assert_int_equal(dl_code_name_check("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", NULL), 0); /* Hebrew */
        assert_int_equal(dl_code_name_check("\xe5\xb1\xb1\xe7\x94\xb0", NULL), 0);         /* Yamada */
}

static void test_name_controls(void **state) {
        char buf[8];

        (void)state;
        /* Every C0 control, at the start, in the middle and at the end. */
        for (unsigned c = 1; c < 0x20; c++) {
                snprintf(buf, sizeof(buf), "%cab", c);
                assert_int_equal(check(buf), -EINVAL);
                snprintf(buf, sizeof(buf), "a%cb", c);
                assert_int_equal(check(buf), -EINVAL);
                snprintf(buf, sizeof(buf), "ab%c", c);
                assert_int_equal(check(buf), -EINVAL);
        }
        assert_int_equal(check("a\tb"), -EINVAL);
        assert_int_equal(check("a\nb"), -EINVAL);
        assert_int_equal(check("a\rb"), -EINVAL);
        assert_int_equal(check("\x1b[31mred"), -EINVAL);
        /* DEL. */
        assert_int_equal(check("a\x7f"
                               "b"),
                         -EINVAL);
        /* Every C1 control, U+0080..U+009F. */
        for (unsigned c = 0x80; c <= 0x9f; c++) {
                snprintf(buf, sizeof(buf), "a\xc2%cb", c);
                assert_int_equal(check(buf), -EINVAL);
        }
        /* Either side of the C1 block. */
        assert_int_equal(check("a\xc2\xa0"
                               "b"),
                         0);
        assert_int_equal(check("a~b"), 0);
        check_message("a\tb", -EINVAL, "Code name must not contain control characters");
        /* A control in a digits-only name is reported as a control. */
        check_message("12\n", -EINVAL, "Code name must not contain control characters");
}

static void test_name_edge_spaces(void **state) {
        (void)state;
        assert_int_equal(check(" "), -EINVAL);
        assert_int_equal(check("  "), -EINVAL);
        assert_int_equal(check(" door"), -EINVAL);
        assert_int_equal(check("door "), -EINVAL);
        assert_int_equal(check(" door "), -EINVAL);
        assert_int_equal(check("1234 "), -EINVAL);
        assert_int_equal(check(" \xc3\xa9"), -EINVAL);
        assert_int_equal(check("\xc3\xa9 "), -EINVAL);
        /* Tabs and newlines at the edge are controls. */
        assert_int_equal(check("\tdoor"), -EINVAL);
        assert_int_equal(check("door\n"), -EINVAL);
        check_message(" door", -EINVAL, "Code name must not start or end with a space");
        check_message("door ", -EINVAL, "Code name must not start or end with a space");
        assert_int_equal(check("front door"), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_utf8_ascii),
                cmocka_unit_test(test_utf8_multibyte),
                cmocka_unit_test(test_utf8_boundaries),
                cmocka_unit_test(test_utf8_overlong),
                cmocka_unit_test(test_utf8_surrogates),
                cmocka_unit_test(test_utf8_too_large),
                cmocka_unit_test(test_utf8_truncated),
                cmocka_unit_test(test_utf8_stray_continuation),
                cmocka_unit_test(test_utf8_nul),
                cmocka_unit_test(test_utf8_exhaustive_two_bytes),
                cmocka_unit_test(test_utf8_exhaustive_three_bytes),
                cmocka_unit_test(test_utf8_every_code_point),
                cmocka_unit_test(test_utf8_null_pointer),
                cmocka_unit_test(test_name_ok),
                cmocka_unit_test(test_name_emoji),
                cmocka_unit_test(test_name_empty),
                cmocka_unit_test(test_name_length),
                cmocka_unit_test(test_name_very_long),
                cmocka_unit_test(test_name_digits_only),
                cmocka_unit_test(test_name_invalid_utf8),
                cmocka_unit_test(test_name_controls),
                cmocka_unit_test(test_name_invisible),
                cmocka_unit_test(test_utf8_trim_partial),
                cmocka_unit_test(test_name_edge_spaces),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
