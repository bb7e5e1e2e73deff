/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mqtt.conf: the defaults, every key's bad values, the checks across keys,
 * the loopback rule and the password credential.  Fixtures are written to
 * a mkdtemp() directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the four above. */
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqtt-config.h"

struct fixture {
        char dir[64];
        char path[128];
};

static int setup(void **state) {
        struct fixture *f = calloc(1, sizeof(*f));

        if (!f)
                return -1;
        snprintf(f->dir, sizeof(f->dir), "/tmp/test-mqtt-config-XXXXXX");
        if (!mkdtemp(f->dir)) {
                free(f);
                return -1;
        }
        snprintf(f->path, sizeof(f->path), "%s/mqtt.conf", f->dir);
        *state = f;
        return 0;
}

static void remove_file(const struct fixture *f, const char *name) {
        char p[192];

        snprintf(p, sizeof(p), "%s/%s", f->dir, name);
        (void)unlink(p);
}

static int teardown(void **state) {
        struct fixture *f = *state;

        remove_file(f, "mqtt.conf");
        remove_file(f, "mqtt-password");
        remove_file(f, "other");
        (void)rmdir(f->dir);
        free(f);
        return 0;
}

static void write_file(const struct fixture *f, const char *name, const char *data, size_t len) {
        char p[192];
        FILE *out;

        snprintf(p, sizeof(p), "%s/%s", f->dir, name);
        out = fopen(p, "we");
        assert_non_null(out);
        assert_int_equal(fwrite(data, 1, len, out), len);
        assert_int_equal(fclose(out), 0);
}

/* Loads text as mqtt.conf; the return value, the message in err. */
static int load(const struct fixture *f, const char *text, struct mqtt_config *c, char *err, size_t errlen) {
        write_file(f, "mqtt.conf", text, strlen(text));
        mqtt_config_init(c);
        return mqtt_config_load(f->path, c, err, errlen);
}

static void assert_defaults(const struct mqtt_config *c) {
        assert_string_equal(c->broker.host, "localhost");
        assert_int_equal(c->broker.port, 1883);
        assert_false(c->broker.tls);
        assert_string_equal(c->broker.ca_file, "");
        assert_string_equal(c->broker.cert_file, "");
        assert_string_equal(c->broker.key_file, "");
        assert_string_equal(c->broker.username, "");
        assert_string_equal(c->broker.password_credential, "mqtt-password");
        assert_string_equal(c->broker.client_id, "");
        assert_int_equal(c->broker.keep_alive_sec, 60);
        assert_int_equal(c->broker.reconnect_min_sec, 1);
        assert_int_equal(c->broker.reconnect_max_sec, 60);
        assert_true(c->ha.discovery);
        assert_string_equal(c->ha.discovery_prefix, "homeassistant");
        assert_string_equal(c->ha.status_topic, "homeassistant/status");
        assert_string_equal(c->ha.device_name, "Door lock");
        assert_string_equal(c->ha.topic_prefix, "");
        assert_true(c->commands.lock);
        assert_true(c->commands.unlock);
        assert_true(c->commands.mode);
        assert_false(c->commands.code_changes);
        assert_false(c->commands.unlock_without_pin);
        assert_int_equal(c->commands.max_age_sec, 30);
        assert_int_equal(c->commands.max_skew_sec, 5);
        assert_int_equal(c->commands.max_payload, 4096);
}

static void test_init_defaults(void **state) {
        struct mqtt_config c;

        (void)state;
        mqtt_config_init(&c);
        assert_defaults(&c);
        assert_int_equal(mqtt_config_id_keep_usec(&c), 40 * UINT64_C(1000000));
}

static void test_missing_file(void **state) {
        struct fixture *f = *state;
        struct mqtt_config c;
        char err[256] = "x";

        memset(&c, 0x55, sizeof(c));
        assert_int_equal(mqtt_config_load(f->path, &c, err, sizeof(err)), 0);
        assert_defaults(&c);
        assert_string_equal(err, "");
}

