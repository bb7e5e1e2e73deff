/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a hardware backend is: keypad presses and sensor reports come in
 * through struct dl_hw_events, actuator commands go out through
 * struct dl_hw_ops.  The simulated backend (hw-sim.c) and the libgpiod
 * backend implement the same interface; nothing above knows which. */
#pragma once

#include <stdbool.h>

#include "lock-controller.h"

struct dl_hw_events {
        void (*key)(void *userdata, char key);
        void (*bolt)(void *userdata, bool unlocked);
        void (*door)(void *userdata, enum dl_door_state door);
};

struct dl_hw;

struct dl_hw_ops {
        /* Drive the bolt; the result comes back as a bolt event. */
        void (*drive)(struct dl_hw *hw, bool unlock);
        /* Report the current bolt and door positions (at start). */
        void (*report)(struct dl_hw *hw);
        void (*free)(struct dl_hw *hw);
};

struct dl_hw {
        const struct dl_hw_ops *ops;
        const struct dl_hw_events *events;
        void *userdata;
};

static inline void dl_hw_free(struct dl_hw *hw) {
        if (hw)
                hw->ops->free(hw);
}
