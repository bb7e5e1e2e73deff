/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* doorlockd-mqtt's configuration, /etc/doorlockd/mqtt.conf (the shipped
 * example: systemd/mqtt.conf).  The daemon's config format: [Section]
 * headers, Key=value lines, "Key=" resets a key to its default, an unknown
 * section or key or a bad value is an error naming the file, the line and
 * the key.  Pure: no network, no clock; mqtt_config_read_password() is the
 * only function that reads anything besides the config file. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MQTT_CONFIG_FILE "/etc/doorlockd/mqtt.conf"

/* Bounds of the string keys (bytes, not counting the NUL). */
#define MQTT_HOST_MAX 253  /* a DNS name */
#define MQTT_PATH_MAX 4095 /* CAFile=, CertFile=, KeyFile= */
#define MQTT_NAME_MAX 255  /* Username=, PasswordCredential= */
#define MQTT_CLIENT_ID_MAX 128
#define MQTT_TOPIC_MAX 128 /* TopicPrefix=, DiscoveryPrefix=, StatusTopic= */
#define MQTT_DEVICE_NAME_MAX 128

/* The password file's largest size (after the trailing newline). */
#define MQTT_PASSWORD_MAX 1024

#define MQTT_PORT_PLAIN 1883
#define MQTT_PORT_TLS 8883

struct mqtt_config {
        struct {
                char host[MQTT_HOST_MAX + 1];
                /* 1883, or 8883 with TLS=yes, unless Port= is given. */
                unsigned port;
                bool tls;
                char ca_file[MQTT_PATH_MAX + 1];   /* "" = none */
                char cert_file[MQTT_PATH_MAX + 1]; /* "" = no client certificate */
                char key_file[MQTT_PATH_MAX + 1];
                char username[MQTT_NAME_MAX + 1]; /* "" = no authentication */
                /* A file name under $CREDENTIALS_DIRECTORY, never the password. */
                char password_credential[MQTT_NAME_MAX + 1];
                char client_id[MQTT_CLIENT_ID_MAX + 1]; /* "" = derived */
                unsigned keep_alive_sec;
                unsigned reconnect_min_sec, reconnect_max_sec;
        } broker;
        struct {
                bool discovery;
                char discovery_prefix[MQTT_TOPIC_MAX + 1];
                char status_topic[MQTT_TOPIC_MAX + 1];
                char device_name[MQTT_DEVICE_NAME_MAX + 1];
                /* "" = "doorlockd/<machine's app-specific id>", derived later. */
                char topic_prefix[MQTT_TOPIC_MAX + 1];
        } ha;
        struct {
                bool lock, unlock, mode, code_changes;
                /* Unlock without "pin" is sent as Unlock(), which doorlockd
                 * allows only with its own [Remote] UnlockWithoutPin=yes;
                 * no (the default): such a command is PinRequired. */
                bool unlock_without_pin;
                unsigned max_age_sec;  /* 1..3600 */
                unsigned max_skew_sec; /* 0..300 */
                unsigned max_payload;  /* bytes, 256..65536 */
        } commands;
};

/* The built-in defaults (those of systemd/mqtt.conf). */
void mqtt_config_init(struct mqtt_config *c);

/* Reads path over the defaults into *c.  A missing file leaves every
 * default (0).  An unknown section or key, a bad value or two keys that do
 * not go together is -EINVAL with "path:line: [Section] Key=value: why" in
 * err (printable ASCII, cut to errlen; err may be NULL); another error
 * (unreadable file) its negative errno.  *c is only written on success. */
int mqtt_config_load(const char *path, struct mqtt_config *c, char *err, size_t errlen);

/* Every [Section] Key= the parser takes, from its own table (for the man
 * page check and the like): n entries, in the order of systemd/mqtt.conf. */
struct mqtt_config_key {
        const char *section, *key;
};
const struct mqtt_config_key *mqtt_config_keys(size_t *n);

/* A topic or topic prefix fit for TopicPrefix= and the like: 1..MQTT_TOPIC_MAX
 * printable ASCII characters without blanks, no wildcard '+' or '#', no
 * leading '$' (broker topics), no leading, trailing or double '/'. */
bool mqtt_topic_prefix_valid(const char *s);

/* Whether a PIN may cross the link to the broker: TLS=yes, or Host= is
 * loopback ("localhost", a dotted 127.0.0.0/8 literal or "::1").  Pure
 * string logic, no name is resolved. */
bool mqtt_config_link_secure(const struct mqtt_config *c);

/* How long a command id is remembered: MaxAge + 2 * MaxSkew, in µs. */
uint64_t mqtt_config_id_keep_usec(const struct mqtt_config *c);

/* The broker password: credentials_dir/PasswordCredential (the caller
 * passes $CREDENTIALS_DIRECTORY), one trailing newline ("\n" or "\r\n")
 * stripped.  -ENOENT when credentials_dir is NULL or empty or the file is
 * absent, -EFBIG past MQTT_PASSWORD_MAX bytes, -EINVAL for a NUL byte in
 * it or a file that is not a regular one.  Free *ret with
 * mqtt_password_free(), which wipes it. */
int mqtt_config_read_password(const struct mqtt_config *c, const char *credentials_dir, char **ret);

void mqtt_password_free(char *p);
static inline void mqtt_password_freep(char **p) {
        mqtt_password_free(*p);
        *p = NULL;
}
#define _cleanup_password_ __attribute__((cleanup(mqtt_password_freep)))
