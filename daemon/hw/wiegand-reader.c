/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "wiegand-reader.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "macro.h"

struct dl_wiegand_reader {
        sd_event *event;
        struct dl_gpio_line *lines[2];
        bool threaded;
        dl_wiegand_ready_t ready;
        void *userdata;
        sd_event_source *io[2]; /* the line fds (not threaded) or the eventfd (io[0]) */

        pthread_t thread;
        bool thread_started;
        int wake_fd; /* thread -> loop: edges in the ring */
        int stop_fd; /* loop -> thread: stop */

        pthread_mutex_t lock; /* guards everything below and the reads of the lines */
        struct dl_wiegand_edge ring[DL_WIEGAND_RING_MAX];
        size_t head, n;
        unsigned dropped;
};

/* Read what the kernel holds on both lines into the ring.  Locked. */
static void collect(struct dl_wiegand_reader *r) {
        for (unsigned i = 0; i < 2; i++) {
                struct dl_gpio_event ev[64];
                int n;

                do {
                        n = dl_gpio_line_read_events(r->lines[i], ev, ELEMENTSOF(ev));
                        for (int k = 0; k < n; k++) {
                                if (ev[k].rising)
                                        continue; /* only falling edges carry bits */
                                if (r->n == DL_WIEGAND_RING_MAX) {
                                        if (r->dropped < UINT32_MAX)
                                                r->dropped++;
                                        continue;
                                }
                                r->ring[(r->head + r->n) % DL_WIEGAND_RING_MAX] = (struct dl_wiegand_edge){
                                        .usec = (int64_t)ev[k].timestamp_usec,
                                        .line = i,
                                };
                                r->n++;
                        }
                } while (n == (int)ELEMENTSOF(ev));
        }
}

static void *thread_main(void *p) {
        struct dl_wiegand_reader *r = p;
        struct pollfd fds[3] = {
                { .fd = dl_gpio_line_fd(r->lines[0]), .events = POLLIN },
                { .fd = dl_gpio_line_fd(r->lines[1]), .events = POLLIN },
                { .fd = r->stop_fd, .events = POLLIN },
        };

        for (;;) {
                uint64_t one = 1;

                if (poll(fds, ELEMENTSOF(fds), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (fds[2].revents)
                        break;
                if (!(fds[0].revents | fds[1].revents))
                        continue;
                pthread_mutex_lock(&r->lock);
                collect(r);
                pthread_mutex_unlock(&r->lock);
                /* A full counter (never, in practice) still wakes the loop. */
                (void)!write(r->wake_fd, &one, sizeof(one));
        }
        return NULL;
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct dl_wiegand_reader *r = userdata;
        uint64_t count;

        (void)s;
        (void)revents;
        if (r->threaded)
                (void)!read(fd, &count, sizeof(count)); /* reset the eventfd */
        r->ready(r->userdata);
        return 0;
}

size_t dl_wiegand_reader_drain(struct dl_wiegand_reader *r, struct dl_wiegand_edge *edges, size_t max) {
        size_t n = 0;

        pthread_mutex_lock(&r->lock);
        collect(r);
        while (n < max && r->n > 0) {
                edges[n++] = r->ring[r->head];
                r->head = (r->head + 1) % DL_WIEGAND_RING_MAX;
                r->n--;
        }
        pthread_mutex_unlock(&r->lock);
        return n;
}

int dl_wiegand_reader_get(struct dl_wiegand_reader *r, unsigned line) {
        int v;

        if (line > 1)
                return -EINVAL;
        pthread_mutex_lock(&r->lock);
        v = dl_gpio_line_get(r->lines[line]);
        pthread_mutex_unlock(&r->lock);
        return v;
}

unsigned dl_wiegand_reader_dropped(const struct dl_wiegand_reader *r) {
        return r->dropped;
}

struct dl_wiegand_reader *dl_wiegand_reader_free(struct dl_wiegand_reader *r) {
        if (!r)
                return NULL;
        if (r->thread_started) {
                uint64_t one = 1;

                (void)!write(r->stop_fd, &one, sizeof(one));
                pthread_join(r->thread, NULL);
        }
        for (unsigned i = 0; i < 2; i++)
                sd_event_source_disable_unref(r->io[i]);
        if (r->wake_fd >= 0)
                close(r->wake_fd);
        if (r->stop_fd >= 0)
                close(r->stop_fd);
        pthread_mutex_destroy(&r->lock);
        sd_event_unref(r->event);
        /* The ring held edge timestamps of card frames. */
        secure_zero(r->ring, sizeof(r->ring));
        free(r);
        return NULL;
}

static void reader_freep(struct dl_wiegand_reader **r) {
        *r = dl_wiegand_reader_free(*r);
}

int dl_wiegand_reader_new(sd_event *event, struct dl_gpio_line *d0, struct dl_gpio_line *d1, bool threaded,
                          dl_wiegand_ready_t ready, void *userdata, struct dl_wiegand_reader **ret) {
        _cleanup_(reader_freep) struct dl_wiegand_reader *r = NULL;
        int r_;

        if (!event || !d0 || !d1 || !ready || !ret)
                return -EINVAL;
        r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->wake_fd = r->stop_fd = -1;
        pthread_mutex_init(&r->lock, NULL);
        r->event = sd_event_ref(event);
        r->lines[0] = d0;
        r->lines[1] = d1;
        r->threaded = threaded;
        r->ready = ready;
        r->userdata = userdata;

        if (!threaded) {
                for (unsigned i = 0; i < 2; i++) {
                        int fd = dl_gpio_line_fd(r->lines[i]);

                        if (fd < 0)
                                return fd;
                        r_ = sd_event_add_io(event, &r->io[i], fd, EPOLLIN, on_io, r);
                        if (r_ < 0)
                                return r_;
                        /* Before the frame timer, like the keypad rows. */
                        (void)sd_event_source_set_priority(r->io[i], SD_EVENT_PRIORITY_IMPORTANT);
                }
                *ret = TAKE_PTR(r);
                return 0;
        }

        r->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        r->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (r->wake_fd < 0 || r->stop_fd < 0)
                return -errno;
        r_ = sd_event_add_io(event, &r->io[0], r->wake_fd, EPOLLIN, on_io, r);
        if (r_ < 0)
                return r_;
        (void)sd_event_source_set_priority(r->io[0], SD_EVENT_PRIORITY_IMPORTANT);

        {
                sigset_t all, old;

                sigfillset(&all);
                pthread_sigmask(SIG_SETMASK, &all, &old);
                r_ = -pthread_create(&r->thread, NULL, thread_main, r);
                pthread_sigmask(SIG_SETMASK, &old, NULL);
                if (r_ < 0)
                        return r_;
                r->thread_started = true;
        }
        *ret = TAKE_PTR(r);
        return 0;
}
