/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Wiegand lines' edges, collected for the loop.
 *
 * Why a thread: libgpiod 1.6's kernel interface keeps at most 16 events
 * per line, a 34-bit card is up to 34 edges on one line in 70 ms, and the
 * main loop can block for tens of ms in a FULL-sync SQLite commit.  So
 * with libgpiod 1.6 (threaded = true) a thread of its own poll()s the two
 * line fds, reads their events at once and keeps them in a ring; it wakes
 * the loop through an eventfd.  With libgpiod 2.x the request asks the
 * kernel for a 256-event queue (event_buffer) and the loop reads the line
 * fds itself (threaded = false): no thread.
 *
 * Either way the loop side only sees dl_wiegand_reader_drain(): every edge
 * read so far, plus whatever the kernel holds right now (the decoder's
 * rule: drain both lines before deciding a frame).  The thread reads and
 * pushes under the ring's mutex, so a drain never misses an edge that was
 * read but not yet pushed: edges reach the decoder in the order the
 * kernel gave them per line.
 *
 * The thread touches nothing but the two lines, the ring and the eventfd;
 * it blocks every signal (sd-event's signal sources need that). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-event.h>

#include "gpio.h"
#include "wiegand.h"

#define DL_WIEGAND_RING_MAX 1024

struct dl_wiegand_reader;

/* Edges are waiting: the callback calls dl_wiegand_reader_drain(). */
typedef void (*dl_wiegand_ready_t)(void *userdata);

/* d0 and d1: requested with falling edges; they stay the caller's (free
 * the reader first).  -errno. */
int dl_wiegand_reader_new(sd_event *event, struct dl_gpio_line *d0, struct dl_gpio_line *d1, bool threaded,
                          dl_wiegand_ready_t ready, void *userdata, struct dl_wiegand_reader **ret);

/* Every edge collected until now into edges[0..max): the number stored.
 * Call again while it returns max. */
size_t dl_wiegand_reader_drain(struct dl_wiegand_reader *r, struct dl_wiegand_edge *edges, size_t max);

/* A line's value, read under the ring's lock (for `lockctl hw status`). */
int dl_wiegand_reader_get(struct dl_wiegand_reader *r, unsigned line);

/* Edges lost because the ring was full (saturating). */
unsigned dl_wiegand_reader_dropped(const struct dl_wiegand_reader *r);

/* Stop and join the thread, close the eventfd.  NULL is fine. */
struct dl_wiegand_reader *dl_wiegand_reader_free(struct dl_wiegand_reader *r);
