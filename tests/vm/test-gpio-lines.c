/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gpio-v1.c (or gpio-v2.c) against the real kernel: the VM tier's first
 * scenario.  Runs inside the VM only, started by guest-gpio-lines.py, which
 * makes two gpio-sim chips and names them in the environment:
 *
 *   DL_VM_CHIP_A, DL_VM_CHIP_B  "gpiochipN" of the banks labelled
 *                               "dl-vm-a" (8 lines) and "dl-vm-b" (4 lines)
 *   DL_VM_SIM_A, DL_VM_SIM_B    their sysfs directories, holding
 *                               sim_gpioN/{pull,value}
 *
 * Lines of dl-vm-a: 0 DOOR, 1 BOLT, 2 DUP, 3 DUP, 4 LED, 5 (no name),
 * 6 EDGE, 7 FLOOD; of dl-vm-b: 0 B0, 1 B1, 2 DOOR, 3 (no name).
 *
 * The simulator's side: writing "pull-up"/"pull-down" to sim_gpioN/pull is
 * what an input sees (and makes an edge), sim_gpioN/value is what an output
 * drives.  A request with a bias sets the pull itself, so a test sets the
 * pull it wants after requesting the line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "build-config.h"
#include "gpio.h"
#include "macro.h"

#define LABEL_A "dl-vm-a"
#define LABEL_B "dl-vm-b"

static const char *chip_a, *chip_b, *sim_a, *sim_b;
static char path_a[64], path_b[64];

/* Lines requested by the running test; the teardown releases them, so a
 * failed assertion (cmocka longjmps past _cleanup_) does not leave a line
 * busy for the next test. */
static struct dl_gpio_line *held[8];

static struct dl_gpio_line **slot(void) {
        for (size_t i = 0; i < ELEMENTSOF(held); i++)
                if (!held[i])
                        return &held[i];
        fail_msg("too many lines held");
        return NULL;
}

static void release(struct dl_gpio_line *l) {
        for (size_t i = 0; i < ELEMENTSOF(held); i++)
                if (held[i] == l)
                        held[i] = dl_gpio_line_free(held[i]);
}

static int teardown(void **state _unused_) {
        for (size_t i = 0; i < ELEMENTSOF(held); i++)
                held[i] = dl_gpio_line_free(held[i]);
        return 0;
}

static int request(const char *chip, const char *line, bool active_low, const struct dl_gpio_request *req,
                   struct dl_gpio_line **ret, struct dl_error *err) {
        const struct dl_gpio_line_spec spec = { .chip = chip, .line = line, .active_low = active_low };
        struct dl_gpio_line **s = slot();
        int r;

        r = dl_gpio_line_request(NULL, &spec, req, s, err);
        if (r >= 0 && ret)
                *ret = *s;
        return r;
}

static struct dl_gpio_line *request_ok(const char *line, bool active_low,
                                       const struct dl_gpio_request *req) {
        struct dl_error err = {};
        struct dl_gpio_line *l = NULL;
        int r = request(LABEL_A, line, active_low, req, &l, &err);

        if (r < 0)
                fail_msg("request of %s/%s: %s", LABEL_A, line, dl_error_message(&err, r));
        return l;
}

static const struct dl_gpio_request input = { .direction = DL_GPIO_INPUT };
static const struct dl_gpio_request input_both = { .direction = DL_GPIO_INPUT, .edge = DL_GPIO_EDGE_BOTH };

