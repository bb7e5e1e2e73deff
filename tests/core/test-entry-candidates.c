/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test-util.h"

#include "entry-candidates.h"

#include <string.h>

static const struct dl_pin_policy policy_default = {
        .min_length = DL_PIN_MIN_LENGTH_DEFAULT,
        .max_length = DL_PIN_MAX_LENGTH_DEFAULT,
};

static const struct dl_pin_policy policy_widest = {
        .min_length = DL_PIN_LENGTH_FLOOR,
        .max_length = DL_PIN_LENGTH_CEILING,
};

static const char digits32[] = "48291503712648290013579246801357";

static int candidates(const char *entry, const struct dl_pin_policy *p, bool anti_peep, unsigned max_entry,
                      struct dl_candidates *out) {
        int r;

        memset(out, 0xAA, sizeof(*out));
        r = dl_entry_candidates(entry, strlen(entry), p, anti_peep, max_entry, out);
        if (r >= 0)
                assert_int_equal(out->n, (size_t)r);
        else
                assert_int_equal(out->n, 0);
        return r;
}

/* The result is exactly every (offset, length) with length in the policy
 * and offset + length <= n, ordered by offset then length. */
static void assert_all_substrings(const struct dl_candidates *c, size_t n, const struct dl_pin_policy *p) {
        size_t k = 0;

        for (size_t offset = 0; offset < n; offset++)
                for (size_t length = p->min_length; length <= p->max_length; length++) {
                        if (offset + length > n)
                                continue;
                        assert_true(k < c->n);
                        assert_int_equal(c->c[k].offset, offset);
                        assert_int_equal(c->c[k].length, length);
                        k++;
                }
        assert_int_equal(k, c->n);
}

static void test_anti_peep_16_default(void **state) {
        struct dl_candidates c;

        (void)state;
        assert_int_equal(candidates("4829150371264829", &policy_default, true, 16, &c), 45);

        /* 11 six-digit, 10 seven-digit, 9, 8, 7: 45. */
        unsigned per_length[DL_PIN_LENGTH_CEILING + 1] = {};
        for (size_t i = 0; i < c.n; i++)
                per_length[c.c[i].length]++;
        assert_int_equal(per_length[6], 11);
        assert_int_equal(per_length[7], 10);
        assert_int_equal(per_length[8], 9);
        assert_int_equal(per_length[9], 8);
        assert_int_equal(per_length[10], 7);
        assert_int_equal(per_length[5], 0);
        assert_int_equal(per_length[11], 0);

        /* Order: offset 0 lengths 6..10, offset 1 lengths 6..10, ... */
        assert_int_equal(c.c[0].offset, 0);
        assert_int_equal(c.c[0].length, 6);
        assert_int_equal(c.c[4].offset, 0);
        assert_int_equal(c.c[4].length, 10);
        assert_int_equal(c.c[5].offset, 1);
        assert_int_equal(c.c[5].length, 6);
        /* Offsets 0..6 have all five lengths (35), offset 7 has 6..9. */
        assert_int_equal(c.c[34].offset, 6);
        assert_int_equal(c.c[34].length, 10);
        assert_int_equal(c.c[35].offset, 7);
        assert_int_equal(c.c[35].length, 6);
        assert_int_equal(c.c[38].offset, 7);
        assert_int_equal(c.c[38].length, 9);
        /* The last is the six digits at the end. */
        assert_int_equal(c.c[44].offset, 10);
        assert_int_equal(c.c[44].length, 6);

        assert_all_substrings(&c, 16, &policy_default);
}

static void test_anti_peep_order(void **state) {
        struct dl_candidates c;

        (void)state;
        assert_int_equal(candidates(digits32, &policy_widest, true, 32, &c), 225);
        for (size_t i = 1; i < c.n; i++) {
                bool ordered = c.c[i - 1].offset < c.c[i].offset ||
                               (c.c[i - 1].offset == c.c[i].offset && c.c[i - 1].length < c.c[i].length);
                assert_true(ordered);
        }
        for (size_t i = 0; i < c.n; i++) {
                assert_in_range(c.c[i].length, DL_PIN_LENGTH_FLOOR, DL_PIN_LENGTH_CEILING);
                assert_true(c.c[i].offset + c.c[i].length <= 32);
        }
        assert_all_substrings(&c, 32, &policy_widest);
}

