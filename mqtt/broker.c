/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The broker connection: libmosquitto without its own loop or threads.
 *
 * I/O: mosquitto_socket() is watched with sd_event_add_io (EPOLLIN, plus
 * EPOLLOUT while mosquitto_want_write()); every event runs
 * mosquitto_loop_read() (which also drives a TLS handshake still under way:
 * both 2.0.11 and 2.0.2x continue SSL_connect() from there, and a read
 * with nothing to read is a no-op) and, on EPOLLOUT, mosquitto_loop_write().
 *
 * Keepalive: libmosquitto sends PINGREQ only from mosquitto_loop_misc(),
 * once KeepAlive seconds have passed since the last packet it wrote or
 * read (its private next_msg_out / last_msg_in, whole seconds of
 * CLOCK_MONOTONIC), and closes the link when the previous PINGREQ got no
 * PINGRESP by then (or, before CONNACK, when the connect took that long:
 * the connect timeout).  It updates those two times only inside our own
 * calls into it, and it logs every packet it sends ("... sending X") and
 * receives ("... received X") through the log callback.  So we keep our
 * own last_out / last_in from that callback, taken at the moment the
 * packet is queued or handled: never later than libmosquitto's own, so
 * min(last_out, last_in) + KeepAlive is never after its deadline, and the
 * timer armed there runs loop_misc() at most a second (its rounding) after
 * it is due; the broker allows 1.5 x KeepAlive.  If the timer fires and
 * libmosquitto did not ping (the deadline moved without our seeing it: a
 * long message read in pieces, or a libmosquitto that words its logs
 * differently), the timer is armed one second on, so a mismatch costs
 * wake-ups, never the connection.  Idle, that is one wake-up per KeepAlive
 * (PINGREQ) plus the PINGRESP.
 *
 * Address families: libmosquitto resolves the host itself (getaddrinfo,
 * AF_UNSPEC) and connects to the first address whose connect() starts, so
 * an IPv6 address that never answers would hide a working IPv4 one
 * forever.  Each attempt therefore binds the socket to "::" or "0.0.0.0"
 * (mosquitto_connect_bind_async), which makes libmosquitto skip every
 * address of the other family: attempts alternate between the families.
 * A family that fails at once (no address of it, no route) is tried again
 * with the other one in the same attempt and skipped until the next
 * successful connection or until both have failed at once.  The name
 * lookup itself is libmosquitto's blocking getaddrinfo(): instant for an
 * address literal or /etc/hosts, up to the resolver's timeout otherwise.
 *
 * libmosquitto keeps its own copy of the password (mosquitto_username_pw_set)
 * that it frees without wiping; ours is wiped in broker_free(). */
#include "broker.h"

#include <errno.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>

#include "backoff.h"
#include "log.h"
#include "macro.h"

#define BROKER_REASON_MAX 256
#define BROKER_OS_CERTS "/etc/ssl/certs"

enum broker_state {
        STATE_IDLE,       /* not started */
        STATE_WAITING,    /* the reconnect timer runs */
        STATE_CONNECTING, /* socket open, no CONNACK yet */
        STATE_CONNECTED,
        STATE_STOPPING, /* DISCONNECT queued, waiting for it to leave */
        STATE_STOPPED,
};

enum {
        FAMILY_V4,
        FAMILY_V6
};

struct broker {
        sd_event *event;
        struct mosquitto *mosq;
        sd_event_source *io, *keepalive, *reconnect, *stop_timer, *stop_defer;

        char *host;
        unsigned port;
        bool tls;
        char address[MQTT_HOST_MAX + 16];
        char *password; /* wiped on free */
        unsigned keepalive_sec;

        bool has_will;
        char *will_topic, *will_payload;
        bool will_retain;
        int will_qos;

        struct backoff backoff;
        struct broker_callbacks cb;
        void *userdata;

        enum broker_state state;
        int family_next;
        bool family_failed[2];

        uint64_t last_out, last_in; /* CLOCK_MONOTONIC µs, see the top */
        uint64_t keepalive_deadline;

