/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One table from failures to D-Bus error names, so every method says the
 * same thing for the same failure (and BLE status codes can follow it). */
#pragma once

#include <systemd/sd-bus.h>

#include "error.h"

#define DL_BUS_ERROR_PREFIX "org.doorlockd.Error."

/* Fill `error` for the failure r/err and return r (negative). */
int dl_bus_error(sd_bus_error *error, int r, const struct dl_error *err);