/* The shipped example: every key commented out, so all defaults. */
static void test_shipped_example(void **state) {
        const char *root = getenv("SOURCE_ROOT");
        struct mqtt_config c;
        char path[4096], err[256] = "";
        FILE *in;
        char line[512];
        unsigned keys = 0;

        (void)state;
        if (!root || !*root)
                fail_msg("SOURCE_ROOT is not set");
        snprintf(path, sizeof(path), "%s/systemd/mqtt.conf", root);
        /* A missing file would load as all defaults: make sure it is there. */
        assert_int_equal(access(path, R_OK), 0);
        mqtt_config_init(&c);
        if (mqtt_config_load(path, &c, err, sizeof(err)) != 0)
                fail_msg("%s", err);
        assert_defaults(&c);

        /* Uncommented, it still gives the defaults: each "#Key=value" line
         * shows the real default. */
        in = fopen(path, "re");
        assert_non_null(in);
        {
                struct fixture *f = *state;
                FILE *out = fopen(f->path, "we");

                assert_non_null(out);
                while (fgets(line, sizeof(line), in)) {
                        if (line[0] == '#' && line[1] >= 'A' && line[1] <= 'Z' && strchr(line, '=')) {
                                fputs(line + 1, out);
                                keys++;
                        } else
                                fputs(line, out);
                }
                fclose(in);
                assert_int_equal(fclose(out), 0);
                mqtt_config_init(&c);
                if (mqtt_config_load(f->path, &c, err, sizeof(err)) != 0)
                        fail_msg("uncommented: %s", err);
                assert_defaults(&c);
        }
        assert_int_equal(keys, 25); /* every key is in the example */
}

static void test_values(void **state) {
        struct fixture *f = *state;
        struct mqtt_config c;
        char err[256] = "";

        if (load(f,
                 "# a comment\n"
                 "[Broker]\n"
                 "Host=broker.example.org\n"
                 "TLS=yes\n"
                 "CAFile=/etc/ssl/ca.pem\n"
                 "CertFile=/etc/doorlockd/client.pem\n"
                 "KeyFile=/etc/doorlockd/client.key\n"
                 "Username=door\n"
                 "PasswordCredential=broker-pw\n"
                 "ClientId=front-door\n"
                 "KeepAlive=5\n"
                 "ReconnectMin=2\n"
                 "ReconnectMax=2\n"
                 "\n"
                 "[HomeAssistant]\n"
                 "Discovery=no\n"
                 "DiscoveryPrefix=ha/disc\n"
                 "StatusTopic=ha/status\n"
                 "DeviceName=Porte d'entr\xc3\xa9"
                 "e\n"
                 "TopicPrefix=house/front-door\n"
                 "[Commands]\n"
                 "Lock=off\n"
                 "Unlock=0\n"
                 "UnlockWithoutPin=yes\n"
                 "Mode=false\n"
                 "CodeChanges=yes\n"
                 "MaxAge=3600\n"
                 "MaxSkew=0\n"
                 "MaxPayload=65536\n",
                 &c, err, sizeof(err)) != 0)
                fail_msg("%s", err);
        assert_string_equal(c.broker.host, "broker.example.org");
        assert_int_equal(c.broker.port, 8883); /* TLS's default port */
        assert_true(c.broker.tls);
        assert_string_equal(c.broker.ca_file, "/etc/ssl/ca.pem");
        assert_string_equal(c.broker.cert_file, "/etc/doorlockd/client.pem");
        assert_string_equal(c.broker.key_file, "/etc/doorlockd/client.key");
        assert_string_equal(c.broker.username, "door");
        assert_string_equal(c.broker.password_credential, "broker-pw");
        assert_string_equal(c.broker.client_id, "front-door");
        assert_int_equal(c.broker.keep_alive_sec, 5);
        assert_int_equal(c.broker.reconnect_min_sec, 2);
        assert_int_equal(c.broker.reconnect_max_sec, 2);
        assert_false(c.ha.discovery);
        assert_string_equal(c.ha.discovery_prefix, "ha/disc");
        assert_string_equal(c.ha.status_topic, "ha/status");
        assert_string_equal(c.ha.device_name, "Porte d'entr\xc3\xa9"
                                              "e");
        assert_string_equal(c.ha.topic_prefix, "house/front-door");
        assert_false(c.commands.lock);
        assert_false(c.commands.unlock);
        assert_true(c.commands.unlock_without_pin);
        assert_false(c.commands.mode);
        assert_true(c.commands.code_changes);
        assert_int_equal(c.commands.max_age_sec, 3600);
        assert_int_equal(c.commands.max_skew_sec, 0);
        assert_int_equal(c.commands.max_payload, 65536);
        assert_int_equal(mqtt_config_id_keep_usec(&c), 3600 * UINT64_C(1000000));
}

