/* SPDX-License-Identifier: GPL-2.0-or-later */
/* broker.c against a real mosquitto (mosquitto-fixture.c) on loopback, each
 * case on its own sd-event loop with a deadline: MQTT 5 properties both
 * ways, the subscription options (retain handling, retain-as-published,
 * no-local), the will, a clean stop, reconnect after a broker restart,
 * keepalive pings from the timer, password auth, TLS with a good and a
 * wrong CA.  Skipped as a whole when mosquitto is not installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the four above. */
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "broker.h"
#include "log.h"
#include "mosquitto-fixture.h"
#include "mqtt-config.h"

#define MSEC UINT64_C(1000)
#define SEC UINT64_C(1000000)
#define MAX_MSGS 16

struct got {
        char topic[128];
        char payload[256];
        bool retain;
        char response_topic[128];
        char correlation[64];
        size_t correlation_len;
        bool has_expiry;
        uint32_t expiry_sec;
};

struct client {
        struct broker *b;
        int connected, disconnected;
        const char *subscribe[4]; /* subscribed on every connect */
        bool send_retained[4];
        struct got msgs[MAX_MSGS];
        size_t n_msgs;
        bool done;
};

struct env {
        struct mosq_fixture f;
        sd_event *e;
        struct mqtt_config c;
};

static void on_connected(struct broker *b, void *userdata) {
        struct client *cl = userdata;

        cl->connected++;
        for (size_t i = 0; i < 4 && cl->subscribe[i]; i++)
                assert_int_equal(broker_subscribe(b, cl->subscribe[i], 1, cl->send_retained[i]), 0);
}

static void on_disconnected(struct broker *b, int reason, void *userdata) {
        struct client *cl = userdata;

        (void)b;
        (void)reason;
        cl->disconnected++;
}

static void on_message(struct broker *b, const struct broker_message *m, void *userdata) {
        struct client *cl = userdata;
        struct got *g;

        (void)b;
        if (cl->n_msgs >= MAX_MSGS)
                return;
        g = &cl->msgs[cl->n_msgs++];
        memset(g, 0, sizeof *g);
        snprintf(g->topic, sizeof g->topic, "%s", m->topic);
        snprintf(g->payload, sizeof g->payload, "%.*s", (int)m->len, (const char *)m->payload);
        g->retain = m->retain;
        if (m->response_topic)
                snprintf(g->response_topic, sizeof g->response_topic, "%s", m->response_topic);
        if (m->correlation) {
                assert_true(m->correlation_len <= sizeof g->correlation);
                memcpy(g->correlation, m->correlation, m->correlation_len);
                g->correlation_len = m->correlation_len;
        }
        g->has_expiry = m->has_expiry;
        g->expiry_sec = m->expiry_sec;
}

static const struct broker_callbacks callbacks = {
        .connected = on_connected,
        .disconnected = on_disconnected,
        .message = on_message,
};

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec / 1000;
}

/* Runs the loop until *flag >= want or timeout; whether it got there. */
static bool run_until(sd_event *e, const int *flag, int want, uint64_t timeout) {
        uint64_t end = now_usec() + timeout;

        while ((!flag || *flag < want) && now_usec() < end)
                assert_true(sd_event_run(e, 50 * MSEC) >= 0);
        return !flag || *flag >= want;
}

static bool run_until_msgs(sd_event *e, struct client *cl, size_t want, uint64_t timeout) {
        uint64_t end = now_usec() + timeout;

        while (cl->n_msgs < want && now_usec() < end)
                assert_true(sd_event_run(e, 50 * MSEC) >= 0);
        return cl->n_msgs >= want;
}

static int setup(void **state) {
        struct env *v = calloc(1, sizeof *v);

        assert_non_null(v);
        assert_int_equal(mosq_fixture_init(&v->f), 0);
        assert_int_equal(sd_event_new(&v->e), 0);
        mqtt_config_init(&v->c);
        snprintf(v->c.broker.host, sizeof v->c.broker.host, "127.0.0.1");
        v->c.broker.reconnect_min_sec = 1;
        v->c.broker.reconnect_max_sec = 1;
        v->c.broker.keep_alive_sec = 30;
        *state = v;
        return 0;
}