        char refused[BROKER_REASON_MAX];     /* the CONNACK's reason, this attempt */
        char lib_error[BROKER_REASON_MAX];   /* libmosquitto's last error log line */
        char last_reason[BROKER_REASON_MAX]; /* the last one logged ("" after a connect) */

        void (*done)(void *userdata);
        bool done_called;
};

static uint64_t now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t random_u64(void) {
        uint64_t r = 0;
        struct timespec ts;

        /* Jitter only: needs to differ between gateways, not to be secret. */
        if (getentropy(&r, sizeof r) < 0) {
                clock_gettime(CLOCK_REALTIME, &ts);
                r = (uint64_t)ts.tv_nsec * UINT64_C(6364136223846793005) ^ (uint64_t)getpid();
        }
        return r;
}

static char *strdup_or_null(const char *s) {
        return s && *s ? strdup(s) : NULL;
}

static void arm_keepalive(struct broker *b);
static void schedule_reconnect(struct broker *b, const char *reason, bool lost);
static int connection_start(struct broker *b);

/* After every call into libmosquitto: follow want_write and the deadline. */
static void io_update(struct broker *b) {
        uint32_t events = EPOLLIN;

        if (!b->io)
                return;
        if (mosquitto_want_write(b->mosq))
                events |= EPOLLOUT;
        (void)sd_event_source_set_io_events(b->io, events);
        arm_keepalive(b);
}

static void io_close(struct broker *b) {
        b->io = sd_event_source_disable_unref(b->io);
        if (b->keepalive)
                (void)sd_event_source_set_enabled(b->keepalive, SD_EVENT_OFF);
}

static void reason_for(struct broker *b, int rc, int err, char *out, size_t outlen) {
        size_t n;

        if (b->refused[0])
                snprintf(out, outlen, "refused by the broker: %.200s", b->refused);
        else if (rc == MOSQ_ERR_ERRNO)
                snprintf(out, outlen, "%s", strerror(err));
        else if (rc == MOSQ_ERR_EAI)
                snprintf(out, outlen, "%s", gai_strerror(err));
        else if (rc == MOSQ_ERR_KEEPALIVE)
                snprintf(out, outlen, "no answer from the broker within the keepalive");
        else if (rc == MOSQ_ERR_TLS && b->lib_error[0])
                snprintf(out, outlen, "TLS: %.200s", b->lib_error);
        else if (rc >= 128) /* an MQTT 5 reason code from the broker's DISCONNECT */
                snprintf(out, outlen, "disconnected by the broker: %s", mosquitto_reason_string(rc));
        else
                snprintf(out, outlen, "%s", mosquitto_strerror(rc));
        /* libmosquitto's sentences end in a period; ours go on with "; retrying". */
        n = strlen(out);
        if (n > 0 && out[n - 1] == '.')
                out[n - 1] = '\0';
}

static int stop_defer_handler(sd_event_source *s, void *userdata) {
        struct broker *b = userdata;
        void (*done)(void *) = b->done;

        (void)s;
        b->stop_defer = sd_event_source_disable_unref(b->stop_defer);
        b->stop_timer = sd_event_source_disable_unref(b->stop_timer);
        if (b->done_called)
                return 0;
        b->done_called = true;
        b->state = STATE_STOPPED;
        if (done)
                done(b->userdata); /* may free b */
        return 0;
}

/* done() from the loop, never from inside a libmosquitto callback (it may
 * free the broker). */
static void stop_finish(struct broker *b) {
        int r;

        b->state = STATE_STOPPED;
        if (b->done_called || b->stop_defer)
                return;
        r = sd_event_add_defer(b->event, &b->stop_defer, stop_defer_handler, b);
        if (r < 0) {
                log_msg(LOG_ERR, "cannot finish the broker disconnect: %s", strerror(-r));
                b->done_called = true;
        }
}

