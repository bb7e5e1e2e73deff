/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mqtt-config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "utf8.h"

/* Values longer than this are cut short in error messages. */
#define MESSAGE_VALUE_MAX 64
/* The longest message written before it is cut to the caller's errlen. */
#define MESSAGE_MAX 512

void mqtt_config_init(struct mqtt_config *c) {
        *c = (struct mqtt_config){
                .broker = {
                        .host = "localhost",
                        .port = MQTT_PORT_PLAIN,
                        .password_credential = "mqtt-password",
                        .keep_alive_sec = 60,
                        .reconnect_min_sec = 1,
                        .reconnect_max_sec = 60,
                },
                .ha = {
                        .discovery = true,
                        .discovery_prefix = "homeassistant",
                        .status_topic = "homeassistant/status",
                        .device_name = "Door lock",
                },
                .commands = {
                        .lock = true,
                        .unlock = true,
                        .mode = true,
                        .unlock_without_pin = false,
                        .code_changes = false,
                        .max_age_sec = 30,
                        .max_skew_sec = 5,
                        .max_payload = 4096,
                },
        };
}

/* ---- the keys ---- */

enum key_type {
        KEY_UNSIGNED, /* unsigned in min..max */
        KEY_BOOL,
        KEY_HOST,      /* char[]: a host name or an IP literal */
        KEY_PATH,      /* char[]: an absolute path, or empty */
        KEY_TEXT,      /* char[]: UTF-8 without control characters, may be empty */
        KEY_CLIENT_ID, /* char[]: printable ASCII without blanks, may be empty */
        KEY_FILE_NAME, /* char[]: a plain file name */
        KEY_TOPIC,     /* char[]: mqtt_topic_prefix_valid() */
        KEY_TOPIC_OPT, /* char[]: as KEY_TOPIC, or empty */
};

struct key {
        enum key_type type;
        size_t offset; /* in struct mqtt_config */
        size_t size;   /* char[]: the array's size; else 0 */
        unsigned min, max;
};

#define FIELD(f) offsetof(struct mqtt_config, f)
#define STR(f) FIELD(f), sizeof(((struct mqtt_config *)NULL)->f)

/* The one table of keys: X(id, section, name, type, field..., min, max).
 * It gives the key ids, the names (key_names[], what mqtt_config_keys()
 * hands out and key_find() searches) and how to parse each (keys[]). */
#define KEY_TABLE(X)                                                                                        \
        X(K_HOST, "Broker", "Host", KEY_HOST, STR(broker.host), 0, 0)                                       \
        X(K_PORT, "Broker", "Port", KEY_UNSIGNED, FIELD(broker.port), 0, 1, 65535)                          \
        X(K_TLS, "Broker", "TLS", KEY_BOOL, FIELD(broker.tls), 0, 0, 0)                                     \
        X(K_CA_FILE, "Broker", "CAFile", KEY_PATH, STR(broker.ca_file), 0, 0)                               \
        X(K_CERT_FILE, "Broker", "CertFile", KEY_PATH, STR(broker.cert_file), 0, 0)                         \
        X(K_KEY_FILE, "Broker", "KeyFile", KEY_PATH, STR(broker.key_file), 0, 0)                            \
        X(K_USERNAME, "Broker", "Username", KEY_TEXT, STR(broker.username), 0, 0)                           \
        X(K_PASSWORD_CREDENTIAL, "Broker", "PasswordCredential", KEY_FILE_NAME,                             \
          STR(broker.password_credential), 0, 0)                                                            \
        X(K_CLIENT_ID, "Broker", "ClientId", KEY_CLIENT_ID, STR(broker.client_id), 0, 0)                    \
        X(K_KEEP_ALIVE, "Broker", "KeepAlive", KEY_UNSIGNED, FIELD(broker.keep_alive_sec), 0, 5, 3600)      \
        X(K_RECONNECT_MIN, "Broker", "ReconnectMin", KEY_UNSIGNED, FIELD(broker.reconnect_min_sec), 0, 1,   \
          3600)                                                                                             \
        X(K_RECONNECT_MAX, "Broker", "ReconnectMax", KEY_UNSIGNED, FIELD(broker.reconnect_max_sec), 0, 1,   \
          3600)                                                                                             \
        X(K_DISCOVERY, "HomeAssistant", "Discovery", KEY_BOOL, FIELD(ha.discovery), 0, 0, 0)                \
        X(K_DISCOVERY_PREFIX, "HomeAssistant", "DiscoveryPrefix", KEY_TOPIC, STR(ha.discovery_prefix), 0,   \
          0)                                                                                                \
        X(K_STATUS_TOPIC, "HomeAssistant", "StatusTopic", KEY_TOPIC, STR(ha.status_topic), 0, 0)            \
        X(K_DEVICE_NAME, "HomeAssistant", "DeviceName", KEY_TEXT, STR(ha.device_name), 0, 0)                \
        X(K_TOPIC_PREFIX, "HomeAssistant", "TopicPrefix", KEY_TOPIC_OPT, STR(ha.topic_prefix), 0, 0)        \
        X(K_LOCK, "Commands", "Lock", KEY_BOOL, FIELD(commands.lock), 0, 0, 0)                              \
        X(K_UNLOCK, "Commands", "Unlock", KEY_BOOL, FIELD(commands.unlock), 0, 0, 0)                        \
        X(K_UNLOCK_WITHOUT_PIN, "Commands", "UnlockWithoutPin", KEY_BOOL,                                   \
          FIELD(commands.unlock_without_pin), 0, 0, 0)                                                      \
        X(K_MODE, "Commands", "Mode", KEY_BOOL, FIELD(commands.mode), 0, 0, 0)                              \
        X(K_CODE_CHANGES, "Commands", "CodeChanges", KEY_BOOL, FIELD(commands.code_changes), 0, 0, 0)       \
        X(K_MAX_AGE, "Commands", "MaxAge", KEY_UNSIGNED, FIELD(commands.max_age_sec), 0, 1, 3600)           \
        X(K_MAX_SKEW, "Commands", "MaxSkew", KEY_UNSIGNED, FIELD(commands.max_skew_sec), 0, 0, 300)         \
        X(K_MAX_PAYLOAD, "Commands", "MaxPayload", KEY_UNSIGNED, FIELD(commands.max_payload), 0, 256, 65536)