static int teardown(void **state) {
        struct env *v = *state;

        mosq_fixture_cleanup(&v->f);
        sd_event_unref(v->e);
        free(v);
        return 0;
}

static void start_plain(struct env *v) {
        assert_int_equal(mosq_fixture_start(&v->f), 0);
        v->c.broker.port = v->f.port;
}

static void client_new(struct env *v, struct client *cl, const char *id, const char *password,
                       const struct broker_will *will) {
        assert_int_equal(broker_new(v->e, &v->c, id, password, will, &callbacks, cl, &cl->b), 0);
        assert_int_equal(broker_start(cl->b), 0);
}

static void client_connect(struct env *v, struct client *cl, const char *id) {
        client_new(v, cl, id, NULL, NULL);
        assert_true(run_until(v->e, &cl->connected, 1, 5 * SEC));
        assert_true(broker_is_connected(cl->b));
}

static void test_bad_args(void **state) {
        struct env *v = *state;
        struct broker *b = NULL;
        struct broker_will w = { .topic = "", .payload = "x" };

        v->c.broker.port = 1883;
        assert_int_equal(broker_new(NULL, &v->c, "id", NULL, NULL, NULL, NULL, &b), -EINVAL);
        assert_int_equal(broker_new(v->e, &v->c, "", NULL, NULL, NULL, NULL, &b), -EINVAL);
        assert_int_equal(broker_new(v->e, &v->c, "id", NULL, &w, NULL, NULL, &b), -EINVAL);
        /* a password without a user name */
        assert_int_equal(broker_new(v->e, &v->c, "id", "pw", NULL, NULL, NULL, &b), -EINVAL);
        /* TLS with a CA file that does not exist */
        v->c.broker.tls = true;
        snprintf(v->c.broker.ca_file, sizeof v->c.broker.ca_file, "/nonexistent/ca.pem");
        assert_true(broker_new(v->e, &v->c, "id", NULL, NULL, NULL, NULL, &b) < 0);
        assert_null(b);
        v->c.broker.tls = false;
        assert_int_equal(broker_new(v->e, &v->c, "id", NULL, NULL, NULL, NULL, &b), 0);
        assert_int_equal(broker_subscribe(b, "t", 1, false), -ENOTCONN);
        assert_int_equal(broker_publish(b, "t", "x", 1, 1, false, NULL), -ENOTCONN);
        assert_false(broker_is_connected(b));
        assert_string_equal(broker_address(b), "127.0.0.1:1883");
        assert_null(broker_free(b));
}

/* Properties both ways: a command from mosquitto_pub with response topic,
 * correlation data and expiry; our reply with correlation data. */
static void test_roundtrip(void **state) {
        struct env *v = *state;
        struct client a = { .subscribe = { "t/cmd" } }, r = { .subscribe = { "t/reply" } };
        struct broker_publish_props props = { .correlation = "c\0rr", .correlation_len = 4 };

        start_plain(v);
        client_connect(v, &a, "a");
        client_connect(v, &r, "r");
        run_until(v->e, NULL, 0, 200 * MSEC); /* the SUBACKs */
        assert_int_equal(mosq_fixture_pub(&v->f, "-t t/cmd -m hello -D publish response-topic t/reply "
                                                 "-D publish correlation-data xyz "
                                                 "-D publish message-expiry-interval 30"),
                         0);
        assert_true(run_until_msgs(v->e, &a, 1, 5 * SEC));
        assert_string_equal(a.msgs[0].topic, "t/cmd");
        assert_string_equal(a.msgs[0].payload, "hello");
        assert_false(a.msgs[0].retain);
        assert_string_equal(a.msgs[0].response_topic, "t/reply");
        assert_int_equal(a.msgs[0].correlation_len, 3);
        assert_memory_equal(a.msgs[0].correlation, "xyz", 3);
        assert_true(a.msgs[0].has_expiry);
        assert_true(a.msgs[0].expiry_sec > 0 && a.msgs[0].expiry_sec <= 30);

        assert_int_equal(
                broker_publish(a.b, a.msgs[0].response_topic, "{\"ok\":true}", 11, 1, false, &props), 0);
        assert_true(run_until_msgs(v->e, &r, 1, 5 * SEC));
        assert_string_equal(r.msgs[0].payload, "{\"ok\":true}");
        assert_int_equal(r.msgs[0].correlation_len, 4);
        assert_memory_equal(r.msgs[0].correlation, "c\0rr", 4);
        assert_false(r.msgs[0].has_expiry);
        assert_string_equal(r.msgs[0].response_topic, "");
        broker_free(a.b);
        broker_free(r.b);
}

