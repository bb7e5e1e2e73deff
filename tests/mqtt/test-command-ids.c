/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The repeated-command cache: a repeat is answered with the first reply,
 * ids expire after the keep time, live ids are never evicted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the four above. */
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "command-ids.h"

#define SEC UINT64_C(1000000)
#define T0 (UINT64_C(1796000000) * SEC) /* some time in 2026 */
#define KEEP (40 * SEC)                 /* MaxAge=30 + 2 * MaxSkew=5 */

static void test_new_bad(void **state) {
        struct command_ids *c = NULL;

        (void)state;
        assert_int_equal(command_ids_new(0, KEEP, &c), -EINVAL);
        assert_int_equal(command_ids_new(COMMAND_IDS_CAPACITY_MAX + 1, KEEP, &c), -EINVAL);
        assert_int_equal(command_ids_new(4, 0, &c), -EINVAL);
        assert_int_equal(command_ids_new(4, KEEP, NULL), -EINVAL);
        assert_null(c);
        assert_null(command_ids_free(NULL));
}

static void test_id_valid(void **state) {
        char id[COMMAND_ID_MAX + 2];

        (void)state;
        assert_true(command_id_valid("a"));
        assert_true(command_id_valid("ha-1700000000.123:x_Y"));
        assert_false(command_id_valid(NULL));
        assert_false(command_id_valid(""));
        assert_false(command_id_valid("a b"));
        assert_false(command_id_valid("a/b"));
        assert_false(command_id_valid("\xc3\xa9"));
        memset(id, 'i', sizeof(id) - 1);
        id[COMMAND_ID_MAX] = '\0';
        assert_true(command_id_valid(id));
        id[COMMAND_ID_MAX] = 'i';
        id[COMMAND_ID_MAX + 1] = '\0';
        assert_false(command_id_valid(id));
}

static void test_repeat_answered(void **state) {
        struct command_ids *c = NULL;
        char reply[64];
        const char *r;

        (void)state;
        assert_int_equal(command_ids_new(COMMAND_IDS_CAPACITY_DEFAULT, KEEP, &c), 0);
        assert_null(command_ids_lookup(c, "cmd-1", T0));
        snprintf(reply, sizeof(reply), "{\"id\": \"cmd-1\", \"ok\": true}");
        assert_int_equal(command_ids_remember(c, "cmd-1", reply, T0), 0);
        /* The reply is copied. */
        memset(reply, 'z', sizeof(reply) - 1);
        r = command_ids_lookup(c, "cmd-1", T0 + 1);
        assert_non_null(r);
        assert_string_equal(r, "{\"id\": \"cmd-1\", \"ok\": true}");
        /* Live to the last µs of the keep time. */
        assert_non_null(command_ids_lookup(c, "cmd-1", T0 + KEEP - 1));
        /* A second remember of a live id is refused. */
        assert_int_equal(command_ids_remember(c, "cmd-1", "other", T0 + 2), -EEXIST);
        assert_string_equal(command_ids_lookup(c, "cmd-1", T0 + 2), "{\"id\": \"cmd-1\", \"ok\": true}");
        /* Ids are exact. */
        assert_null(command_ids_lookup(c, "cmd-", T0));
        assert_null(command_ids_lookup(c, "CMD-1", T0));
        assert_null(command_ids_lookup(c, "bad id", T0));
        assert_int_equal(command_ids_remember(c, "bad id", "x", T0), -EINVAL);
        assert_int_equal(command_ids_remember(c, "ok", NULL, T0), -EINVAL);
        assert_int_equal(command_ids_live(c, T0), 1);
        command_ids_free(c);
}

static void test_expiry(void **state) {
        struct command_ids *c = NULL;

        (void)state;
        assert_int_equal(command_ids_new(8, KEEP, &c), 0);
        assert_int_equal(command_ids_remember(c, "a", "ra", T0), 0);
        assert_int_equal(command_ids_remember(c, "b", "rb", T0 + 10 * SEC), 0);
        assert_int_equal(command_ids_live(c, T0 + KEEP - 1), 2);
        /* a expires at T0 + KEEP, b 10 s later. */
        assert_null(command_ids_lookup(c, "a", T0 + KEEP));
        assert_string_equal(command_ids_lookup(c, "b", T0 + KEEP), "rb");
        assert_int_equal(command_ids_live(c, T0 + KEEP), 1);
        /* Expired: a may come again (and is executed again: the freshness
         * check on "time" refuses it first). */
        assert_int_equal(command_ids_remember(c, "a", "ra2", T0 + KEEP), 0);
        assert_string_equal(command_ids_lookup(c, "a", T0 + KEEP + 1), "ra2");
        assert_null(command_ids_lookup(c, "b", T0 + 10 * SEC + KEEP));
        command_ids_free(c);
}

