/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The simulated lock: a keypad fed by PressKeys, a bolt that takes a
 * configurable time to travel (and can be jammed), and a door that can be
 * opened and closed.  Runs on the daemon's sd-event loop with timers, so it
 * behaves in time like the real thing. */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>

#include "hw.h"

#define DL_SIM_KEYS_MAX 256

struct dl_hw_sim;

int dl_hw_sim_new(sd_event *event, int64_t motor_usec, int64_t key_gap_usec,
                  const struct dl_hw_events *events, void *userdata, struct dl_hw_sim **ret);
struct dl_hw *dl_hw_sim_hw(struct dl_hw_sim *sim);

/* Queue keys ("0"-"9", "#", "*"), delivered in order, key_gap apart.
 * -EINVAL for any other character, -ENOBUFS when more than
 * DL_SIM_KEYS_MAX would be waiting. */
int dl_hw_sim_press_keys(struct dl_hw_sim *sim, const char *keys);
/* Open or close the door (reported at once). */
int dl_hw_sim_set_door(struct dl_hw_sim *sim, enum dl_door_state door);
/* A jammed bolt stops moving and never confirms. */
void dl_hw_sim_set_jammed(struct dl_hw_sim *sim, bool jammed);
/* The door's other inputs, reported at once. */
void dl_hw_sim_press_exit_button(struct dl_hw_sim *sim);
void dl_hw_sim_ring_doorbell(struct dl_hw_sim *sim);
void dl_hw_sim_set_tamper(struct dl_hw_sim *sim, bool active);
/* A card frame as a Wiegand reader would send it: bits 26 or 34 (-EINVAL),
 * data the 24 or 32 data bits (-ERANGE past them). */
int dl_hw_sim_present_card(struct dl_hw_sim *sim, unsigned bits, uint64_t data);
/* A refused input, as a decoder would report it (-EINVAL for empty). */
int dl_hw_sim_reject_input(struct dl_hw_sim *sim, const char *what, const char *reason);
/* The bolt sensors stop agreeing (bolt moved by hand half-way); -EBUSY
 * while the simulated motor runs. */
int dl_hw_sim_set_bolt_unknown(struct dl_hw_sim *sim);
/* How many buzzer/LED patterns were played; the last one in *ret_last. */
unsigned dl_hw_sim_signals(const struct dl_hw_sim *sim, enum dl_hw_signal *ret_last);