/* Retain handling: a retained message is not sent on subscribe unless
 * send_retained; a live retained one arrives with retain set. */
static void test_retained(void **state) {
        struct env *v = *state;
        struct client no = { .subscribe = { "t/ret" }, .send_retained = { false } };
        struct client yes = { .subscribe = { "t/ret" }, .send_retained = { true } };

        start_plain(v);
        assert_int_equal(mosq_fixture_pub(&v->f, "-t t/ret -m old -r"), 0);
        client_connect(v, &no, "no");
        client_connect(v, &yes, "yes");
        assert_true(run_until_msgs(v->e, &yes, 1, 5 * SEC));
        assert_string_equal(yes.msgs[0].payload, "old");
        assert_true(yes.msgs[0].retain);
        run_until(v->e, NULL, 0, 300 * MSEC);
        assert_int_equal(no.n_msgs, 0);

        /* live, retained: retain-as-published keeps the flag */
        assert_int_equal(mosq_fixture_pub(&v->f, "-t t/ret -m new -r"), 0);
        assert_true(run_until_msgs(v->e, &no, 1, 5 * SEC));
        assert_string_equal(no.msgs[0].payload, "new");
        assert_true(no.msgs[0].retain);
        assert_true(run_until_msgs(v->e, &yes, 2, 5 * SEC));
        assert_true(yes.msgs[1].retain);
        broker_free(no.b);
        broker_free(yes.b);
}

static void test_no_local(void **state) {
        struct env *v = *state;
        struct client a = { .subscribe = { "t/echo" } }, o = { .subscribe = { "t/echo" } };

        start_plain(v);
        client_connect(v, &a, "a");
        client_connect(v, &o, "o");
        run_until(v->e, NULL, 0, 200 * MSEC);
        assert_int_equal(broker_publish(a.b, "t/echo", "mine", 4, 1, false, NULL), 0);
        assert_true(run_until_msgs(v->e, &o, 1, 5 * SEC));
        assert_string_equal(o.msgs[0].payload, "mine");
        run_until(v->e, NULL, 0, 300 * MSEC);
        assert_int_equal(a.n_msgs, 0);
        broker_free(a.b);
        broker_free(o.b);
}

/* The will: the broker publishes it when the process dies. */
static void test_will_on_kill(void **state) {
        struct env *v = *state;
        struct client w = { .subscribe = { "t/avail" }, .send_retained = { true } };
        struct broker_will will = { .topic = "t/avail", .payload = "offline", .retain = true, .qos = 1 };
        int pipefd[2];
        pid_t pid;
        char c;

        start_plain(v);
        assert_int_equal(pipe(pipefd), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                sd_event *e = NULL;
                struct client k = { 0 };

                close(pipefd[0]);
                if (sd_event_new(&e) < 0 ||
                    broker_new(e, &v->c, "killed", NULL, &will, &callbacks, &k, &k.b) < 0 ||
                    broker_start(k.b) < 0)
                        _exit(1);
                while (k.connected == 0)
                        if (sd_event_run(e, UINT64_MAX) < 0)
                                _exit(1);
                (void)broker_publish(k.b, "t/avail", "online", 6, 1, true, NULL);
                for (int i = 0; i < 5; i++)
                        (void)sd_event_run(e, 20 * MSEC);
                if (write(pipefd[1], "c", 1) != 1)
                        _exit(1);
                for (;;)
                        (void)sd_event_run(e, UINT64_MAX);
        }
        close(pipefd[1]);
        assert_int_equal(read(pipefd[0], &c, 1), 1);
        close(pipefd[0]);
        client_connect(v, &w, "watcher");
        assert_true(run_until_msgs(v->e, &w, 1, 5 * SEC));
        assert_string_equal(w.msgs[0].payload, "online");
        kill(pid, SIGKILL);
        assert_int_equal(waitpid(pid, NULL, 0), pid);
        assert_true(run_until_msgs(v->e, &w, 2, 5 * SEC));
        assert_string_equal(w.msgs[1].topic, "t/avail");
        assert_string_equal(w.msgs[1].payload, "offline");
        assert_true(w.msgs[1].retain);
        broker_free(w.b);
}