/* A clock stepped back leaves every id live. */
static void test_clock_back(void **state) {
        struct command_ids *c = NULL;

        (void)state;
        assert_int_equal(command_ids_new(2, KEEP, &c), 0);
        assert_int_equal(command_ids_remember(c, "a", "ra", T0), 0);
        assert_string_equal(command_ids_lookup(c, "a", T0 - 3600 * SEC), "ra");
        assert_string_equal(command_ids_lookup(c, "a", 0), "ra");
        assert_int_equal(command_ids_live(c, 0), 1);
        command_ids_free(c);
}

static void test_full_busy(void **state) {
        struct command_ids *c = NULL;
        char id[16];

        (void)state;
        assert_int_equal(command_ids_new(COMMAND_IDS_CAPACITY_DEFAULT, KEEP, &c), 0);
        for (unsigned i = 0; i < COMMAND_IDS_CAPACITY_DEFAULT; i++) {
                snprintf(id, sizeof(id), "id-%u", i);
                assert_int_equal(command_ids_remember(c, id, id, T0 + i), 0);
        }
        assert_int_equal(command_ids_live(c, T0 + 1000), COMMAND_IDS_CAPACITY_DEFAULT);
        /* Full of live ids: Busy, and none of them is forgotten. */
        assert_int_equal(command_ids_remember(c, "new", "x", T0 + 1000), -EBUSY);
        assert_int_equal(command_ids_remember(c, "new", "x", T0 + KEEP - 1), -EBUSY);
        for (unsigned i = 0; i < COMMAND_IDS_CAPACITY_DEFAULT; i++) {
                snprintf(id, sizeof(id), "id-%u", i);
                assert_string_equal(command_ids_lookup(c, id, T0 + KEEP - 1), id);
        }
        assert_null(command_ids_lookup(c, "new", T0 + KEEP - 1));
        /* The oldest (id-0) expires at T0 + KEEP: its slot takes the new one,
         * the next new one is Busy again. */
        assert_int_equal(command_ids_remember(c, "new", "x", T0 + KEEP), 0);
        assert_string_equal(command_ids_lookup(c, "new", T0 + KEEP), "x");
        assert_null(command_ids_lookup(c, "id-0", T0 + KEEP));
        assert_int_equal(command_ids_remember(c, "new2", "y", T0 + KEEP), -EBUSY);
        /* Later all but "new" expire. */
        assert_int_equal(command_ids_live(c, T0 + KEEP + COMMAND_IDS_CAPACITY_DEFAULT), 1);
        assert_int_equal(command_ids_remember(c, "new2", "y", T0 + KEEP + COMMAND_IDS_CAPACITY_DEFAULT), 0);
        command_ids_free(c);
}

static void test_capacity_one(void **state) {
        _cleanup_command_ids_ struct command_ids *c = NULL;

        (void)state;
        assert_int_equal(command_ids_new(1, SEC, &c), 0);
        assert_int_equal(command_ids_remember(c, "a", "1", T0), 0);
        assert_int_equal(command_ids_remember(c, "b", "2", T0), -EBUSY);
        assert_int_equal(command_ids_remember(c, "b", "2", T0 + SEC), 0);
        assert_null(command_ids_lookup(c, "a", T0 + SEC));
        assert_string_equal(command_ids_lookup(c, "b", T0 + SEC), "2");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_new_bad),         cmocka_unit_test(test_id_valid),
                cmocka_unit_test(test_repeat_answered), cmocka_unit_test(test_expiry),
                cmocka_unit_test(test_clock_back),      cmocka_unit_test(test_full_busy),
                cmocka_unit_test(test_capacity_one),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