/* The real PIN hidden among decoys is one of the candidates. */
static void test_anti_peep_finds_pin(void **state) {
        const char *entry = "90017315829";
        struct dl_candidates c;
        bool found = false;

        (void)state;
        assert_int_equal(candidates(entry, &policy_default, true, 16, &c), 6 + 5 + 4 + 3 + 2);
        for (size_t i = 0; i < c.n; i++)
                if (c.c[i].length == 6 && memcmp(entry + c.c[i].offset, "731582", 6) == 0) {
                        assert_int_equal(c.c[i].offset, 4);
                        found = true;
                }
        assert_true(found);
}

static void test_anti_peep_short(void **state) {
        struct dl_candidates c;

        (void)state;
        /* Shorter than the shortest PIN: nothing. */
        assert_int_equal(candidates("48291", &policy_default, true, 16, &c), 0);
        /* Exactly min: the whole entry only. */
        assert_int_equal(candidates("482915", &policy_default, true, 16, &c), 1);
        assert_int_equal(c.c[0].offset, 0);
        assert_int_equal(c.c[0].length, 6);
        /* min + 1: two of length 6, one of length 7. */
        assert_int_equal(candidates("4829150", &policy_default, true, 16, &c), 3);
        assert_int_equal(c.c[0].offset, 0);
        assert_int_equal(c.c[0].length, 6);
        assert_int_equal(c.c[1].offset, 0);
        assert_int_equal(c.c[1].length, 7);
        assert_int_equal(c.c[2].offset, 1);
        assert_int_equal(c.c[2].length, 6);
        /* Exactly max: lengths 6..10 at offset 0 and so on (5+4+3+2+1). */
        assert_int_equal(candidates("4829150371", &policy_default, true, 16, &c), 15);
        assert_all_substrings(&c, 10, &policy_default);
}

static void test_anti_peep_single_length(void **state) {
        const struct dl_pin_policy p = { 6, 6 };
        struct dl_candidates c;

        (void)state;
        assert_int_equal(candidates("4829150371264829", &p, true, 16, &c), 11);
        for (size_t i = 0; i < c.n; i++) {
                assert_int_equal(c.c[i].offset, i);
                assert_int_equal(c.c[i].length, 6);
        }
}

static void test_anti_peep_max_entry(void **state) {
        struct dl_candidates c;
        char entry[DL_ENTRY_MAX_CEILING + 2];

        (void)state;
        /* Exactly the cap is fine, one more gives nothing. */
        assert_int_equal(candidates("4829150371264829", &policy_default, true, DL_ENTRY_MAX_DEFAULT, &c),
                         45);
        assert_int_equal(candidates("48291503712648290", &policy_default, true, DL_ENTRY_MAX_DEFAULT, &c),
                         0);

        /* A lower cap. */
        assert_int_equal(candidates("48291503", &policy_default, true, 8, &c), 3 + 2 + 1);
        assert_int_equal(candidates("482915037", &policy_default, true, 8, &c), 0);

        /* A cap below the shortest PIN means no candidates at all. */
        assert_int_equal(candidates("482915", &policy_default, true, 5, &c), 0);
        assert_int_equal(candidates("48291", &policy_default, true, 5, &c), 0);

        /* The ceiling. */
        memcpy(entry, digits32, 32);
        entry[32] = '\0';
        assert_int_equal(candidates(entry, &policy_default, true, DL_ENTRY_MAX_CEILING, &c),
                         27 + 26 + 25 + 24 + 23);
        entry[32] = '4';
        entry[33] = '\0';
        assert_int_equal(candidates(entry, &policy_default, true, DL_ENTRY_MAX_CEILING, &c), 0);
}

