/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remote-entry.c: the remote role's permissions and the keys that grant
 * them, SubmitPin's actions, the network PIN's shape, and which counter an
 * entry counts on. */
#include "test-util.h"

#include "remote-entry.h"

#include <stdio.h>
#include <string.h>

static void assert_refused(const struct dl_remote_policy *p, enum dl_remote_op op, const char *key) {
        struct dl_error err = {};

        assert_int_equal(dl_remote_check(p, op, &err), -EACCES);
        assert_int_equal(err.code, -EACCES);
        assert_non_null(err.kind);
        assert_string_equal(err.kind, "AccessDenied");
        if (!strstr(err.message, key))
                fail_msg("message \"%s\" does not name \"%s\"", err.message, key);
        assert_int_equal(dl_remote_check(p, op, NULL), -EACCES);
}

static void test_defaults_refuse_unlock_and_codes(void **state) {
        const struct dl_remote_policy off = {};

        (void)state;
        assert_int_equal(dl_remote_check(&off, DL_REMOTE_OP_READ, NULL), 0);
        assert_int_equal(dl_remote_check(&off, DL_REMOTE_OP_LOCK, NULL), 0);
        assert_int_equal(dl_remote_check(&off, DL_REMOTE_OP_SUBMIT_PIN, NULL), 0);
        assert_refused(&off, DL_REMOTE_OP_UNLOCK, "[Remote] UnlockWithoutPin=yes");
        assert_refused(&off, DL_REMOTE_OP_CODE, "[Remote] CodeChanges=yes");
        assert_refused(&off, DL_REMOTE_OP_ADMIN, "never the network");
        /* No policy at all: the defaults. */
        assert_refused(NULL, DL_REMOTE_OP_UNLOCK, "UnlockWithoutPin");
        assert_refused(NULL, DL_REMOTE_OP_CODE, "CodeChanges");
}

static void test_keys_allow_only_their_own(void **state) {
        const struct dl_remote_policy unlock = { .unlock_without_pin = true };
        const struct dl_remote_policy codes = { .code_changes = true };
        const struct dl_remote_policy both = { .unlock_without_pin = true, .code_changes = true };

        (void)state;
        assert_int_equal(dl_remote_check(&unlock, DL_REMOTE_OP_UNLOCK, NULL), 0);
        assert_refused(&unlock, DL_REMOTE_OP_CODE, "CodeChanges");
        assert_int_equal(dl_remote_check(&codes, DL_REMOTE_OP_CODE, NULL), 0);
        assert_refused(&codes, DL_REMOTE_OP_UNLOCK, "UnlockWithoutPin");
        /* Nothing in the config opens the admin's operations. */
        assert_refused(&both, DL_REMOTE_OP_ADMIN, "doorlock-admin");
        assert_refused(&both, _DL_REMOTE_OP_MAX, "doorlock-admin");
        assert_refused(&both, (enum dl_remote_op) - 1, "doorlock-admin");
}

static void test_actions(void **state) {
        (void)state;
        assert_int_equal(dl_remote_action_from_string("unlock"), DL_REMOTE_ACTION_UNLOCK);
        assert_int_equal(dl_remote_action_from_string("passage"), DL_REMOTE_ACTION_PASSAGE);
        assert_string_equal(dl_remote_action_to_string(DL_REMOTE_ACTION_UNLOCK), "unlock");
        assert_string_equal(dl_remote_action_to_string(DL_REMOTE_ACTION_PASSAGE), "passage");
        assert_null(dl_remote_action_to_string(_DL_REMOTE_ACTION_MAX));
        assert_null(dl_remote_action_to_string(_DL_REMOTE_ACTION_INVALID));
        for (size_t i = 0; i < 10; i++) {
                static const char *const bad[] = { "",       "Unlock",  "unlock ", " unlock",   "lock",
                                                   "normal", "privacy", "PASSAGE", "passage\n", "open" };

                assert_int_equal(dl_remote_action_from_string(bad[i]), _DL_REMOTE_ACTION_INVALID);
        }
        assert_int_equal(dl_remote_action_from_string(NULL), _DL_REMOTE_ACTION_INVALID);
}

static void test_pin_shape(void **state) {
        char big[80];
        struct dl_error err = {};

        (void)state;
        assert_int_equal(dl_remote_pin_check("481529", 64, NULL), 0);
        assert_int_equal(dl_remote_pin_check("1", 64, NULL), 0); /* a wrong code, counted */
        memset(big, '7', 64);
        big[64] = '\0';
        assert_int_equal(dl_remote_pin_check(big, 64, NULL), 0);
        big[64] = '7';
        big[65] = '\0';
        assert_int_equal(dl_remote_pin_check(big, 64, &err), -EINVAL);
        assert_string_equal(err.message, "A PIN is 1 to 64 digits 0-9");
        for (size_t i = 0; i < 9; i++) {
                static const char *const bad[] = { "",        "48152a",           " 481529",
                                                   "481529 ", "-48152",           "+481529",
                                                   "4815.2",  "\xd9\xa5\xd9\xa8", "%s%n" };

                err = (struct dl_error){};
                assert_int_equal(dl_remote_pin_check(bad[i], 64, &err), -EINVAL);
                /* The message never repeats what was sent. */
                assert_string_equal(err.message, "A PIN is 1 to 64 digits 0-9");
        }
        assert_int_equal(dl_remote_pin_check(NULL, 64, NULL), -EINVAL);
}

static void test_counters(void **state) {
        (void)state;
        assert_int_equal(dl_lockout_counter_of(DL_SOURCE_MQTT), DL_LOCKOUT_NETWORK);
        assert_int_equal(dl_lockout_counter_of(DL_SOURCE_KEYPAD), DL_LOCKOUT_KEYPAD);
        assert_int_equal(dl_lockout_counter_of(DL_SOURCE_DBUS), DL_LOCKOUT_KEYPAD);
        assert_int_equal(dl_lockout_counter_of(DL_SOURCE_BLE), DL_LOCKOUT_KEYPAD);
        assert_int_equal(dl_lockout_counter_of(DL_SOURCE_BUTTON), DL_LOCKOUT_KEYPAD);
        assert_string_equal(dl_lockout_counter_to_string(DL_LOCKOUT_KEYPAD), "keypad");
        assert_string_equal(dl_lockout_counter_to_string(DL_LOCKOUT_NETWORK), "network");
        assert_null(dl_lockout_counter_to_string(_DL_LOCKOUT_COUNTER_MAX));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults_refuse_unlock_and_codes),
                cmocka_unit_test(test_keys_allow_only_their_own),
                cmocka_unit_test(test_actions),
                cmocka_unit_test(test_pin_shape),
                cmocka_unit_test(test_counters),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