static void test_port(void **state) {
        struct fixture *f = *state;
        struct mqtt_config c;
        char err[256];

        assert_int_equal(load(f, "[Broker]\nPort=1\n", &c, err, sizeof(err)), 0);
        assert_int_equal(c.broker.port, 1);
        assert_int_equal(load(f, "[Broker]\nPort=65535\n", &c, err, sizeof(err)), 0);
        assert_int_equal(c.broker.port, 65535);
        /* An explicit port stays with TLS; an empty one is the default. */
        assert_int_equal(load(f, "[Broker]\nPort=1883\nTLS=yes\nCAFile=/ca.pem\n", &c, err, sizeof(err)), 0);
        assert_int_equal(c.broker.port, 1883);
        assert_int_equal(load(f, "[Broker]\nPort=1\nPort=\nTLS=yes\nCAFile=/ca.pem\n", &c, err, sizeof(err)),
                         0);
        assert_int_equal(c.broker.port, 8883);
}

/* Each bad value: -EINVAL, and the message names the file, line and key. */
static void test_bad_values(void **state) {
        static const struct {
                const char *section, *line;
        } bad[] = {
                { "Broker", "Port=0" },
                { "Broker", "Port=65536" },
                { "Broker", "Port=-1" },
                { "Broker", "Port=0x10" },
                { "Broker", "Port=18 83" },
                { "Broker", "Port=99999999999999999999999" },
                { "Broker", "TLS=maybe" },
                { "Broker", "Host=bad host" },
                { "Broker", "Host=-x" },
                { "Broker", "Host=a/b" },
                { "Broker", "CAFile=relative.pem" },
                { "Broker", "CertFile=c.pem" },
                { "Broker", "KeyFile=k.pem" },
                { "Broker", "Username=a\x01"
                            "b" },
                { "Broker", "Username=\xff" },
                { "Broker", "PasswordCredential=dir/pw" },
                { "Broker", "PasswordCredential=.." },
                { "Broker", "PasswordCredential=my password" },
                { "Broker", "ClientId=a b" },
                { "Broker", "KeepAlive=4" },
                { "Broker", "KeepAlive=3601" },
                { "Broker", "ReconnectMin=0" },
                { "Broker", "ReconnectMax=3601" },
                { "HomeAssistant", "Discovery=2" },
                { "HomeAssistant", "DiscoveryPrefix=/homeassistant" },
                { "HomeAssistant", "DiscoveryPrefix=homeassistant/" },
                { "HomeAssistant", "DiscoveryPrefix=home/+" },
                { "HomeAssistant", "DiscoveryPrefix=home/#" },
                { "HomeAssistant", "StatusTopic=a//b" },
                { "HomeAssistant", "DeviceName=a\tb" },
                { "HomeAssistant", "TopicPrefix=/door" },
                { "HomeAssistant", "TopicPrefix=door/" },
                { "HomeAssistant", "TopicPrefix=door/+/x" },
                { "HomeAssistant", "TopicPrefix=door#" },
                { "HomeAssistant", "TopicPrefix=$SYS/door" },
                { "HomeAssistant", "TopicPrefix=front door" },
                { "Commands", "Lock=yess" },
                { "Commands", "Unlock="
                              "2" },
                { "Commands", "Mode=nope" },
                { "Commands", "UnlockWithoutPin=maybe" },
                { "Commands", "UnlockWithoutPin=yes please" },
                { "Commands", "CodeChanges=1 # comment" },
                { "Commands", "MaxAge=0" },
                { "Commands", "MaxAge=3601" },
                { "Commands", "MaxSkew=301" },
                { "Commands", "MaxPayload=255" },
                { "Commands", "MaxPayload=65537" },
                { "Commands", "Lock=yes\nNoSuchKey=1" },
                { "Broker", "MaxAge=30" }, /* a key of another section */
        };
        struct fixture *f = *state;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct mqtt_config c;
                char text[256], err[256] = "", want[192];
                const char *key = strrchr(bad[i].line, '\n');
                int r;

                key = key ? key + 1 : bad[i].line;
                snprintf(text, sizeof(text), "# x\n[%s]\n%s\n", bad[i].section, bad[i].line);
                r = load(f, text, &c, err, sizeof(err));
                if (r != -EINVAL)
                        fail_msg("%s: %d, not -EINVAL", bad[i].line, r);
                snprintf(want, sizeof(want), "%s:%u: [%s] %.*s=", f->path,
                         strchr(bad[i].line, '\n') ? 4u : 3u, bad[i].section, (int)strcspn(key, "="), key);
                if (strncmp(err, want, strlen(want)) != 0)
                        fail_msg("%s: message \"%s\", wanted \"%s...\"", bad[i].line, err, want);
                for (const char *s = err; *s; s++)
                        assert_true(*s >= 0x20 && *s < 0x7f);
                /* Unchanged on failure. */
                assert_defaults(&c);
        }
}

