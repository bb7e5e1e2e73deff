/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A real mosquitto broker for the tests: `mosquitto -c CONF` on a free
 * loopback port, its config, log and certificates in a temp dir removed
 * by mosq_fixture_cleanup().  Tests skip when /usr/sbin/mosquitto is not
 * installed (mosq_fixture_available()). */

#include <stdbool.h>
#include <sys/types.h>

#define MOSQ_FIXTURE_BINARY "/usr/sbin/mosquitto"
#define MOSQ_FIXTURE_PUB "/usr/bin/mosquitto_pub"
#define MOSQ_FIXTURE_PASSWD "/usr/bin/mosquitto_passwd"

struct mosq_fixture {
        char dir[256];  /* the temp dir */
        char conf[512]; /* DIR/mosquitto.conf */
        char log[512];  /* DIR/mosquitto.log */
        unsigned port;
        pid_t pid; /* 0 = not running */
        bool tls;
};

bool mosq_fixture_available(void);

/* Makes the temp dir; nothing runs yet. */
int mosq_fixture_init(struct mosq_fixture *f);

/* DIR/ca.pem + DIR/ca.key (a CA), DIR/server.pem + DIR/server.key signed by
 * it for 127.0.0.1 and localhost, and DIR/other-ca.pem (an unrelated CA);
 * start() then listens with TLS only. */
int mosq_fixture_make_tls(struct mosq_fixture *f);

/* DIR/passwd with one user (mosquitto_passwd -b); start() then refuses
 * anonymous clients. */
int mosq_fixture_make_passwd(struct mosq_fixture *f, const char *user, const char *password);

/* Starts mosquitto on f->port (a free one picked when 0) and waits until it
 * accepts connections (5 s at most). */
int mosq_fixture_start(struct mosq_fixture *f);

/* SIGKILL (hard) or SIGTERM, and reap it.  The port is kept for a restart. */
void mosq_fixture_stop(struct mosq_fixture *f, bool hard);

/* Stops it and removes the temp dir. */
void mosq_fixture_cleanup(struct mosq_fixture *f);

/* How many lines of the broker's log contain s. */
int mosq_fixture_log_count(const struct mosq_fixture *f, const char *s);

/* path of a file in the temp dir, in a static buffer */
const char *mosq_fixture_path(const struct mosq_fixture *f, const char *name);

/* Runs mosquitto_pub -V 5 against the fixture with extra arguments
 * (already shell-quoted); its exit status. */
int mosq_fixture_pub(const struct mosq_fixture *f, const char *args);