/* The socket is gone (or the attempt failed): rc is libmosquitto's. */
static void connection_down(struct broker *b, int rc, int err) {
        char reason[BROKER_REASON_MAX];
        bool was_connected = b->state == STATE_CONNECTED;

        if (b->state != STATE_CONNECTING && b->state != STATE_CONNECTED && b->state != STATE_STOPPING)
                return;
        io_close(b);
        if (b->state == STATE_STOPPING) {
                if (b->cb.disconnected)
                        b->cb.disconnected(b, rc, b->userdata);
                stop_finish(b);
                return;
        }
        reason_for(b, rc, err, reason, sizeof reason);
        b->state = STATE_WAITING;
        if (was_connected && b->cb.disconnected)
                b->cb.disconnected(b, rc, b->userdata);
        /* The callback may have stopped us. */
        if (b->state == STATE_WAITING)
                schedule_reconnect(b, reason, was_connected);
}

static void on_connect(struct mosquitto *m, void *userdata, int rc, int flags,
                       const mosquitto_property *props) {
        struct broker *b = userdata;
        uint16_t server_keepalive = 0;

        (void)m;
        (void)flags;
        if (b->state != STATE_CONNECTING)
                return;
        if (rc != 0) {
                /* libmosquitto closes the socket right after: on_disconnect. */
                snprintf(b->refused, sizeof b->refused, "%s", mosquitto_reason_string(rc));
                return;
        }
        /* The broker may impose its own keepalive; libmosquitto follows it. */
        if (mosquitto_property_read_int16(props, MQTT_PROP_SERVER_KEEP_ALIVE, &server_keepalive, false) &&
            server_keepalive > 0)
                b->keepalive_sec = server_keepalive;
        b->state = STATE_CONNECTED;
        backoff_reset(&b->backoff);
        b->family_failed[FAMILY_V4] = b->family_failed[FAMILY_V6] = false;
        b->last_reason[0] = '\0';
        log_msg(LOG_INFO, "connected to %s%s", b->address, b->tls ? " (TLS)" : "");
        if (b->cb.connected)
                b->cb.connected(b, b->userdata);
}

static void on_disconnect(struct mosquitto *m, void *userdata, int rc, const mosquitto_property *props) {
        struct broker *b = userdata;
        int err = errno;

        (void)m;
        (void)props;
        connection_down(b, rc, err);
}

static void on_message(struct mosquitto *m, void *userdata, const struct mosquitto_message *msg,
                       const mosquitto_property *props) {
        struct broker *b = userdata;
        _cleanup_free_ char *response_topic = NULL;
        _cleanup_free_ void *correlation = NULL;
        uint16_t correlation_len = 0;
        uint32_t expiry = 0;
        struct broker_message bm = {
                .topic = msg->topic,
                .payload = msg->payload,
                .len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0,
                .retain = msg->retain,
                .qos = msg->qos,
        };

        (void)m;
        if (b->state != STATE_CONNECTED || !b->cb.message)
                return;
        if (mosquitto_property_read_string(props, MQTT_PROP_RESPONSE_TOPIC, &response_topic, false))
                bm.response_topic = response_topic;
        if (mosquitto_property_read_binary(props, MQTT_PROP_CORRELATION_DATA, &correlation, &correlation_len,
                                           false) &&
            correlation) {
                bm.correlation = correlation;
                bm.correlation_len = correlation_len;
        }
        if (mosquitto_property_read_int32(props, MQTT_PROP_MESSAGE_EXPIRY_INTERVAL, &expiry, false)) {
                bm.has_expiry = true;
                bm.expiry_sec = expiry;
        }
        b->cb.message(b, &bm, b->userdata);
}

static bool has_word(const char *s, const char *lower, const char *upper) {
        return strstr(s, lower) || strncmp(s, upper, strlen(upper)) == 0;
}

/* See the top: every packet in and out, for the keepalive timer; and
 * libmosquitto's own errors (a TLS handshake's OpenSSL error) for the
 * reason we log.  Its lines name topics and client ids, never a payload or
 * a password. */