static void test_too_long(void **state) {
        struct fixture *f = *state;
        struct mqtt_config c;
        char text[512], err[256], topic[MQTT_TOPIC_MAX + 2];

        memset(topic, 'a', sizeof(topic) - 1);
        topic[sizeof(topic) - 1] = '\0';
        snprintf(text, sizeof(text), "[HomeAssistant]\nTopicPrefix=%s\n", topic);
        assert_int_equal(load(f, text, &c, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, ":2: [HomeAssistant] TopicPrefix="));
        topic[MQTT_TOPIC_MAX] = '\0';
        snprintf(text, sizeof(text), "[HomeAssistant]\nTopicPrefix=%s\n", topic);
        assert_int_equal(load(f, text, &c, err, sizeof(err)), 0);
        assert_int_equal(strlen(c.ha.topic_prefix), MQTT_TOPIC_MAX);
}

static void test_format_errors(void **state) {
        static const char *const bad[] = {
                "[Nope]\n",       "[Broker\n",           "Host=x\n",           "[Broker]\nHost\n",
                "[Broker]\n=x\n", "[Broker]\nHost: x\n", "[Broker]\nhost=x\n",
        };
        struct fixture *f = *state;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct mqtt_config c;
                char err[256] = "";

                if (load(f, bad[i], &c, err, sizeof(err)) != -EINVAL)
                        fail_msg("accepted: %s", bad[i]);
                assert_int_equal(strncmp(err, f->path, strlen(f->path)), 0);
                assert_int_equal(err[strlen(f->path)], ':');
        }
}

/* Non-ASCII in the key or the value leaves the message as '?'. */
static void test_message_printable(void **state) {
        struct fixture *f = *state;
        struct mqtt_config c;
        char err[256] = "", small[16];

        assert_int_equal(load(f, "[Broker]\nH\xc3\xa9st=\x1b[31m\n", &c, err, sizeof(err)), -EINVAL);
        for (const char *s = err; *s; s++)
                assert_true(*s >= 0x20 && *s < 0x7f);
        assert_non_null(strstr(err, "unknown key"));
        /* Cut to the buffer, NULL buffer fine. */
        assert_int_equal(load(f, "[Broker]\nPort=0\n", &c, small, sizeof(small)), -EINVAL);
        assert_int_equal(strlen(small), sizeof(small) - 1);
        assert_int_equal(load(f, "[Broker]\nPort=0\n", &c, NULL, 0), -EINVAL);
}

static void test_reset_to_default(void **state) {
        struct fixture *f = *state;
        struct mqtt_config c;
        char err[256];

        assert_int_equal(load(f,
                              "[Broker]\nHost=h\nHost=\nKeepAlive=7\nKeepAlive=\nPasswordCredential=x\n"
                              "PasswordCredential=\n[HomeAssistant]\nDeviceName=x\nDeviceName=\n"
                              "TopicPrefix=a\nTopicPrefix=\n[Commands]\nLock=no\nLock=\n",
                              &c, err, sizeof(err)),
                         0);
        assert_defaults(&c);
}