#define KEY_ID(id, section, name, ...) id,
#define KEY_NAME(id, section, name, ...) [id] = { section, name },
#define KEY_SPEC(id, section, name, ...) [id] = { __VA_ARGS__ },

enum {
        KEY_TABLE(KEY_ID) _K_MAX
};

static const struct mqtt_config_key key_names[] = { KEY_TABLE(KEY_NAME) };
static const struct key keys[] = { KEY_TABLE(KEY_SPEC) };

_Static_assert(ELEMENTSOF(key_names) == _K_MAX && ELEMENTSOF(keys) == _K_MAX, "one entry per key");

const struct mqtt_config_key *mqtt_config_keys(size_t *n) {
        if (n)
                *n = ELEMENTSOF(key_names);
        return key_names;
}

/* ---- the values ---- */

/* As systemd's parse_boolean(). */
static int parse_boolean(const char *v) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcasecmp(v, yes[i]) == 0)
                        return 1;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcasecmp(v, no[i]) == 0)
                        return 0;
        return -EINVAL;
}

/* Decimal digits only, -EINVAL otherwise, -ERANGE past UINT64_MAX. */
static int parse_decimal(const char *v, uint64_t *ret) {
        uint64_t n = 0;

        if (!*v)
                return -EINVAL;
        for (const char *s = v; *s; s++) {
                unsigned d;

                if (*s < '0' || *s > '9')
                        return -EINVAL;
                d = (unsigned)(*s - '0');
                if (n > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                n = n * 10 + d;
        }
        *ret = n;
        return 0;
}

static bool is_graph_ascii(char c) {
        return c > ' ' && c < 0x7f;
}

bool mqtt_topic_prefix_valid(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > MQTT_TOPIC_MAX || s[0] == '/' || s[n - 1] == '/' || s[0] == '$')
                return false;
        for (size_t i = 0; i < n; i++) {
                if (!is_graph_ascii(s[i]) || s[i] == '+' || s[i] == '#')
                        return false;
                if (s[i] == '/' && s[i + 1] == '/')
                        return false;
        }
        return true;
}

/* Letters, digits, '.', '-', '_' (names) and ':' (IPv6 literals). */
static bool host_valid(const char *s) {
        if (!*s || *s == '-' || *s == '.')
                return false;
        for (; *s; s++)
                if (!(*s >= 'A' && *s <= 'Z') && !(*s >= 'a' && *s <= 'z') && !(*s >= '0' && *s <= '9') &&
                    !strchr(".-_:", *s))
                        return false;
        return true;
}