/* The largest possible result fits: 32 digits, lengths 4..12. */
static void test_anti_peep_cap(void **state) {
        struct dl_candidates c;
        size_t worst = 0;

        (void)state;
        for (unsigned len = DL_PIN_LENGTH_FLOOR; len <= DL_PIN_LENGTH_CEILING; len++)
                worst += DL_ENTRY_MAX_CEILING - len + 1;
        assert_int_equal(worst, 225);
        assert_true(worst <= DL_CANDIDATES_MAX);

        assert_int_equal(candidates(digits32, &policy_widest, true, DL_ENTRY_MAX_CEILING, &c), 225);
        assert_int_equal(c.c[224].offset, 28);
        assert_int_equal(c.c[224].length, 4);

        /* No policy and entry length in range does any better. */
        for (unsigned lo = DL_PIN_LENGTH_FLOOR; lo <= DL_PIN_LENGTH_CEILING; lo++)
                for (unsigned hi = lo; hi <= DL_PIN_LENGTH_CEILING; hi++)
                        for (size_t n = 0; n <= DL_ENTRY_MAX_CEILING; n++) {
                                const struct dl_pin_policy p = { lo, hi };
                                int r;

                                r = dl_entry_candidates(digits32, n, &p, true, DL_ENTRY_MAX_CEILING, &c);
                                assert_in_range(r, 0, 225);
                                assert_all_substrings(&c, n, &p);
                        }
}

static void test_plain(void **state) {
        struct dl_candidates c;

        (void)state;
        assert_int_equal(candidates("482915", &policy_default, false, 16, &c), 1);
        assert_int_equal(c.c[0].offset, 0);
        assert_int_equal(c.c[0].length, 6);

        assert_int_equal(candidates("4829150371", &policy_default, false, 16, &c), 1);
        assert_int_equal(c.c[0].offset, 0);
        assert_int_equal(c.c[0].length, 10);

        assert_int_equal(candidates("4829150", &policy_default, false, 16, &c), 1);
        assert_int_equal(c.c[0].length, 7);

        /* Outside the policy: nothing. */
        assert_int_equal(candidates("48291", &policy_default, false, 16, &c), 0);
        assert_int_equal(candidates("48291503712", &policy_default, false, 16, &c), 0);
        assert_int_equal(candidates("4829150371264829", &policy_default, false, 16, &c), 0);
        assert_int_equal(candidates(digits32, &policy_default, false, 32, &c), 0);

        /* The widest policy. */
        assert_int_equal(candidates("4829", &policy_widest, false, 16, &c), 1);
        assert_int_equal(c.c[0].length, 4);
        assert_int_equal(candidates("482915037126", &policy_widest, false, 16, &c), 1);
        assert_int_equal(c.c[0].length, 12);
        assert_int_equal(candidates("482", &policy_widest, false, 16, &c), 0);
        assert_int_equal(candidates("4829150371264", &policy_widest, false, 16, &c), 0);

        /* max_entry only caps anti-peep entries. */
        assert_int_equal(candidates("48291503", &policy_default, false, 6, &c), 1);
        assert_int_equal(c.c[0].length, 8);
}

/* Weak PINs are still candidates: refusing them is dl_pin_check()'s job,
 * and a code stored before a rule change must still open. */
static void test_weak_entry_is_candidate(void **state) {
        struct dl_candidates c;

        (void)state;
        assert_int_equal(candidates("123456", &policy_default, false, 16, &c), 1);
        assert_int_equal(candidates("000000", &policy_default, true, 16, &c), 1);
}

static void test_empty(void **state) {
        struct dl_candidates c;

        (void)state;
        assert_int_equal(candidates("", &policy_default, false, 16, &c), 0);
        assert_int_equal(candidates("", &policy_default, true, 16, &c), 0);
        memset(&c, 0xAA, sizeof(c));
        assert_int_equal(dl_entry_candidates(NULL, 0, &policy_default, true, 16, &c), 0);
        assert_int_equal(c.n, 0);
        memset(&c, 0xAA, sizeof(c));
        assert_int_equal(dl_entry_candidates(NULL, 0, &policy_default, false, 16, &c), 0);
        assert_int_equal(c.n, 0);
}

static void test_non_digits(void **state) {
        struct dl_candidates c;

        (void)state;
        for (int anti_peep = 0; anti_peep <= 1; anti_peep++) {
                assert_int_equal(candidates("48291a", &policy_default, anti_peep, 16, &c), -EINVAL);
                assert_int_equal(candidates("*482915", &policy_default, anti_peep, 16, &c), -EINVAL);
                assert_int_equal(candidates("482915#", &policy_default, anti_peep, 16, &c), -EINVAL);
                assert_int_equal(candidates("4829 15", &policy_default, anti_peep, 16, &c), -EINVAL);
                assert_int_equal(candidates("x", &policy_default, anti_peep, 16, &c), -EINVAL);
                /* Even when too short or too long to matter. */
                assert_int_equal(candidates("1a", &policy_default, anti_peep, 16, &c), -EINVAL);
                assert_int_equal(candidates("4829150371264829a", &policy_default, anti_peep, 16, &c),
                                 -EINVAL);
                /* A NUL inside the n bytes. */
                memset(&c, 0xAA, sizeof(c));
                assert_int_equal(dl_entry_candidates("482\0915", 7, &policy_default, anti_peep, 16, &c),
                                 -EINVAL);
                assert_int_equal(c.n, 0);
                /* NULL with a length. */
                assert_int_equal(dl_entry_candidates(NULL, 6, &policy_default, anti_peep, 16, &c), -EINVAL);
        }
        /* Only the first n bytes are looked at. */
        assert_int_equal(dl_entry_candidates("482915abc", 6, &policy_default, false, 16, &c), 1);
}