static void test_reconnect_order(void **state) {
        struct fixture *f = *state;
        struct mqtt_config c;
        char err[256], want[192];

        assert_int_equal(load(f, "[Broker]\nReconnectMin=61\n", &c, err, sizeof(err)), -EINVAL);
        snprintf(want, sizeof(want), "%s:2: [Broker] ReconnectMin=", f->path);
        assert_int_equal(strncmp(err, want, strlen(want)), 0);
        assert_int_equal(load(f, "[Broker]\nReconnectMin=5\nReconnectMax=4\n", &c, err, sizeof(err)),
                         -EINVAL);
        snprintf(want, sizeof(want), "%s:3: [Broker] ReconnectMax=", f->path);
        assert_int_equal(strncmp(err, want, strlen(want)), 0);
        assert_int_equal(load(f, "[Broker]\nReconnectMin=60\n", &c, err, sizeof(err)), 0);
}

static void test_tls_files(void **state) {
        struct fixture *f = *state;
        struct mqtt_config c;
        char err[256];

        /* TLS=yes needs the CA. */
        assert_int_equal(load(f, "[Broker]\nTLS=yes\n", &c, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, ":2: [Broker] TLS=: "));
        assert_non_null(strstr(err, "CAFile"));
        /* The client certificate and key go together. */
        assert_int_equal(load(f, "[Broker]\nTLS=yes\nCAFile=/ca\nCertFile=/c\n", &c, err, sizeof(err)),
                         -EINVAL);
        assert_non_null(strstr(err, ":4: [Broker] CertFile=: "));
        assert_int_equal(load(f, "[Broker]\nTLS=yes\nCAFile=/ca\nKeyFile=/k\n", &c, err, sizeof(err)),
                         -EINVAL);
        assert_non_null(strstr(err, ":4: [Broker] KeyFile=: "));
        assert_int_equal(
                load(f, "[Broker]\nTLS=yes\nCAFile=/ca\nKeyFile=/k\nCertFile=/c\n", &c, err, sizeof(err)),
                0);
        /* TLS files without TLS would be silently ignored: refused. */
        assert_int_equal(load(f, "[Broker]\nCAFile=/ca\n", &c, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, ":2: [Broker] CAFile=: "));
        assert_int_equal(
                load(f, "[Broker]\nTLS=no\nCAFile=/ca\nCertFile=/c\nKeyFile=/k\n", &c, err, sizeof(err)),
                -EINVAL);
}

static void test_topic_prefix_valid(void **state) {
        (void)state;
        assert_true(mqtt_topic_prefix_valid("doorlockd/0123456789abcdef0123456789abcdef"));
        assert_true(mqtt_topic_prefix_valid("a"));
        assert_true(mqtt_topic_prefix_valid("a/b/c"));
        assert_true(mqtt_topic_prefix_valid("a$b"));
        assert_false(mqtt_topic_prefix_valid(""));
        assert_false(mqtt_topic_prefix_valid("/"));
        assert_false(mqtt_topic_prefix_valid("+"));
        assert_false(mqtt_topic_prefix_valid("#"));
        assert_false(mqtt_topic_prefix_valid("a/+/b"));
        assert_false(mqtt_topic_prefix_valid("a//b"));
        assert_false(mqtt_topic_prefix_valid("$SYS"));
        assert_false(mqtt_topic_prefix_valid("a\xc3\xa9"));
}

static void test_link_secure(void **state) {
        static const struct {
                const char *host;
                bool loopback;
        } hosts[] = {
                { "localhost", true },
                { "LocalHost", true },
                { "localhost.", true },
                { "127.0.0.1", true },
                { "127.255.255.254", true },
                { "127.1.2.3", true },
                { "::1", true },
                { "0:0:0:0:0:0:0:1", true },
                { "localhost.example.org", false },
                { "mylocalhost", false },
                { "127.0.0.1.example.org", false },
                { "127.1", false },      /* inet_aton() would, getaddrinfo() may: not said */
                { "0177.0.0.1", false }, /* octal */
                { "127.0.0.256", false },
                { "128.0.0.1", false },
                { "10.0.0.1", false },
                { "::2", false },
                { "::ffff:127.0.0.1", false },
                { "broker", false },
                { "", false },
        };
        struct mqtt_config c;

        (void)state;
        for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
                mqtt_config_init(&c);
                snprintf(c.broker.host, sizeof(c.broker.host), "%s", hosts[i].host);
                if (mqtt_config_link_secure(&c) != hosts[i].loopback)
                        fail_msg("%s: %s", hosts[i].host, hosts[i].loopback ? "not loopback" : "loopback");
                c.broker.tls = true;
                assert_true(mqtt_config_link_secure(&c));
        }
}