/* Valid UTF-8 without control characters. */
static bool text_valid(const char *s) {
        const unsigned char *u = (const unsigned char *)s;

        while (*u) {
                uint32_t cp;
                int n = utf8_decode(u, &cp);

                if (n < 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
                        return false;
                u += n;
        }
        return true;
}

static bool graph_ascii_valid(const char *s) {
        for (; *s; s++)
                if (!is_graph_ascii(*s))
                        return false;
        return true;
}

/* ---- reading the file ---- */

struct parser {
        const char *path;
        FILE *f;
        unsigned line;
        char *buf;
        size_t bufsz;
        const char *section; /* NULL before the first header */
        const char *key;     /* this line's, stripped (point into buf) */
        const char *value;

        struct mqtt_config *config;
        const struct mqtt_config *defaults;
        unsigned key_line[ELEMENTSOF(keys)]; /* where each key was last set to a value, 0 = not */

        int r; /* first error; once set, the reader stops */
        char *err;
        size_t errlen;
};

/* A copy of s for a message: anything but printable ASCII becomes '?',
 * anything longer than MESSAGE_VALUE_MAX is cut short with "...". */
static const char *printable(const char *s, char buf[static MESSAGE_VALUE_MAX + 1]) {
        size_t len = strlen(s), n = len > MESSAGE_VALUE_MAX ? MESSAGE_VALUE_MAX - 3 : len;

        for (size_t i = 0; i < n; i++) {
                buf[i] = s[i];
                if (s[i] < 0x20 || s[i] >= 0x7f)
                        buf[i] = '?';
        }
        if (len > MESSAGE_VALUE_MAX)
                memcpy(buf + n, "...", 3);
        buf[len > MESSAGE_VALUE_MAX ? MESSAGE_VALUE_MAX : n] = '\0';
        return buf;
}

/* Writes the message (printable ASCII) to err, returns r. */
static int set_error(char *err, size_t errlen, int r, const char *fmt, ...) _printf_(4, 5);
static int set_error(char *err, size_t errlen, int r, const char *fmt, ...) {
        char msg[MESSAGE_MAX];
        va_list ap;

        if (!err || errlen == 0)
                return r;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        for (char *c = msg; *c; c++)
                if (*c < 0x20 || *c >= 0x7f)
                        *c = '?';
        snprintf(err, errlen, "%s", msg);
        return r;
}

static int parser_fail(struct parser *p, const char *fmt, ...) _printf_(2, 3);
static int parser_fail(struct parser *p, const char *fmt, ...) {
        char reason[MESSAGE_MAX];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(reason, sizeof(reason), fmt, ap);
        va_end(ap);
        p->r = set_error(p->err, p->errlen, -EINVAL, "%s:%u: %s", p->path, p->line, reason);
        return p->r;
}

/* "PATH:LINE: [Section] Key=VALUE: reason" */
static int key_fail(struct parser *p, const char *reason, ...) _printf_(2, 3);
static int key_fail(struct parser *p, const char *reason, ...) {
        char why[MESSAGE_MAX], k[MESSAGE_VALUE_MAX + 1], v[MESSAGE_VALUE_MAX + 1];
        va_list ap;

        va_start(ap, reason);
        vsnprintf(why, sizeof(why), reason, ap);
        va_end(ap);
        if (p->section)
                return parser_fail(p, "[%s] %s=%s: %s", p->section, printable(p->key, k),
                                   printable(p->value, v), why);
        return parser_fail(p, "%s=%s: %s", printable(p->key, k), printable(p->value, v), why);
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static char *strip(char *s) {
        size_t n;

        while (is_blank(*s))
                s++;
        n = strlen(s);
        while (n > 0 && is_blank(s[n - 1]))
                s[--n] = '\0';
        return s;
}

static const char *section_find(const char *section) {
        for (size_t i = 0; i < ELEMENTSOF(key_names); i++)
                if (strcmp(key_names[i].section, section) == 0)
                        return key_names[i].section;
        return NULL;
}

static const struct key *key_find(const char *section, const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(key_names); i++)
                if (strcmp(key_names[i].section, section) == 0 && strcmp(key_names[i].key, name) == 0)
                        return &keys[i];
        return NULL;
}

static bool key_name_valid(const char *s) {
        for (; *s; s++)
                if (!(*s >= 'A' && *s <= 'Z') && !(*s >= 'a' && *s <= 'z') && !(*s >= '0' && *s <= '9') &&
                    !strchr("_-.", *s))
                        return false;
        return true;
}

/* As daemon/config.c's reader: one checked, normalised line for libinih
 * ("\n", "[Section]\n" or "Key=Value\n"), counting lines and keeping the
 * exact value for the handler; refuses what systemd would not take. */
static int parser_next(struct parser *p, char *out, size_t size) {
        char shown[MESSAGE_VALUE_MAX + 1];
        ssize_t n;
        char *s, *eq;

        p->key = p->value = NULL;
        errno = 0;
        n = getline(&p->buf, &p->bufsz, p->f);
        if (n < 0) {
                if (ferror(p->f)) {
                        p->r = errno > 0 ? -errno : -EIO;
                        return set_error(p->err, p->errlen, p->r, "Cannot read %s: %s", p->path,
                                         strerror(-p->r));
                }
                return 0;
        }
        p->line++;
        if (memchr(p->buf, '\0', (size_t)n))
                return parser_fail(p, "line contains a NUL byte");
        s = p->buf;
        if (p->line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
                s += 3;
        s = strip(s);

        if (*s == '\0' || *s == '#' || *s == ';') {
                snprintf(out, size, "\n");
                return 1;
        }
        if (*s == '[') {
                size_t len = strlen(s);
                char *name = s + 1;

                if (len < 2 || s[len - 1] != ']')
                        return parser_fail(p, "invalid section header \"%s\"", printable(s, shown));
                s[len - 1] = '\0';
                p->section = section_find(name);
                if (!p->section)
                        return parser_fail(p, "unknown section [%s]", printable(name, shown));
                if ((size_t)snprintf(out, size, "[%s]\n", name) >= size)
                        return parser_fail(p, "line too long");
                return 1;
        }
        eq = strchr(s, '=');
        if (!eq)
                return parser_fail(p, "\"%s\" is not a Key=value assignment", printable(s, shown));
        *eq = '\0';
        p->key = strip(s);
        p->value = strip(eq + 1);
        if (!p->section)
                return key_fail(p, "assignment outside of a section");
        if (!*p->key)
                return key_fail(p, "missing key name");
        if (!key_name_valid(p->key))
                return key_fail(p, "unknown key");
        if ((size_t)snprintf(out, size, "%s=%s\n", p->key, p->value) >= size)
                return key_fail(p, "line too long (at most %zu characters)", size > 3 ? size - 3 : 0);
        return 1;
}

static char *parser_reader(char *str, int num, void *stream) {
        struct parser *p = stream;

        if (p->r < 0 || num < 2)
                return NULL;
        if (parser_next(p, str, (size_t)num) <= 0)
                return NULL;
        return str;
}

static int parse_string(struct parser *p, const struct key *k, char *field, const char *v) {
        switch (k->type) {
        case KEY_HOST:
                if (!host_valid(v))
                        return key_fail(p, "not a host name or IP address");
                break;
        case KEY_PATH:
                if (v[0] != '/' || !text_valid(v))
                        return key_fail(p, "not an absolute path");
                break;
        case KEY_TEXT:
                if (!text_valid(v))
                        return key_fail(p, "not UTF-8 text without control characters");
                break;
        case KEY_CLIENT_ID:
                if (!graph_ascii_valid(v))
                        return key_fail(p, "may hold only printable ASCII without blanks");
                break;
        case KEY_FILE_NAME:
                if (strchr(v, '/') || strcmp(v, ".") == 0 || strcmp(v, "..") == 0 || !graph_ascii_valid(v))
                        return key_fail(p, "not a plain file name (no '/', blank or control character; "
                                           "the credential's name, never the password)");
                break;
        case KEY_TOPIC:
        case KEY_TOPIC_OPT:
                if (!mqtt_topic_prefix_valid(v))
                        return key_fail(p, "not a topic prefix (printable ASCII without blanks, no '+' or "
                                           "'#', no leading '$', no leading, trailing or double '/')");
                break;
        default:
                return key_fail(p, "internal error: not a string key");
        }
        if (strlen(v) >= k->size)
                return key_fail(p, "too long (at most %zu bytes)", k->size - 1);
        memset(field, 0, k->size);
        memcpy(field, v, strlen(v) + 1);
        return 0;
}

static int parse_value(struct parser *p, const struct key *k, const char *v) {
        void *field = (char *)p->config + k->offset;
        uint64_t n;
        int r;

        p->key_line[k - keys] = *v ? p->line : 0;
        if (*v == '\0') {
                /* Empty: back to the default (for TopicPrefix=, ClientId=,
                 * CAFile=, ... the default is empty). */
                size_t size = k->size ? k->size : k->type == KEY_BOOL ? sizeof(bool) : sizeof(unsigned);

                memcpy(field, (const char *)p->defaults + k->offset, size);
                return 0;
        }

        switch (k->type) {
        case KEY_UNSIGNED:
                r = parse_decimal(v, &n);
                if (r == -EINVAL)
                        return key_fail(p, "not a decimal number");
                if (r < 0 || n < k->min || n > k->max)
                        return key_fail(p, "out of range (%u-%u)", k->min, k->max);
                *(unsigned *)field = (unsigned)n;
                return 0;
        case KEY_BOOL:
                r = parse_boolean(v);
                if (r < 0)
                        return key_fail(p, "not a boolean (yes/no, true/false, on/off, 1/0)");
                *(bool *)field = r;
                return 0;
        default:
                return parse_string(p, k, field, v);
        }
}

static int parser_handler(void *user, const char *section, const char *name, const char *value) {
        struct parser *p = user;
        const struct key *k;

        (void)value; /* p->value is the line as written */
        if (!name)
                return 1;
        if (p->r < 0 || !p->key)
                return 0;
        k = key_find(section, name);
        if (!k) {
                key_fail(p, "unknown key");
                return 0;
        }
        return parse_value(p, k, p->value) >= 0;
}

/* An error about keys that do not go together, at the line of `at`
 * (or of the file when it was not set there). */
static int combo_fail(struct parser *p, size_t at, const char *fmt, ...) _printf_(3, 4);
static int combo_fail(struct parser *p, size_t at, const char *fmt, ...) {
        char why[MESSAGE_MAX];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(why, sizeof(why), fmt, ap);
        va_end(ap);
        if (p->key_line[at] > 0)
                return set_error(p->err, p->errlen, -EINVAL, "%s:%u: [%s] %s=: %s", p->path, p->key_line[at],
                                 key_names[at].section, key_names[at].key, why);
        return set_error(p->err, p->errlen, -EINVAL, "%s: [%s] %s=: %s", p->path, key_names[at].section,
                         key_names[at].key, why);
}

/* The checks across keys, once the whole file is read. */
static int check_config(struct parser *p) {
        struct mqtt_config *c = p->config;
        bool cert = c->broker.cert_file[0], key = c->broker.key_file[0];

        if (c->broker.reconnect_min_sec > c->broker.reconnect_max_sec)
                return combo_fail(p,
                                  p->key_line[K_RECONNECT_MIN] > p->key_line[K_RECONNECT_MAX]
                                          ? K_RECONNECT_MIN
                                          : K_RECONNECT_MAX,
                                  "ReconnectMin=%u is above ReconnectMax=%u", c->broker.reconnect_min_sec,
                                  c->broker.reconnect_max_sec);
        if (cert != key)
                return combo_fail(p, cert ? K_CERT_FILE : K_KEY_FILE,
                                  "CertFile= and KeyFile= go together: set both or neither");
        if (c->broker.tls) {
                if (!c->broker.ca_file[0])
                        return combo_fail(p, K_TLS, "TLS=yes needs CAFile= (the broker's CA certificate)");
        } else {
                /* A TLS setting that would be silently ignored: the owner
                 * would believe the link encrypted. */
                static const size_t tls_keys[] = { K_CA_FILE, K_CERT_FILE, K_KEY_FILE };

                for (size_t i = 0; i < ELEMENTSOF(tls_keys); i++)
                        if (*((const char *)c + keys[tls_keys[i]].offset))
                                return combo_fail(p, tls_keys[i], "set, but TLS=no: add TLS=yes");
        }
        if (c->broker.tls && p->key_line[K_PORT] == 0)
                c->broker.port = MQTT_PORT_TLS;
        return 0;
}

static int open_config(const char *path, FILE **ret, char *err, size_t errlen) {
        _cleanup_close_ int fd = -1;
        struct stat st;
        FILE *f;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                if (errno == ENOENT) {
                        *ret = NULL;
                        return 0;
                }
                return set_error(err, errlen, -errno, "Cannot open %s: %m", path);
        }
        if (fstat(fd, &st) < 0)
                return set_error(err, errlen, -errno, "Cannot stat %s: %m", path);
        if (S_ISDIR(st.st_mode))
                return set_error(err, errlen, -EISDIR, "Cannot read %s: it is a directory", path);
        if (!S_ISREG(st.st_mode))
                return set_error(err, errlen, -EINVAL, "Cannot read %s: not a regular file", path);
        f = fdopen(fd, "re");
        if (!f)
                return set_error(err, errlen, -errno, "Cannot open %s: %m", path);
        TAKE_FD(fd);
        *ret = f;
        return 0;
}

int mqtt_config_load(const char *path, struct mqtt_config *c, char *err, size_t errlen) {
        _cleanup_free_ struct mqtt_config *n = NULL, *defaults = NULL;
        struct parser p;
        FILE *f = NULL;
        int r;

        if (err && errlen > 0)
                err[0] = '\0';
        if (!path || !c)
                return set_error(err, errlen, -EINVAL, "No configuration or no path given");

        /* Start from the defaults: a missing file is all defaults. */
        n = malloc(sizeof(*n));
        defaults = malloc(sizeof(*defaults));
        if (!n || !defaults)
                return set_error(err, errlen, -ENOMEM, "Out of memory");
        mqtt_config_init(defaults);
        *n = *defaults;

        r = open_config(path, &f, err, errlen);
        if (r < 0)
                return r;
        if (!f) {
                *c = *n;
                return 0;
        }

        p = (struct parser){
                .path = path,
                .f = f,
                .config = n,
                .defaults = defaults,
                .err = err,
                .errlen = errlen,
        };
        r = ini_parse_stream(parser_reader, &p, parser_handler, &p);
        free(p.buf);
        fclose(f);
        if (p.r < 0)
                return p.r;
        if (r == -2)
                return set_error(err, errlen, -ENOMEM, "Out of memory");
        if (r != 0)
                return set_error(err, errlen, -EINVAL, "%s:%d: cannot parse line", path, r);
        r = check_config(&p);
        if (r < 0)
                return r;
        *c = *n;
        return 0;
}

/* ---- the link ---- */

static bool host_is_loopback(const char *h) {
        unsigned char a4[4];
        struct in6_addr a6;

        if (strcasecmp(h, "localhost") == 0 || strcasecmp(h, "localhost.") == 0)
                return true;
        /* inet_pton() takes only four dotted decimal parts (no "127.1", no
         * octal or hex): exactly what it says is what getaddrinfo() gets. */
        if (inet_pton(AF_INET, h, a4) == 1)
                return a4[0] == 127;
        if (inet_pton(AF_INET6, h, &a6) == 1)
                return IN6_IS_ADDR_LOOPBACK(&a6);
        return false;
}

bool mqtt_config_link_secure(const struct mqtt_config *c) {
        return c->broker.tls || host_is_loopback(c->broker.host);
}

uint64_t mqtt_config_id_keep_usec(const struct mqtt_config *c) {
        return ((uint64_t)c->commands.max_age_sec + 2 * (uint64_t)c->commands.max_skew_sec) *
               (uint64_t)USEC_PER_SEC;
}

/* ---- the password ---- */

void mqtt_password_free(char *p) {
        if (!p)
                return;
        secure_zero(p, strlen(p));
        free(p);
}

int mqtt_config_read_password(const struct mqtt_config *c, const char *credentials_dir, char **ret) {
        _cleanup_close_ int dfd = -1, fd = -1;
        char *buf;
        size_t len = 0;
        struct stat st;

        if (!c || !ret)
                return -EINVAL;
        if (!credentials_dir || !*credentials_dir)
                return -ENOENT;
        if (!c->broker.password_credential[0] || strchr(c->broker.password_credential, '/'))
                return -EINVAL;

        dfd = open(credentials_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        fd = openat(dfd, c->broker.password_credential, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;

        /* One byte more than a password may take (with its "\r\n"): a
         * file that fills it is too big. */
        buf = malloc(MQTT_PASSWORD_MAX + 3);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t n = read(fd, buf + len, MQTT_PASSWORD_MAX + 3 - len);

                if (n < 0) {
                        int e = errno;

                        if (e == EINTR)
                                continue;
                        secure_zero(buf, len);
                        free(buf);
                        return -e;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len == MQTT_PASSWORD_MAX + 3)
                        break;
        }
        if (len > 0 && buf[len - 1] == '\n') {
                buf[--len] = '\0';
                if (len > 0 && buf[len - 1] == '\r')
                        buf[--len] = '\0';
        }
        if (len > MQTT_PASSWORD_MAX || memchr(buf, '\0', len)) {
                int r = len > MQTT_PASSWORD_MAX ? -EFBIG : -EINVAL;

                secure_zero(buf, MQTT_PASSWORD_MAX + 3);
                free(buf);
                return r;
        }
        buf[len] = '\0';
        *ret = buf;
        return 0;
}