static void on_log(struct mosquitto *m, void *userdata, int level, const char *line) {
        struct broker *b = userdata;

        (void)m;
        if (level == MOSQ_LOG_DEBUG) {
                if (has_word(line, " sending ", "Sending ")) {
                        b->last_out = now_usec();
                        if (strstr(line, "PINGREQ"))
                                b->last_in = b->last_out; /* as libmosquitto does */
                } else if (has_word(line, " received ", "Received "))
                        b->last_in = now_usec();
                return;
        }
        if (level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING)) {
                snprintf(b->lib_error, sizeof b->lib_error, "%s", line);
                log_msg(LOG_DEBUG, "libmosquitto: %s", line);
        }
}

static int keepalive_handler(sd_event_source *s, uint64_t usec, void *userdata) {
        struct broker *b = userdata;
        uint64_t before = b->keepalive_deadline;
        int rc;

        (void)s;
        (void)usec;
        rc = mosquitto_loop_misc(b->mosq);
        if (rc != MOSQ_ERR_SUCCESS) {
                /* A keepalive failure went through on_disconnect already. */
                connection_down(b, rc, errno);
                return 0;
        }
        io_update(b);
        if (b->io && b->keepalive && b->keepalive_deadline <= before) {
                /* libmosquitto was not due yet: see the top. */
                b->keepalive_deadline = now_usec() + USEC_PER_SEC;
                (void)sd_event_source_set_time(b->keepalive, b->keepalive_deadline);
                (void)sd_event_source_set_enabled(b->keepalive, SD_EVENT_ONESHOT);
        }
        return 0;
}

static void arm_keepalive(struct broker *b) {
        uint64_t deadline = MIN(b->last_out, b->last_in) + (uint64_t)b->keepalive_sec * USEC_PER_SEC;
        int r;

        if (!b->io)
                return;
        b->keepalive_deadline = deadline;
        if (!b->keepalive) {
                r = sd_event_add_time(b->event, &b->keepalive, CLOCK_MONOTONIC, deadline, 0,
                                      keepalive_handler, b);
                if (r < 0)
                        log_msg(LOG_ERR, "cannot arm the keepalive timer: %s", strerror(-r));
                return;
        }
        (void)sd_event_source_set_time(b->keepalive, deadline);
        (void)sd_event_source_set_enabled(b->keepalive, SD_EVENT_ONESHOT);
}

static void after_call(struct broker *b, int rc) {
        if (rc != MOSQ_ERR_SUCCESS && mosquitto_socket(b->mosq) < 0) {
                /* Closed without on_disconnect (a failed TLS handshake). */
                connection_down(b, rc, errno);
                return;
        }
        io_update(b);
}