static void test_password(void **state) {
        struct fixture *f = *state;
        struct mqtt_config c;
        char *pw = NULL;
        char big[MQTT_PASSWORD_MAX + 8];

        mqtt_config_init(&c);
        /* No credentials directory, no file. */
        assert_int_equal(mqtt_config_read_password(&c, NULL, &pw), -ENOENT);
        assert_int_equal(mqtt_config_read_password(&c, "", &pw), -ENOENT);
        assert_int_equal(mqtt_config_read_password(&c, f->dir, &pw), -ENOENT);
        assert_null(pw);

        write_file(f, "mqtt-password", "s3cret\n", 7);
        assert_int_equal(mqtt_config_read_password(&c, f->dir, &pw), 0);
        assert_string_equal(pw, "s3cret");
        mqtt_password_free(pw);
        pw = NULL;

        write_file(f, "mqtt-password", "s3cret\r\n", 8);
        assert_int_equal(mqtt_config_read_password(&c, f->dir, &pw), 0);
        assert_string_equal(pw, "s3cret");
        mqtt_password_free(pw);
        pw = NULL;

        /* Only one newline goes; no newline is fine. */
        write_file(f, "mqtt-password", "a b\n\n", 5);
        assert_int_equal(mqtt_config_read_password(&c, f->dir, &pw), 0);
        assert_string_equal(pw, "a b\n");
        mqtt_password_free(pw);
        pw = NULL;

        /* Another credential name. */
        snprintf(c.broker.password_credential, sizeof(c.broker.password_credential), "other");
        write_file(f, "other", "xyz", 3);
        {
                _cleanup_password_ char *p2 = NULL;

                assert_int_equal(mqtt_config_read_password(&c, f->dir, &p2), 0);
                assert_string_equal(p2, "xyz");
        }

        /* Exactly the limit, with its newline; one byte more. */
        memset(big, 'x', sizeof(big));
        big[MQTT_PASSWORD_MAX] = '\n';
        write_file(f, "other", big, MQTT_PASSWORD_MAX + 1);
        assert_int_equal(mqtt_config_read_password(&c, f->dir, &pw), 0);
        assert_int_equal(strlen(pw), MQTT_PASSWORD_MAX);
        mqtt_password_free(pw);
        pw = NULL;
        write_file(f, "other", big, MQTT_PASSWORD_MAX + 1 - 1);
        big[MQTT_PASSWORD_MAX] = 'x';
        write_file(f, "other", big, MQTT_PASSWORD_MAX + 1);
        assert_int_equal(mqtt_config_read_password(&c, f->dir, &pw), -EFBIG);
        write_file(f, "other", big, sizeof(big));
        assert_int_equal(mqtt_config_read_password(&c, f->dir, &pw), -EFBIG);
        assert_null(pw);

        /* A NUL inside. */
        write_file(f, "other", "a\0b\n", 4);
        assert_int_equal(mqtt_config_read_password(&c, f->dir, &pw), -EINVAL);
        assert_null(pw);

        /* A directory is no password file. */
        snprintf(c.broker.password_credential, sizeof(c.broker.password_credential), ".");
        assert_int_equal(mqtt_config_read_password(&c, f->dir, &pw), -EINVAL);
        mqtt_password_free(NULL);
}

