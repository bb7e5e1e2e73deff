/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hw.h"

#include <string.h>

#include "macro.h"

static const char *const bolt_names[] = {
        [DL_BOLT_UNKNOWN] = "unknown",
        [DL_BOLT_LOCKED] = "locked",
        [DL_BOLT_UNLOCKED] = "unlocked",
};

static const char *const signal_names[_DL_HW_SIGNAL_MAX] = {
        [DL_HW_SIGNAL_KEY] = "key",           [DL_HW_SIGNAL_GRANTED] = "granted",
        [DL_HW_SIGNAL_DENIED] = "denied",     [DL_HW_SIGNAL_LOCKED_OUT] = "locked-out",
        [DL_HW_SIGNAL_PAIRING] = "pairing",   [DL_HW_SIGNAL_TEST_BUZZER] = "test-buzzer",
        [DL_HW_SIGNAL_TEST_LED] = "test-led",
};

const char *dl_bolt_position_to_string(enum dl_bolt_position b) {
        return (unsigned)b < ELEMENTSOF(bolt_names) ? bolt_names[b] : NULL;
}

const char *dl_hw_signal_to_string(enum dl_hw_signal s) {
        return (unsigned)s < ELEMENTSOF(signal_names) ? signal_names[s] : NULL;
}

int dl_hw_signal_from_string(const char *s) {
        if (!s)
                return -1;
        for (size_t i = 0; i < ELEMENTSOF(signal_names); i++)
                if (strcmp(s, signal_names[i]) == 0)
                        return (int)i;
        return -1;
}