static int io_handler(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct broker *b = userdata;
        int rc;

        (void)s;
        if (b->state == STATE_CONNECTING && (revents & (EPOLLERR | EPOLLHUP))) {
                /* The connect() failed (refused on this address family: a
                 * broker on 127.0.0.1 only, "localhost" being ::1 first).
                 * With TLS, libmosquitto's reads and writes do not report it
                 * and the socket would spin; end the attempt here, the next
                 * one takes the other family. */
                int err = 0;
                socklen_t len = sizeof(err);

                if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
                        err = errno;
                connection_down(b, MOSQ_ERR_ERRNO, err ? err : ECONNRESET);
                return 0;
        }
        rc = mosquitto_loop_read(b->mosq, 1);
        if (rc != MOSQ_ERR_SUCCESS || !b->io) {
                if (b->io)
                        after_call(b, rc);
                return 0;
        }
        if ((revents & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && mosquitto_socket(b->mosq) >= 0) {
                rc = mosquitto_loop_write(b->mosq, 1);
                if (!b->io)
                        return 0;
        }
        after_call(b, rc);
        return 0;
}

static int reconnect_handler(sd_event_source *s, uint64_t usec, void *userdata) {
        struct broker *b = userdata;

        (void)s;
        (void)usec;
        if (b->state == STATE_WAITING)
                (void)connection_start(b);
        return 0;
}

static void schedule_reconnect(struct broker *b, const char *reason, bool lost) {
        uint64_t wait = backoff_next(&b->backoff, random_u64());
        unsigned secs = (unsigned)((wait + USEC_PER_SEC / 2) / USEC_PER_SEC);
        int r;

        b->state = STATE_WAITING;
        if (lost)
                log_msg(LOG_WARNING, "connection to %s lost: %s; retrying in %u s", b->address, reason,
                        secs);
        else if (strcmp(reason, b->last_reason) != 0)
                log_msg(LOG_WARNING, "cannot connect to %s: %s; retrying in %u s", b->address, reason, secs);
        else
                log_msg(LOG_DEBUG, "cannot connect to %s: %s; retrying in %u s", b->address, reason, secs);
        snprintf(b->last_reason, sizeof b->last_reason, "%s", reason);

        if (!b->reconnect) {
                r = sd_event_add_time_relative(b->event, &b->reconnect, CLOCK_MONOTONIC, wait, 0,
                                               reconnect_handler, b);
                if (r < 0)
                        log_msg(LOG_ERR, "cannot arm the reconnect timer: %s", strerror(-r));
                return;
        }
        (void)sd_event_source_set_time_relative(b->reconnect, wait);
        (void)sd_event_source_set_enabled(b->reconnect, SD_EVENT_ONESHOT);
}

static int pick_family(struct broker *b) {
        int f = b->family_next;

        if (b->family_failed[FAMILY_V4] && b->family_failed[FAMILY_V6])
                b->family_failed[FAMILY_V4] = b->family_failed[FAMILY_V6] = false;
        if (b->family_failed[f])
                f = !f;
        return f;
}

/* One attempt: at most one family that starts connecting. */
static int connection_start(struct broker *b) {
        char reason[BROKER_REASON_MAX] = "";
        int rc = MOSQ_ERR_SUCCESS, err = 0, r;

        for (int tries = 0; tries < 2; tries++) {
                int f = pick_family(b);

                b->refused[0] = b->lib_error[0] = '\0';
                /* The will goes into every CONNECT (mosquitto_reinitialise or a
                 * future libmosquitto must not drop it). */
                if (b->has_will) {
                        rc = mosquitto_will_set_v5(b->mosq, b->will_topic, (int)strlen(b->will_payload),
                                                   b->will_payload, b->will_qos, b->will_retain, NULL);
                        if (rc != MOSQ_ERR_SUCCESS)
                                break;
                }
                errno = 0;
                rc = mosquitto_connect_bind_async(b->mosq, b->host, (int)b->port, (int)b->keepalive_sec,
                                                  f == FAMILY_V6 ? "::" : "0.0.0.0");
                err = errno;
                if (rc <= MOSQ_ERR_SUCCESS && mosquitto_socket(b->mosq) >= 0) {
                        b->family_next = !f;
                        b->state = STATE_CONNECTING;
                        b->last_out = b->last_in = now_usec();
                        r = sd_event_add_io(b->event, &b->io, mosquitto_socket(b->mosq), EPOLLIN, io_handler,
                                            b);
                        if (r < 0) {
                                log_msg(LOG_ERR, "cannot watch the broker socket: %s", strerror(-r));
                                (void)mosquitto_disconnect(b->mosq);
                                b->state = STATE_WAITING;
                                schedule_reconnect(b, strerror(-r), false);
                                return r;
                        }
                        io_update(b);
                        return 0;
                }
                /* With TLS, libmosquitto reports a connect() refused at once
                 * (the broker listens on 127.0.0.1 only, "localhost" is ::1
                 * first in Debian's /etc/hosts) as MOSQ_ERR_TLS: it starts the
                 * handshake on the failed socket.  So a TLS error counts as
                 * this family failing too; a real TLS setup error then fails
                 * on both and is reported as such. */
                if (rc != MOSQ_ERR_ERRNO && rc != MOSQ_ERR_TLS)
                        break; /* a name that does not resolve: not the family */
                /* No address of this family, or no route: the other one now. */
                b->family_failed[f] = true;
                if (rc == MOSQ_ERR_TLS)
                        reason_for(b, rc, err, reason, sizeof reason);
                else if (err == EINVAL || err == EAFNOSUPPORT || err == EADDRNOTAVAIL)
                        snprintf(reason, sizeof reason, "no usable %s address",
                                 f == FAMILY_V6 ? "IPv6" : "IPv4");
                else
                        snprintf(reason, sizeof reason, "%s", strerror(err));
        }
        if ((rc != MOSQ_ERR_ERRNO && rc != MOSQ_ERR_TLS) || !reason[0])
                reason_for(b, rc, err, reason, sizeof reason);
        b->state = STATE_WAITING;
        schedule_reconnect(b, reason, false);
        return 0;
}

int broker_new(sd_event *e, const struct mqtt_config *c, const char *client_id, const char *password,
               const struct broker_will *will, const struct broker_callbacks *cb, void *userdata,
               struct broker **ret) {
        struct broker *b;
        int rc;

        if (!e || !c || !client_id || !*client_id || !ret || !c->broker.host[0] || c->broker.port == 0 ||
            c->broker.port > 65535)
                return -EINVAL;
        if (will && (!will->topic || !*will->topic || !will->payload || will->qos < 0 || will->qos > 2))
                return -EINVAL;
        if (password && !c->broker.username[0])
                return -EINVAL;

        b = calloc(1, sizeof *b);
        if (!b)
                return -ENOMEM;
        b->event = sd_event_ref(e);
        b->port = c->broker.port;
        b->tls = c->broker.tls;
        b->keepalive_sec = c->broker.keep_alive_sec < 5 ? 5 : c->broker.keep_alive_sec;
        if (b->keepalive_sec > 65535)
                b->keepalive_sec = 65535;
        backoff_init(&b->backoff, (uint64_t)c->broker.reconnect_min_sec * USEC_PER_SEC,
                     (uint64_t)c->broker.reconnect_max_sec * USEC_PER_SEC);
        if (cb)
                b->cb = *cb;
        b->userdata = userdata;
        b->family_next = FAMILY_V6; /* the first attempt: IPv6, as getaddrinfo() would order it */
        b->host = strdup(c->broker.host);
        if (strchr(c->broker.host, ':'))
                snprintf(b->address, sizeof b->address, "[%s]:%u", c->broker.host, c->broker.port);
        else
                snprintf(b->address, sizeof b->address, "%s:%u", c->broker.host, c->broker.port);
        if (password) {
                b->password = strdup(password);
                if (!b->password)
                        goto nomem;
        }
        if (will) {
                b->has_will = true;
                b->will_topic = strdup(will->topic);
                b->will_payload = strdup(will->payload);
                b->will_retain = will->retain;
                b->will_qos = will->qos;
                if (!b->will_topic || !b->will_payload)
                        goto nomem;
        }
        if (!b->host)
                goto nomem;

        /* clean_session = true: MQTT 5 clean start; no session expiry
         * property in CONNECT: expiry 0, nothing kept for us while away. */
        b->mosq = mosquitto_new(client_id, true, b);
        if (!b->mosq)
                goto nomem;
        rc = mosquitto_int_option(b->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
        if (rc != MOSQ_ERR_SUCCESS)
                goto fail;
        /* No Nagle: a reply written right after a large P/codes waited
         * for its ACK, about 40 ms on loopback (bench/mqtt.py, M2). */
        rc = mosquitto_int_option(b->mosq, MOSQ_OPT_TCP_NODELAY, 1);
        if (rc != MOSQ_ERR_SUCCESS)
                goto fail;
        if (c->broker.username[0]) {
                rc = mosquitto_username_pw_set(b->mosq, c->broker.username, b->password);
                if (rc != MOSQ_ERR_SUCCESS)
                        goto fail;
        }
        if (b->tls) {
                _cleanup_free_ char *ca = strdup_or_null(c->broker.ca_file);
                _cleanup_free_ char *cert = strdup_or_null(c->broker.cert_file);
                _cleanup_free_ char *key = strdup_or_null(c->broker.key_file);

                if (!ca) {
                        /* No CAFile=: the system's trust store. */
                        rc = mosquitto_int_option(b->mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
                        if (rc != MOSQ_ERR_SUCCESS)
                                goto fail;
                }
                rc = mosquitto_tls_set(b->mosq, ca, ca ? NULL : BROKER_OS_CERTS, cert, key, NULL);
                if (rc != MOSQ_ERR_SUCCESS)
                        goto fail;
                rc = mosquitto_tls_opts_set(b->mosq, 1 /* SSL_VERIFY_PEER */, "tlsv1.2", NULL);
                if (rc != MOSQ_ERR_SUCCESS)
                        goto fail;
                rc = mosquitto_tls_insecure_set(b->mosq, false); /* check the host name */
                if (rc != MOSQ_ERR_SUCCESS)
                        goto fail;
        }
        mosquitto_connect_v5_callback_set(b->mosq, on_connect);
        mosquitto_disconnect_v5_callback_set(b->mosq, on_disconnect);
        mosquitto_message_v5_callback_set(b->mosq, on_message);
        mosquitto_log_callback_set(b->mosq, on_log);
        *ret = b;
        return 0;

fail:
        log_msg(LOG_ERR, "broker %s: %s", b->address, mosquitto_strerror(rc));
        broker_free(b);
        return rc == MOSQ_ERR_NOMEM ? -ENOMEM : rc == MOSQ_ERR_INVAL ? -EINVAL : -EIO;
nomem:
        broker_free(b);
        return -ENOMEM;
}

int broker_start(struct broker *b) {
        if (!b)
                return -EINVAL;
        if (b->state != STATE_IDLE)
                return -EALREADY;
        return connection_start(b);
}

int broker_subscribe(struct broker *b, const char *topic, int qos, bool send_retained) {
        int options = MQTT_SUB_OPT_NO_LOCAL | MQTT_SUB_OPT_RETAIN_AS_PUBLISHED;
        int rc;

        if (!b || !topic || !*topic || qos < 0 || qos > 2)
                return -EINVAL;
        if (b->state != STATE_CONNECTED)
                return -ENOTCONN;
        options |= send_retained ? MQTT_SUB_OPT_SEND_RETAIN_ALWAYS : MQTT_SUB_OPT_SEND_RETAIN_NEVER;
        rc = mosquitto_subscribe_v5(b->mosq, NULL, topic, qos, options, NULL);
        after_call(b, rc);
        switch (rc) {
        case MOSQ_ERR_SUCCESS:
                return 0;
        case MOSQ_ERR_NO_CONN:
                return -ENOTCONN;
        case MOSQ_ERR_NOMEM:
                return -ENOMEM;
        case MOSQ_ERR_OVERSIZE_PACKET:
                return -EMSGSIZE;
        default:
                return -EINVAL;
        }
}

int broker_publish(struct broker *b, const char *topic, const void *payload, size_t len, int qos,
                   bool retain, const struct broker_publish_props *props) {
        mosquitto_property *p = NULL;
        int rc;

        if (!b || !topic || !*topic || (len > 0 && !payload) || qos < 0 || qos > 2)
                return -EINVAL;
        if (len > MQTT_MAX_PAYLOAD)
                return -EMSGSIZE;
        if (b->state != STATE_CONNECTED && b->state != STATE_STOPPING)
                return -ENOTCONN;
        if (props && props->correlation) {
                if (props->correlation_len > UINT16_MAX)
                        return -EINVAL;
                rc = mosquitto_property_add_binary(&p, MQTT_PROP_CORRELATION_DATA, props->correlation,
                                                   (uint16_t)props->correlation_len);
                if (rc != MOSQ_ERR_SUCCESS)
                        return -ENOMEM;
        }
        rc = mosquitto_publish_v5(b->mosq, NULL, topic, (int)len, payload, qos, retain, p);
        mosquitto_property_free_all(&p);
        after_call(b, rc);
        switch (rc) {
        case MOSQ_ERR_SUCCESS:
                return 0;
        case MOSQ_ERR_NO_CONN:
                return -ENOTCONN;
        case MOSQ_ERR_NOMEM:
                return -ENOMEM;
        case MOSQ_ERR_PAYLOAD_SIZE:
        case MOSQ_ERR_OVERSIZE_PACKET:
                return -EMSGSIZE;
        default:
                return -EINVAL;
        }
}

bool broker_is_connected(const struct broker *b) {
        return b && b->state == STATE_CONNECTED;
}

bool broker_is_tls(const struct broker *b) {
        return b && b->tls;
}

const char *broker_address(const struct broker *b) {
        return b ? b->address : NULL;
}

static int stop_timeout_handler(sd_event_source *s, uint64_t usec, void *userdata) {
        struct broker *b = userdata;

        (void)s;
        (void)usec;
        b->stop_timer = sd_event_source_disable_unref(b->stop_timer);
        log_msg(LOG_WARNING, "no clean disconnect from %s in time", b->address);
        io_close(b);
        b->state = STATE_STOPPED;
        /* done() straight from here: no libmosquitto call is under way. */
        return stop_defer_handler(NULL, b);
}

int broker_stop(struct broker *b, uint64_t timeout_usec, void (*done)(void *userdata)) {
        int rc, r;

        if (!b)
                return -EINVAL;
        if (b->state == STATE_STOPPING || b->state == STATE_STOPPED)
                return -EALREADY;
        b->done = done;
        if (b->reconnect)
                (void)sd_event_source_set_enabled(b->reconnect, SD_EVENT_OFF);

        if (b->state != STATE_CONNECTED) {
                /* An attempt under way or none: drop it, nothing to say. */
                if (b->io) {
                        io_close(b);
                        b->state = STATE_STOPPED;
                        (void)mosquitto_disconnect(b->mosq);
                }
                stop_finish(b);
                return 0;
        }

        b->state = STATE_STOPPING;
        if (b->has_will) {
                rc = mosquitto_publish_v5(b->mosq, NULL, b->will_topic, (int)strlen("offline"), "offline",
                                          b->will_qos, true, NULL);
                if (rc != MOSQ_ERR_SUCCESS)
                        log_msg(LOG_WARNING, "cannot publish offline to %s: %s", b->will_topic,
                                mosquitto_strerror(rc));
        }
        /* Reason 0, normal disconnection: with MQTT 5 the broker drops the
         * will then, hence the "offline" above. */
        if (b->state == STATE_STOPPING)
                rc = mosquitto_disconnect_v5(b->mosq, MQTT_RC_NORMAL_DISCONNECTION, NULL);
        else
                rc = MOSQ_ERR_NO_CONN;
        if (rc != MOSQ_ERR_SUCCESS) {
                io_close(b);
                stop_finish(b);
                return 0;
        }
        if (b->state == STATE_STOPPING) {
                io_update(b);
                r = sd_event_add_time_relative(b->event, &b->stop_timer, CLOCK_MONOTONIC, timeout_usec, 0,
                                               stop_timeout_handler, b);
                if (r < 0) {
                        io_close(b);
                        stop_finish(b);
                }
        }
        return 0;
}

struct broker *broker_free(struct broker *b) {
        if (!b)
                return NULL;
        b->io = sd_event_source_disable_unref(b->io);
        b->keepalive = sd_event_source_disable_unref(b->keepalive);
        b->reconnect = sd_event_source_disable_unref(b->reconnect);
        b->stop_timer = sd_event_source_disable_unref(b->stop_timer);
        b->stop_defer = sd_event_source_disable_unref(b->stop_defer);
        if (b->mosq) {
                /* No callbacks from here on. */
                mosquitto_disconnect_v5_callback_set(b->mosq, NULL);
                mosquitto_destroy(b->mosq);
        }
        if (b->password) {
                explicit_bzero(b->password, strlen(b->password));
                free(b->password);
        }
        free(b->host);
        free(b->will_topic);
        free(b->will_payload);
        sd_event_unref(b->event);
        free(b);
        return NULL;
}
