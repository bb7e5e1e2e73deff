/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doorlockd's D-Bus face: org.doorlockd.Lock1 with its ObjectManager, one
 * org.doorlockd.Code1 object per code, and org.doorlockd.Simulator1 on the
 * simulated backend.  It translates messages into lock-service calls and
 * service events into signals; it holds no rules (roles are decided by the
 * service from the caller bus-caller.c identifies).  bus.c holds the
 * connection and the signals, bus-lock.c, bus-code.c and bus-simulator.c
 * one interface each; bus-private.h is what they share. */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "hw-sim.h"
#include "lock-service.h"

#define DL_BUS_NAME "org.doorlockd.Lock1"
#define DL_BUS_PATH "/org/doorlockd/Lock1"
#define DL_BUS_CODE_PREFIX "/org/doorlockd/Lock1/code"

struct dl_bus;

/* Connect to the system bus (DBUS_SYSTEM_BUS_ADDRESS is honoured), export
 * the objects and take the name.  sim may be NULL (real hardware). */
int dl_bus_new(sd_event *event, struct dl_hw_sim *sim, struct dl_bus **ret);
/* The service is created after the bus (it reports to it); attach it
 * before the loop runs. */
void dl_bus_set_service(struct dl_bus *b, struct dl_service *service);
/* Take the bus name: last, once the service is attached. */
int dl_bus_request_name(struct dl_bus *b);
struct dl_bus *dl_bus_free(struct dl_bus *b);

extern const struct dl_service_events dl_bus_service_events;