static void stop_done(void *userdata) {
        struct client *cl = userdata;

        cl->done = true;
}

/* broker_stop(): "offline" retained from us, a clean DISCONNECT (so not
 * the will, whose payload differs here to tell them apart), done(). */
static void test_stop(void **state) {
        struct env *v = *state;
        struct client w = { .subscribe = { "t/avail" } }, s = { 0 };
        struct broker_will will = {
                .topic = "t/avail", .payload = "will-payload", .retain = true, .qos = 1
        };
        int done;

        start_plain(v);
        client_connect(v, &w, "watcher");
        client_new(v, &s, "stopper", NULL, &will);
        assert_true(run_until(v->e, &s.connected, 1, 5 * SEC));
        run_until(v->e, NULL, 0, 100 * MSEC);
        assert_int_equal(broker_stop(s.b, 2 * SEC, stop_done), 0);
        assert_int_equal(broker_stop(s.b, 2 * SEC, stop_done), -EALREADY);
        for (uint64_t end = now_usec() + 3 * SEC; !s.done && now_usec() < end;)
                assert_true(sd_event_run(v->e, 50 * MSEC) >= 0);
        assert_true(s.done);
        assert_false(broker_is_connected(s.b));
        assert_true(run_until_msgs(v->e, &w, 1, 5 * SEC));
        run_until(v->e, NULL, 0, 500 * MSEC);
        assert_int_equal(w.n_msgs, 1);
        assert_string_equal(w.msgs[0].payload, "offline");
        assert_true(w.msgs[0].retain);
        assert_int_equal(mosq_fixture_log_count(&v->f, "Client stopper disconnected."), 1);
        /* no reconnect after a stop */
        done = s.connected;
        run_until(v->e, NULL, 0, 1500 * MSEC);
        assert_int_equal(s.connected, done);
        broker_free(s.b);

        /* stop while not connected: done() from the loop at once */
        memset(&s, 0, sizeof s);
        v->c.broker.port = 1; /* nothing listens */
        client_new(v, &s, "never", NULL, &will);
        assert_int_equal(broker_stop(s.b, 2 * SEC, stop_done), 0);
        assert_false(s.done);
        run_until(v->e, NULL, 0, 100 * MSEC);
        assert_true(s.done);
        broker_free(s.b);
        broker_free(w.b);
}

/* The broker killed and started again on the same port: the client comes
 * back by itself and the connected callback runs again (resubscribing). */
static void test_restart(void **state) {
        struct env *v = *state;
        struct client a = { .subscribe = { "t/x" } };

        start_plain(v);
        client_connect(v, &a, "a");
        mosq_fixture_stop(&v->f, true);
        assert_true(run_until(v->e, &a.disconnected, 1, 5 * SEC));
        assert_false(broker_is_connected(a.b));
        run_until(v->e, NULL, 0, 1500 * MSEC); /* a failed attempt or two */
        assert_int_equal(a.connected, 1);
        assert_int_equal(mosq_fixture_start(&v->f), 0);
        assert_true(run_until(v->e, &a.connected, 2, 5 * SEC));
        run_until(v->e, NULL, 0, 200 * MSEC);
        assert_int_equal(mosq_fixture_pub(&v->f, "-t t/x -m again"), 0);
        assert_true(run_until_msgs(v->e, &a, 1, 5 * SEC));
        assert_string_equal(a.msgs[0].payload, "again");
        broker_free(a.b);
}