static uint64_t now_usec(void) {
        struct timespec ts;

        assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
        return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

static void sleep_ms(unsigned ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* ---- the simulator's side of chip dl-vm-a ---- */

static void sim_write(unsigned offset, const char *attr, const char *value) {
        char p[256];
        FILE *f;

        (void)snprintf(p, sizeof(p), "%s/sim_gpio%u/%s", sim_a, offset, attr);
        f = fopen(p, "we");
        if (!f) {
                fail_msg("cannot open %s: %s", p, strerror(errno));
                return;
        }
        if (fputs(value, f) < 0 || fclose(f) != 0)
                fail_msg("cannot write %s to %s: %s", value, p, strerror(errno));
}

static void sim_read(unsigned offset, const char *attr, char *buf, size_t size) {
        char p[256];
        FILE *f;

        (void)snprintf(p, sizeof(p), "%s/sim_gpio%u/%s", sim_a, offset, attr);
        f = fopen(p, "re");
        if (!f) {
                fail_msg("cannot open %s: %s", p, strerror(errno));
                buf[0] = '\0';
                return;
        }
        if (!fgets(buf, (int)size, f))
                buf[0] = '\0';
        fclose(f);
        buf[strcspn(buf, "\n")] = '\0';
}

/* What an input on the line sees: the electrical level 1 (pull-up) or 0. */
static void sim_pull(unsigned offset, int level) {
        sim_write(offset, "pull", level ? "pull-up" : "pull-down");
}

/* What an output drives: the electrical level. */
static int sim_value(unsigned offset) {
        char buf[16];

        sim_read(offset, "value", buf, sizeof(buf));
        assert_true(strcmp(buf, "0") == 0 || strcmp(buf, "1") == 0);
        return buf[0] - '0';
}

static bool readable(int fd, int timeout_ms) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r = poll(&p, 1, timeout_ms);

        assert_true(r >= 0);
        return r > 0 && (p.revents & POLLIN);
}

/* Wait up to 2 s for at least one event and read what is queued. */
static int wait_events(struct dl_gpio_line *l, struct dl_gpio_event *ev, size_t max) {
        assert_true(readable(dl_gpio_line_fd(l), 2000));
        return dl_gpio_line_read_events(l, ev, max);
}

static int setup(void **state _unused_) {
        chip_a = getenv("DL_VM_CHIP_A");
        chip_b = getenv("DL_VM_CHIP_B");
        sim_a = getenv("DL_VM_SIM_A");
        sim_b = getenv("DL_VM_SIM_B");
        if (!chip_a || !chip_b || !sim_a || !sim_b) {
                fprintf(stderr, "DL_VM_CHIP_A/B and DL_VM_SIM_A/B are not set: "
                                "run this through tests/vm/guest-gpio-lines.py\n");
                return -1;
        }
        (void)snprintf(path_a, sizeof(path_a), "/dev/%s", chip_a);
        (void)snprintf(path_b, sizeof(path_b), "/dev/%s", chip_b);
        return 0;
}

/* ---- chips ---- */

static void test_chip_by_label(void **state _unused_) {
        _cleanup_free_ char *a = NULL, *b = NULL;
        struct dl_error err = {};

        assert_int_equal(dl_gpio_chip_resolve(NULL, LABEL_A, &a, &err), 0);
        assert_string_equal(a, path_a);
        assert_int_equal(dl_gpio_chip_resolve(DL_GPIO_DEV_DIR, LABEL_B, &b, &err), 0);
        assert_string_equal(b, path_b);
}

static void test_chip_by_name(void **state _unused_) {
        _cleanup_free_ char *a = NULL;
        struct dl_error err = {};

        assert_int_equal(dl_gpio_chip_resolve(NULL, chip_a, &a, &err), 0);
        assert_string_equal(a, path_a);
}

static void test_chip_by_path(void **state _unused_) {
        _cleanup_free_ char *b = NULL;
        struct dl_error err = {};

        assert_int_equal(dl_gpio_chip_resolve(NULL, path_b, &b, &err), 0);
        assert_string_equal(b, path_b);
}

static void test_chip_missing(void **state _unused_) {
        struct dl_error err = {};
        char *p = NULL;

        assert_int_equal(dl_gpio_chip_resolve(NULL, "dl-vm-nope", &p, &err), -ENODEV);
        printf("# %s\n", err.message);
        assert_non_null(strstr(err.message, "'dl-vm-nope'"));
        assert_int_equal(dl_gpio_chip_resolve(NULL, "/dev/gpiochip99", &p, &err), -ENODEV);
        printf("# %s\n", err.message);
        assert_non_null(strstr(err.message, "/dev/gpiochip99"));
        assert_null(p);
}

/* ---- lines ---- */

static void test_line_by_name(void **state _unused_) {
        struct dl_error err = {};
        unsigned off = 99;

        assert_int_equal(dl_gpio_line_resolve(path_a, "BOLT", &off, &err), 0);
        assert_int_equal(off, 1);
        assert_int_equal(dl_gpio_line_resolve(path_a, "FLOOD", &off, &err), 0);
        assert_int_equal(off, 7);
        /* The same name on another chip is that chip's line. */
        assert_int_equal(dl_gpio_line_resolve(path_a, "DOOR", &off, &err), 0);
        assert_int_equal(off, 0);
        assert_int_equal(dl_gpio_line_resolve(path_b, "DOOR", &off, &err), 0);
        assert_int_equal(off, 2);
}

static void test_line_by_offset(void **state _unused_) {
        struct dl_error err = {};
        unsigned off = 99;

        assert_int_equal(dl_gpio_line_resolve(path_a, "5", &off, &err), 0);
        assert_int_equal(off, 5);
        assert_int_equal(dl_gpio_line_resolve(path_a, "07", &off, &err), 0);
        assert_int_equal(off, 7);
        assert_int_equal(dl_gpio_line_resolve(path_b, "3", &off, &err), 0);
        assert_int_equal(off, 3);
}

static void test_line_not_unique(void **state _unused_) {
        struct dl_error err = {};
        unsigned off = 99;

        assert_int_equal(dl_gpio_line_resolve(path_a, "DUP", &off, &err), -ENOTUNIQ);
        printf("# %s\n", err.message);
        assert_non_null(strstr(err.message, "'DUP'"));
        assert_non_null(strstr(err.message, "offsets 2 and 3"));
        assert_int_equal(off, 99);
        /* A request refuses it the same way; the offset is still fine. */
        assert_int_equal(request(LABEL_A, "DUP", false, &input, NULL, &err), -ENOTUNIQ);
        assert_int_equal(request(LABEL_A, "3", false, &input, NULL, &err), 0);
}

static void test_line_missing(void **state _unused_) {
        struct dl_error err = {};
        unsigned off = 99;

        assert_int_equal(dl_gpio_line_resolve(path_a, "NOPE", &off, &err), -ENOENT);
        printf("# %s\n", err.message);
        assert_non_null(strstr(err.message, "'NOPE'"));
        assert_non_null(strstr(err.message, LABEL_A));
        assert_int_equal(dl_gpio_line_resolve(path_a, "8", &off, &err), -ERANGE);
        printf("# %s\n", err.message);
        assert_non_null(strstr(err.message, "8 lines"));
        assert_int_equal(dl_gpio_line_resolve(path_b, "BOLT", &off, &err), -ENOENT);
        assert_non_null(strstr(err.message, LABEL_B));
        assert_int_equal(off, 99);

        assert_int_equal(request(LABEL_A, "NOPE", false, &input, NULL, &err), -ENOENT);
        assert_non_null(strstr(err.message, "'NOPE'"));
        assert_int_equal(request("dl-vm-nope", "BOLT", false, &input, NULL, &err), -ENODEV);
        assert_non_null(strstr(err.message, "'dl-vm-nope'"));
}

static void test_busy(void **state _unused_) {
        const struct dl_gpio_request out = { .direction = DL_GPIO_OUTPUT };
        struct dl_gpio_line *first = request_ok("LED", false, &out);
        struct dl_error err = {};

        assert_int_equal(request(LABEL_A, "4", false, &input, NULL, &err), -EBUSY);
        printf("# %s\n", err.message);
        assert_non_null(strstr(err.message, "in use by 'doorlockd'"));
        assert_non_null(strstr(err.message, LABEL_A "/4 (offset 4)"));
        /* Free again once released. */
        release(first);
        (void)request_ok("LED", false, &input);
}

static void test_describe(void **state _unused_) {
        struct dl_gpio_line *l = request_ok("BOLT", false, &input);
        struct dl_gpio_line *o = request_ok("5", false, &input);

        assert_string_equal(dl_gpio_line_describe(l), LABEL_A "/BOLT (offset 1)");
        assert_string_equal(dl_gpio_line_describe(o), LABEL_A "/5 (offset 5)");
        assert_string_equal(dl_gpio_line_describe(NULL), "(no line)");
}

static void test_library_version(void **state _unused_) {
        const char *v = dl_gpio_library_version();

        printf("# libgpiod %s\n", v);
        assert_true(strncmp(v, HAVE_GPIOD2 ? "2." : "1.6", HAVE_GPIOD2 ? 2 : 3) == 0);
}

/* ---- values ---- */

static void test_output_follows(void **state _unused_) {
        const struct dl_gpio_request out0 = { .direction = DL_GPIO_OUTPUT, .initial = 0 };
        const struct dl_gpio_request out1 = { .direction = DL_GPIO_OUTPUT, .initial = 1 };
        struct dl_gpio_line *l = request_ok("BOLT", false, &out0);

        assert_int_equal(sim_value(1), 0);
        assert_int_equal(dl_gpio_line_set(l, 1), 0);
        assert_int_equal(sim_value(1), 1);
        assert_int_equal(dl_gpio_line_get(l), 1);
        assert_int_equal(dl_gpio_line_set(l, 0), 0);
        assert_int_equal(sim_value(1), 0);
        release(l);

        /* The initial value is set by the request itself. */
        l = request_ok("BOLT", false, &out1);
        assert_int_equal(sim_value(1), 1);
        release(l);
}

static void test_output_active_low(void **state _unused_) {
        const struct dl_gpio_request out0 = { .direction = DL_GPIO_OUTPUT, .initial = 0 };
        struct dl_gpio_line *l = request_ok("BOLT", true, &out0);

        assert_int_equal(sim_value(1), 1); /* inactive = high */
        assert_int_equal(dl_gpio_line_set(l, 1), 0);
        assert_int_equal(sim_value(1), 0);
        assert_int_equal(dl_gpio_line_get(l), 1);
        assert_int_equal(dl_gpio_line_set(l, 0), 0);
        assert_int_equal(sim_value(1), 1);
}

static void test_input_follows_pull(void **state _unused_) {
        struct dl_gpio_line *l = request_ok("DOOR", false, &input);

        sim_pull(0, 1);
        assert_int_equal(dl_gpio_line_get(l), 1);
        sim_pull(0, 0);
        assert_int_equal(dl_gpio_line_get(l), 0);
        sim_pull(0, 1);
        assert_int_equal(dl_gpio_line_get(l), 1);
        /* An input cannot be set, and has no events without edges. */
        assert_int_equal(dl_gpio_line_set(l, 1), -EPERM);
        assert_int_equal(dl_gpio_line_fd(l), -EINVAL);
}

static void test_input_active_low(void **state _unused_) {
        struct dl_gpio_line *l = request_ok("DOOR", true, &input);

        sim_pull(0, 1);
        assert_int_equal(dl_gpio_line_get(l), 0);
        sim_pull(0, 0);
        assert_int_equal(dl_gpio_line_get(l), 1);
}

/* A request with a bias sets the simulator's pull: the harness must
 * re-apply the pull it wants after the daemon requested a line. */
static void test_input_bias_sets_pull(void **state _unused_) {
        const struct dl_gpio_request up = { .direction = DL_GPIO_INPUT, .bias = DL_GPIO_BIAS_PULL_UP };
        const struct dl_gpio_request down = { .direction = DL_GPIO_INPUT, .bias = DL_GPIO_BIAS_PULL_DOWN };
        struct dl_gpio_line *l;
        char pull[32];

        sim_pull(0, 0);
        l = request_ok("DOOR", false, &up);
        sim_read(0, "pull", pull, sizeof(pull));
        assert_string_equal(pull, "pull-up");
        assert_int_equal(dl_gpio_line_get(l), 1);
        sim_pull(0, 0);
        assert_int_equal(dl_gpio_line_get(l), 0);
        release(l);

        l = request_ok("DOOR", false, &down);
        sim_read(0, "pull", pull, sizeof(pull));
        assert_string_equal(pull, "pull-down");
        assert_int_equal(dl_gpio_line_get(l), 0);
}

static void test_bad_requests(void **state _unused_) {
        const struct dl_gpio_request out_edge = { .direction = DL_GPIO_OUTPUT, .edge = DL_GPIO_EDGE_BOTH };
        const struct dl_gpio_request in_drain = { .direction = DL_GPIO_INPUT,
                                                  .drive = DL_GPIO_DRIVE_OPEN_DRAIN };
        struct dl_error err = {};

        assert_int_equal(request(LABEL_A, "BOLT", false, &out_edge, NULL, &err), -EINVAL);
        assert_non_null(strstr(err.message, "BOLT"));
        assert_int_equal(request(LABEL_A, "BOLT", false, &in_drain, NULL, &err), -EINVAL);
}

/* ---- events ---- */

static void test_read_events_never_blocks(void **state _unused_) {
        struct dl_gpio_line *l;
        struct dl_gpio_event ev[4];
        uint64_t t0;

        sim_pull(6, 0);
        l = request_ok("EDGE", false, &input_both);
        assert_true(dl_gpio_line_fd(l) >= 0);
        assert_false(readable(dl_gpio_line_fd(l), 0));
        t0 = now_usec();
        for (int i = 0; i < 10; i++)
                assert_int_equal(dl_gpio_line_read_events(l, ev, ELEMENTSOF(ev)), 0);
        assert_true(now_usec() - t0 < (uint64_t)USEC_PER_SEC / 2);
        assert_int_equal(dl_gpio_line_read_events(l, ev, 0), 0);
}

static void test_edges(void **state _unused_) {
        struct dl_gpio_event ev[4];
        struct dl_gpio_line *l;
        uint64_t t0, t1, t2;

        sim_pull(6, 0);
        l = request_ok("EDGE", false, &input_both);

        t0 = now_usec();
        sim_pull(6, 1);
        assert_int_equal(wait_events(l, ev, ELEMENTSOF(ev)), 1);
        t1 = now_usec();
        assert_true(ev[0].rising);
        printf("# rising edge at %" PRIu64 " µs, written at %" PRIu64 ", seen by %" PRIu64 "\n",
               ev[0].timestamp_usec, t0, t1);
        /* The kernel's CLOCK_MONOTONIC, as this process reads it. */
        assert_true(ev[0].timestamp_usec >= t0 && ev[0].timestamp_usec <= t1);

        sim_pull(6, 0);
        assert_int_equal(wait_events(l, ev + 1, ELEMENTSOF(ev) - 1), 1);
        t2 = now_usec();
        assert_false(ev[1].rising);
        assert_true(ev[1].timestamp_usec > ev[0].timestamp_usec);
        assert_true(ev[1].timestamp_usec <= t2);
        assert_int_equal(dl_gpio_line_get(l), 0);
        assert_int_equal(dl_gpio_line_read_events(l, ev, ELEMENTSOF(ev)), 0);
}

static void test_edges_active_low(void **state _unused_) {
        struct dl_gpio_event ev[4];
        struct dl_gpio_line *l;

        sim_pull(6, 0); /* low = active */
        l = request_ok("EDGE", true, &input_both);
        assert_int_equal(dl_gpio_line_get(l), 1);

        sim_pull(6, 1);
        assert_int_equal(wait_events(l, ev, ELEMENTSOF(ev)), 1);
        assert_false(ev[0].rising); /* electrically rising: became inactive */
        sim_pull(6, 0);
        assert_int_equal(wait_events(l, ev + 1, 1), 1);
        assert_true(ev[1].rising);
        assert_true(ev[1].timestamp_usec > ev[0].timestamp_usec);
}

static void test_edges_rising_only(void **state _unused_) {
        const struct dl_gpio_request rising = { .direction = DL_GPIO_INPUT, .edge = DL_GPIO_EDGE_RISING };
        struct dl_gpio_event ev[4];
        struct dl_gpio_line *l;
        int n;

        sim_pull(6, 0);
        l = request_ok("EDGE", false, &rising);
        for (int i = 0; i < 2; i++) {
                sim_pull(6, 1);
                sleep_ms(50);
                sim_pull(6, 0);
                sleep_ms(50);
        }
        n = wait_events(l, ev, ELEMENTSOF(ev));
        assert_int_equal(n, 2);
        assert_true(ev[0].rising && ev[1].rising);
        assert_true(ev[1].timestamp_usec > ev[0].timestamp_usec);
}

/* Make `edges` alternating edges on FLOOD (line 7) without reading, 10 ms
 * apart, starting from level 0 (the first edge rises), noting when each
 * write began; then read everything queued (twice: the second read must
 * find nothing).  Prints what it saw; returns the count read. */
static int flood(struct dl_gpio_line *l, int edges, uint64_t *written, struct dl_gpio_event *ev,
                 size_t max) {
        int n, more, wrong = 0;

        for (int i = 0; i < edges; i++) {
                written[i] = now_usec();
                sim_pull(7, (i + 1) % 2);
                sleep_ms(10);
        }
        sleep_ms(100);
        n = dl_gpio_line_read_events(l, ev, max);
        more = dl_gpio_line_read_events(l, ev + MAX(n, 0), max - (size_t)MAX(n, 0));
        printf("# %d edges made without reading, %d read (then %d more)\n", edges, n, more);
        assert_true(n >= 0);
        assert_int_equal(more, 0);
        for (int i = 0; i < n; i++) {
                if (i > 0)
                        assert_true(ev[i].timestamp_usec > ev[i - 1].timestamp_usec);
                /* With both edges the kernel (v1 and v2 alike) tells rising
                 * from falling by reading the level in its interrupt
                 * thread, later than the edge: under load it may see the
                 * next edge's level.  Shown, not asserted. */
                if (ev[i].rising != (i % 2 == 0))
                        wrong++;
        }
        printf("# %d of %d events read carry another edge type than the edge made in turn\n", wrong, n);
        if (n > 0)
                printf("# first event at +%" PRIu64 " µs, last read at +%" PRIu64
                       " µs after the first write\n",
                       ev[0].timestamp_usec - written[0], ev[n - 1].timestamp_usec - written[0]);
        if (n > 0 && n < edges)
                printf("# write %d was at +%" PRIu64 " µs\n", n, written[n] - written[0]);
        return n;
}

/* Drained, the line reports edges again (the last edge made was falling). */
static void assert_reports_again(struct dl_gpio_line *l) {
        struct dl_gpio_event ev[4];
        int n;

        assert_int_equal(dl_gpio_line_get(l), 0);
        sim_pull(7, 1);
        n = wait_events(l, ev, ELEMENTSOF(ev));
        assert_int_equal(n, 1);
        assert_true(ev[0].rising);
}

/* More edges than the kernel queues before the backend reads, with the
 * default queue: 16 events per line in both interfaces.  libgpiod 1.6's v1
 * interface drops the newest when its FIFO is full, so the first 16 are
 * read; the v2 interface (libgpiod 2) drops the oldest, so the last 16 are. */
static void test_queue_overflow(void **state _unused_) {
        enum {
                EDGES = 40
        };
        struct dl_gpio_event ev[64];
        struct dl_gpio_line *l;
        uint64_t written[EDGES];
        int n;

        sim_pull(7, 0);
        l = request_ok("FLOOD", false, &input_both);
        n = flood(l, EDGES, written, ev, ELEMENTSOF(ev));
        assert_int_equal(n, 16);
        if (!HAVE_GPIOD2)
                /* The oldest 16 were kept: the last one read came before edge 17. */
                assert_true(ev[15].timestamp_usec < written[16]);
        else
                /* The newest 16 were kept: the first one read came after
                 * edge EDGES - 16 was written. */
                assert_true(ev[0].timestamp_usec > written[EDGES - 16]);
        assert_reports_again(l);
}

/* A request asking for a larger kernel queue (event_buffer): libgpiod 2
 * passes it on, so 40 edges made without reading are all read, in order;
 * libgpiod 1.6 cannot, and still reads 16. */
static void test_event_buffer(void **state _unused_) {
        enum {
                EDGES = 40
        };
        const struct dl_gpio_request req = {
                .direction = DL_GPIO_INPUT,
                .edge = DL_GPIO_EDGE_BOTH,
                .event_buffer = 64,
        };
        struct dl_gpio_event ev[80];
        struct dl_gpio_line *l;
        uint64_t written[EDGES];
        int n;

        sim_pull(7, 0);
        l = request_ok("FLOOD", false, &req);
        n = flood(l, EDGES, written, ev, ELEMENTSOF(ev));
        if (!HAVE_GPIOD2) {
                assert_int_equal(n, 16);
        } else {
                assert_int_equal(n, EDGES);
                /* Every edge kept, each one after its own write. */
                for (int i = 0; i < EDGES; i++)
                        assert_true(ev[i].timestamp_usec > written[i]);
        }
        assert_reports_again(l);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(test_chip_by_label, teardown),
                cmocka_unit_test_teardown(test_chip_by_name, teardown),
                cmocka_unit_test_teardown(test_chip_by_path, teardown),
                cmocka_unit_test_teardown(test_chip_missing, teardown),
                cmocka_unit_test_teardown(test_line_by_name, teardown),
                cmocka_unit_test_teardown(test_line_by_offset, teardown),
                cmocka_unit_test_teardown(test_line_not_unique, teardown),
                cmocka_unit_test_teardown(test_line_missing, teardown),
                cmocka_unit_test_teardown(test_busy, teardown),
                cmocka_unit_test_teardown(test_describe, teardown),
                cmocka_unit_test_teardown(test_library_version, teardown),
                cmocka_unit_test_teardown(test_output_follows, teardown),
                cmocka_unit_test_teardown(test_output_active_low, teardown),
                cmocka_unit_test_teardown(test_input_follows_pull, teardown),
                cmocka_unit_test_teardown(test_input_active_low, teardown),
                cmocka_unit_test_teardown(test_input_bias_sets_pull, teardown),
                cmocka_unit_test_teardown(test_bad_requests, teardown),
                cmocka_unit_test_teardown(test_read_events_never_blocks, teardown),
                cmocka_unit_test_teardown(test_edges, teardown),
                cmocka_unit_test_teardown(test_edges_active_low, teardown),
                cmocka_unit_test_teardown(test_edges_rising_only, teardown),
                cmocka_unit_test_teardown(test_queue_overflow, teardown),
                cmocka_unit_test_teardown(test_event_buffer, teardown),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