/* UnlockWithoutPin=: off by default, each boolean spelling, "=" resets. */
static void test_unlock_without_pin(void **state) {
        struct fixture *f = *state;
        struct mqtt_config c;
        char err[256];

        assert_int_equal(load(f, "[Commands]\n", &c, err, sizeof(err)), 0);
        assert_false(c.commands.unlock_without_pin);
        assert_int_equal(load(f, "[Commands]\nUnlockWithoutPin=on\n", &c, err, sizeof(err)), 0);
        assert_true(c.commands.unlock_without_pin);
        assert_int_equal(
                load(f, "[Commands]\nUnlockWithoutPin=true\nUnlockWithoutPin=\n", &c, err, sizeof(err)), 0);
        assert_false(c.commands.unlock_without_pin);
        assert_int_equal(load(f, "[Commands]\nUnlockWithoutPin=no\n", &c, err, sizeof(err)), 0);
        assert_false(c.commands.unlock_without_pin);
        /* Only in [Commands]. */
        assert_int_equal(load(f, "[Broker]\nUnlockWithoutPin=yes\n", &c, err, sizeof(err)), -EINVAL);
}

/* mqtt_config_keys(): the parser's own table.  Each key it lists is taken
 * (and only in its section), none twice, and it lists exactly the keys of
 * the shipped example, in the example's order. */
static void test_keys_table(void **state) {
        struct fixture *f = *state;
        const struct mqtt_config_key *k;
        const char *root = getenv("SOURCE_ROOT");
        char path[4096], line[512], section[64] = "";
        size_t n = 0, next = 0;
        FILE *in;

        k = mqtt_config_keys(&n);
        assert_non_null(k);
        assert_int_equal(n, 25);
        for (size_t i = 0; i < n; i++) {
                struct mqtt_config c;
                char text[256], err[256];

                assert_non_null(k[i].section);
                assert_non_null(k[i].key);
                for (size_t j = 0; j < i; j++)
                        assert_false(strcmp(k[i].section, k[j].section) == 0 &&
                                     strcmp(k[i].key, k[j].key) == 0);
                /* "Key=" is the default, so every key takes it. */
                snprintf(text, sizeof(text), "[%s]\n%s=\n", k[i].section, k[i].key);
                if (load(f, text, &c, err, sizeof(err)) != 0)
                        fail_msg("[%s] %s=: %s", k[i].section, k[i].key, err);
                snprintf(text, sizeof(text), "[%s]\n%sX=\n", k[i].section, k[i].key);
                assert_int_equal(load(f, text, &c, err, sizeof(err)), -EINVAL);
        }
        assert_int_equal(load(f, "[Commands]\nHost=\n", &(struct mqtt_config){}, NULL, 0), -EINVAL);

        if (!root || !*root)
                fail_msg("SOURCE_ROOT is not set");
        snprintf(path, sizeof(path), "%s/systemd/mqtt.conf", root);
        in = fopen(path, "re");
        assert_non_null(in);
        while (fgets(line, sizeof(line), in)) {
                size_t len = strcspn(line, "=");

                if (line[0] == '[') {
                        snprintf(section, sizeof(section), "%.*s", (int)strcspn(line + 1, "]"), line + 1);
                        continue;
                }
                if (line[0] != '#' || line[1] < 'A' || line[1] > 'Z' || !strchr(line, '='))
                        continue;
                if (next >= n)
                        fail_msg("[%s] %.*s is in mqtt.conf but not in mqtt_config_keys()", section,
                                 (int)len - 1, line + 1);
                if (strcmp(k[next].section, section) != 0 || strlen(k[next].key) != len - 1 ||
                    strncmp(k[next].key, line + 1, len - 1) != 0)
                        fail_msg("mqtt.conf has [%s] %.*s where mqtt_config_keys() has [%s] %s", section,
                                 (int)len - 1, line + 1, k[next].section, k[next].key);
                next++;
        }
        fclose(in);
        assert_int_equal(next, n);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_init_defaults),
                cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
                cmocka_unit_test_setup_teardown(test_shipped_example, setup, teardown),
                cmocka_unit_test_setup_teardown(test_values, setup, teardown),
                cmocka_unit_test_setup_teardown(test_port, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_values, setup, teardown),
                cmocka_unit_test_setup_teardown(test_too_long, setup, teardown),
                cmocka_unit_test_setup_teardown(test_format_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_message_printable, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reset_to_default, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reconnect_order, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tls_files, setup, teardown),
                cmocka_unit_test(test_topic_prefix_valid),
                cmocka_unit_test(test_link_secure),
                cmocka_unit_test_setup_teardown(test_password, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unlock_without_pin, setup, teardown),
                cmocka_unit_test_setup_teardown(test_keys_table, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