/* KeepAlive=5: the broker drops a silent client after 7.5 s; 12 s idle
 * survive only because the timer pinged. */
static void test_keepalive(void **state) {
        struct env *v = *state;
        struct client a = { 0 };

        v->c.broker.keep_alive_sec = 5;
        start_plain(v);
        client_connect(v, &a, "idle");
        run_until(v->e, NULL, 0, 12 * SEC);
        assert_int_equal(a.disconnected, 0);
        assert_int_equal(a.connected, 1);
        assert_true(broker_is_connected(a.b));
        assert_true(mosq_fixture_log_count(&v->f, "Received PINGREQ from idle") >= 2);
        broker_free(a.b);
}

static void test_password(void **state) {
        struct env *v = *state;
        struct client bad = { 0 }, good = { 0 };

        assert_int_equal(mosq_fixture_make_passwd(&v->f, "lock", "s3cret"), 0);
        start_plain(v);
        snprintf(v->c.broker.username, sizeof v->c.broker.username, "lock");
        client_new(v, &bad, "bad", "wrong", NULL);
        run_until(v->e, NULL, 0, 2500 * MSEC);
        assert_int_equal(bad.connected, 0);
        assert_false(broker_is_connected(bad.b));
        /* it tried again (ReconnectMin=Max=1 s) */
        assert_true(mosq_fixture_log_count(&v->f, "disconnected, not authorised") >= 2);
        broker_free(bad.b);

        client_new(v, &good, "good", "s3cret", NULL);
        assert_true(run_until(v->e, &good.connected, 1, 5 * SEC));
        broker_free(good.b);
}

static void test_tls(void **state) {
        struct env *v = *state;
        struct client a = { .subscribe = { "t/tls" } };

        assert_int_equal(mosq_fixture_make_tls(&v->f), 0);
        start_plain(v);
        v->c.broker.tls = true;
        snprintf(v->c.broker.ca_file, sizeof v->c.broker.ca_file, "%s", mosq_fixture_path(&v->f, "ca.pem"));
        client_connect(v, &a, "tls");
        assert_true(broker_is_tls(a.b));
        run_until(v->e, NULL, 0, 200 * MSEC);
        assert_int_equal(broker_publish(a.b, "t/other", "x", 1, 1, false, NULL), 0);
        run_until(v->e, NULL, 0, 200 * MSEC);
        assert_true(broker_is_connected(a.b));
        broker_free(a.b);
}

static void test_tls_wrong_ca(void **state) {
        struct env *v = *state;
        struct client a = { 0 };

        assert_int_equal(mosq_fixture_make_tls(&v->f), 0);
        start_plain(v);
        v->c.broker.tls = true;
        snprintf(v->c.broker.ca_file, sizeof v->c.broker.ca_file, "%s",
                 mosq_fixture_path(&v->f, "other-ca.pem"));
        client_new(v, &a, "tls-wrong", NULL, NULL);
        run_until(v->e, NULL, 0, 2500 * MSEC);
        assert_int_equal(a.connected, 0);
        assert_false(broker_is_connected(a.b));
        broker_free(a.b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_bad_args, setup, teardown),
                cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
                cmocka_unit_test_setup_teardown(test_retained, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_local, setup, teardown),
                cmocka_unit_test_setup_teardown(test_will_on_kill, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
                cmocka_unit_test_setup_teardown(test_restart, setup, teardown),
                cmocka_unit_test_setup_teardown(test_keepalive, setup, teardown),
                cmocka_unit_test_setup_teardown(test_password, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tls, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tls_wrong_ca, setup, teardown),
        };

        if (!mosq_fixture_available()) {
                printf("1..0 # SKIP %s is not installed\n", MOSQ_FIXTURE_BINARY);
                return 0;
        }
        signal(SIGPIPE, SIG_IGN);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
