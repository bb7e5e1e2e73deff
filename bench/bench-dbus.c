/* SPDX-License-Identifier: GPL-2.0-or-later */
/* D-Bus round trips to a running doorlockd, with sd-bus (the library the
 * daemon and lockctl use), for bench/run.
 *
 * usage: bench-dbus ADDRESS calls N
 *            median round trip of Peer.Ping, Properties.Get State and
 *            GetManagedObjects, N calls each, as bench/run rows
 *        bench-dbus ADDRESS unlocks N PIN
 *            type PIN and '#' on the simulated keypad N times, waiting for
 *            AccessGranted each time (for the bytes written per unlock) */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#define DEST "org.doorlockd.Lock1"
#define PATH "/org/doorlockd/Lock1"

static int64_t now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b) {
        int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
        return x < y ? -1 : x > y;
}

static void die(const char *what, int r) {
        fprintf(stderr, "bench-dbus: %s: %s\n", what, strerror(-r));
        exit(1);
}

static double median_us(int64_t *t, size_t n) {
        size_t mid = n / 2;

        qsort(t, n, sizeof(*t), cmp_i64);
        return (double)t[mid] / 1000.0;
}

/* Time n calls of iface.member() on path into t[0..n-1] (ns); the reply is
 * read to the end, as a client would. */
static void time_call(sd_bus *bus, const char *iface, const char *member, const char *arg1, const char *arg2,
                      int64_t *t, size_t n) {
        for (size_t i = 0; i < n; i++) {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                sd_bus_message *reply = NULL;
                int64_t a = now_ns();
                int r;

                if (arg1)
                        r = sd_bus_call_method(bus, DEST, PATH, iface, member, &error, &reply, "ss", arg1,
                                               arg2);
                else
                        r = sd_bus_call_method(bus, DEST, PATH, iface, member, &error, &reply, "");
                if (r >= 0) {
                        /* -ENXIO: nothing to read (Ping's empty reply). */
                        int k = sd_bus_message_skip(reply, NULL);
                        if (k < 0 && k != -ENXIO)
                                r = k;
                }
                t[i] = now_ns() - a;
                if (r < 0) {
                        fprintf(stderr, "bench-dbus: %s.%s: %s\n", iface, member,
                                error.message ? error.message : strerror(-r));
                        exit(1);
                }
                sd_bus_message_unref(reply);
                sd_bus_error_free(&error);
        }
}

static int on_granted(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        (void)m;
        (void)error;
        (*(unsigned *)userdata)++;
        return 0;
}

static int unlocks(sd_bus *bus, unsigned n, const char *pin) {
        unsigned granted = 0;
        char keys[64];
        int r;

        snprintf(keys, sizeof(keys), "%s#", pin);
        r = sd_bus_match_signal(bus, NULL, DEST, PATH, DEST, "AccessGranted", on_granted, &granted);
        if (r < 0)
                die("match", r);
        for (unsigned i = 0; i < n; i++) {
                sd_bus_error error = SD_BUS_ERROR_NULL;

                r = sd_bus_call_method(bus, DEST, PATH, "org.doorlockd.Simulator1", "PressKeys", &error,
                                       NULL, "s", keys);
                if (r < 0) {
                        fprintf(stderr, "bench-dbus: PressKeys: %s\n", error.message ? error.message : "");
                        return 1;
                }
                sd_bus_error_free(&error);
                while (granted <= i) {
                        r = sd_bus_process(bus, NULL);
                        if (r < 0)
                                die("process", r);
                        if (r == 0 && (r = sd_bus_wait(bus, 5 * 1000000ULL)) <= 0)
                                die("waiting for AccessGranted", r == 0 ? -ETIMEDOUT : r);
                }
        }
        printf("granted\t%u\n", granted);
        return 0;
}

int main(int argc, char **argv) {
        sd_bus *bus = NULL;
        int r;

        if (argc < 4) {
                fprintf(stderr, "usage: bench-dbus ADDRESS calls N | bench-dbus ADDRESS unlocks N PIN\n");
                return 2;
        }
        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, argv[1]);
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, 1);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0)
                die("connect", r);

        if (strcmp(argv[2], "unlocks") == 0 && argc >= 5)
                r = unlocks(bus, (unsigned)strtoul(argv[3], NULL, 10), argv[4]);
        else {
                /* Ten rounds of the three calls in turn, so that a
                 * noisy moment of the machine hits all three alike. */
                size_t n = strtoul(argv[3], NULL, 10) / 10, n_obj;
                double ping, state, objects;
                int64_t *tp, *ts, *to;

                if (n == 0)
                        n = 1;
                n_obj = n / 10 ? n / 10 : 1;
                tp = calloc(n * 10, sizeof(*tp));
                ts = calloc(n * 10, sizeof(*ts));
                to = calloc(n_obj * 10, sizeof(*to));
                if (!tp || !ts || !to)
                        die("calloc", -ENOMEM);
                time_call(bus, "org.freedesktop.DBus.Peer", "Ping", NULL, NULL, tp, n); /* warm up */
                for (size_t round = 0; round < 10; round++) {
                        time_call(bus, "org.freedesktop.DBus.Peer", "Ping", NULL, NULL, tp + round * n, n);
                        time_call(bus, "org.freedesktop.DBus.Properties", "Get", DEST, "State",
                                  ts + round * n, n);
                        time_call(bus, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", NULL, NULL,
                                  to + round * n_obj, n_obj);
                }
                ping = median_us(tp, n * 10);
                state = median_us(ts, n * 10);
                objects = median_us(to, n_obj * 10);
                free(tp);
                free(ts);
                free(to);
                printf("row\t4\tProperties.Get State (sd-bus client)\t%.2f\tus\tPeer.Ping to the "
                       "daemon\t%.2f\t\n",
                       state, ping);
                printf("row\t4\tGetManagedObjects, 200 codes (sd-bus client)\t%.2f\tus\tPeer.Ping to the "
                       "daemon\t%.2f\t\n",
                       objects, ping);
                r = 0;
        }
        sd_bus_flush_close_unref(bus);
        return r;
}