static void test_bad_policy(void **state) {
        struct dl_candidates c;

        (void)state;
        for (int anti_peep = 0; anti_peep <= 1; anti_peep++) {
                assert_int_equal(candidates("482915", &(struct dl_pin_policy){ 3, 10 }, anti_peep, 16, &c),
                                 -EINVAL);
                assert_int_equal(candidates("482915", &(struct dl_pin_policy){ 6, 13 }, anti_peep, 16, &c),
                                 -EINVAL);
                assert_int_equal(candidates("482915", &(struct dl_pin_policy){ 8, 6 }, anti_peep, 16, &c),
                                 -EINVAL);
                assert_int_equal(candidates("482915", &(struct dl_pin_policy){ 0, 0 }, anti_peep, 16, &c),
                                 -EINVAL);
                assert_int_equal(candidates("482915", NULL, anti_peep, 16, &c), -EINVAL);
        }
}

static void test_bad_max_entry(void **state) {
        struct dl_candidates c;

        (void)state;
        for (int anti_peep = 0; anti_peep <= 1; anti_peep++) {
                assert_int_equal(candidates("482915", &policy_default, anti_peep, 0, &c), -EINVAL);
                assert_int_equal(
                        candidates("482915", &policy_default, anti_peep, DL_ENTRY_MAX_CEILING + 1, &c),
                        -EINVAL);
                assert_int_equal(candidates("482915", &policy_default, anti_peep, ~0u, &c), -EINVAL);
                assert_int_equal(candidates("", &policy_default, anti_peep, 0, &c), -EINVAL);
                assert_int_equal(candidates("482915", &policy_default, anti_peep, 1, &c), anti_peep ? 0 : 1);
                assert_int_equal(candidates("482915", &policy_default, anti_peep, DL_ENTRY_MAX_CEILING, &c),
                                 1);
        }
}

static void test_null_out(void **state) {
        (void)state;
        assert_int_equal(dl_entry_candidates("482915", 6, &policy_default, false, 16, NULL), -EINVAL);
        assert_int_equal(dl_entry_candidates("482915", 6, &policy_default, true, 16, NULL), -EINVAL);
}

/* Every substring, read back through the offsets, is a run of digits of an
 * allowed length taken from the entry, and the candidates are distinct. */
static void test_candidates_read_back(void **state) {
        const char *entry = "0123456789012345";
        struct dl_candidates c;

        (void)state;
        assert_int_equal(candidates(entry, &policy_default, true, 16, &c), 45);
        for (size_t i = 0; i < c.n; i++) {
                const char *s = entry + c.c[i].offset;

                assert_true(dl_is_digits(s, c.c[i].length));
                assert_true(s[0] == (char)('0' + c.c[i].offset % 10));
                for (size_t j = i + 1; j < c.n; j++)
                        assert_false(c.c[i].offset == c.c[j].offset && c.c[i].length == c.c[j].length);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_anti_peep_16_default),
                cmocka_unit_test(test_anti_peep_order),
                cmocka_unit_test(test_anti_peep_finds_pin),
                cmocka_unit_test(test_anti_peep_short),
                cmocka_unit_test(test_anti_peep_single_length),
                cmocka_unit_test(test_anti_peep_max_entry),
                cmocka_unit_test(test_anti_peep_cap),
                cmocka_unit_test(test_plain),
                cmocka_unit_test(test_weak_entry_is_candidate),
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_non_digits),
                cmocka_unit_test(test_bad_policy),
                cmocka_unit_test(test_bad_max_entry),
                cmocka_unit_test(test_null_out),
                cmocka_unit_test(test_candidates_read_back),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
