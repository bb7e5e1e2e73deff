/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doorlockd-mqtt: a bridge from doorlockd's D-Bus API to an MQTT broker
 * (docs/mqtt.md, doorlockd-mqtt(8)).  The config, the topic prefix and
 * client id, the password from systemd credentials, the D-Bus connection,
 * the sd-event loop, the readiness and watchdog notifications and a clean
 * stop on SIGTERM/SIGINT; the rest is the bridge's (bridge.h). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <systemd/sd-id128.h>

#include "bridge.h"
#include "build-config.h"
#include "log.h"
#include "macro.h"
#include "mqtt-config.h"

/* The application id for sd_id128_get_machine_app_specific(): the default
 * topic prefix is derived from the machine id with it, so the prefix says
 * nothing about the machine id itself (machine-id(5)).  Never change it:
 * it would move every gateway's topics (5eca3697-0408-4116-82fa-796a1f796411,
 * made once with systemd-id128 new). */
static const sd_id128_t doorlockd_mqtt_app_id = { .bytes = { 0x5e, 0xca, 0x36, 0x97, 0x04, 0x08, 0x41, 0x16,
                                                             0x82, 0xfa, 0x79, 0x6a, 0x1f, 0x79, 0x64,
                                                             0x11 } };

/* A clean stop must be done within 2 s (systemd, the tests). */
#define STOP_TIMEOUT_USEC (1500 * (uint64_t)1000)

enum exit_code {
        EXIT_OK = 0,
        EXIT_RUNTIME = 1,
        EXIT_USAGE = 2,
};

struct options {
        const char *config_path;
        const char *bus;
        bool check_config;
        bool debug;
};

static void help(void) {
        printf("Usage: doorlockd-mqtt [OPTIONS]\n"
               "\n"
               "Bridge doorlockd (D-Bus, the remote role) to an MQTT broker, with Home Assistant "
               "discovery.\n"
               "\n"
               "  --config=FILE      the config file (default " MQTT_CONFIG_FILE ")\n"
               "  --bus=BUS          system (default; honours DBUS_SYSTEM_BUS_ADDRESS), session,\n"
               "                     or a D-Bus address\n"
               "  --check-config     read the config, print \"ok\" or the error, exit\n"
               "  --debug            log debug messages too\n"
               "  --version          print the version and exit\n"
               "  -h, --help         print this help and exit\n");
}

/* 0: run; 1: exit 0 (help, version); -EINVAL: usage error (printed). */
static int parse_args(int argc, char **argv, struct options *o) {
        enum {
                ARG_CONFIG = 0x100,
                ARG_BUS,
                ARG_CHECK_CONFIG,
                ARG_DEBUG,
                ARG_VERSION,
        };
        static const struct option opts[] = {
                { "config", required_argument, NULL, ARG_CONFIG },
                { "bus", required_argument, NULL, ARG_BUS },
                { "check-config", no_argument, NULL, ARG_CHECK_CONFIG },
                { "debug", no_argument, NULL, ARG_DEBUG },
                { "version", no_argument, NULL, ARG_VERSION },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        *o = (struct options){ .config_path = MQTT_CONFIG_FILE, .bus = "system" };
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case ARG_CONFIG:
                        o->config_path = optarg;
                        break;
                case ARG_BUS:
                        if (!optarg[0]) {
                                fprintf(stderr,
                                        "doorlockd-mqtt: --bus= needs system, session or an address\n");
                                return -EINVAL;
                        }
                        o->bus = optarg;
                        break;
                case ARG_CHECK_CONFIG:
                        o->check_config = true;
                        break;
                case ARG_DEBUG:
                        o->debug = true;
                        break;
                case ARG_VERSION:
                        printf("doorlockd-mqtt %s\n", PACKAGE_VERSION);
                        return 1;
                case 'h':
                        help();
                        return 1;
                default:
                        fprintf(stderr, "Try 'doorlockd-mqtt --help'.\n");
                        return -EINVAL;
                }
        if (optind < argc) {
                fprintf(stderr, "doorlockd-mqtt: unexpected argument '%s'. Try 'doorlockd-mqtt --help'.\n",
                        argv[optind]);
                return -EINVAL;
        }
        return 0;
}

static int open_bus(const char *which, sd_bus **ret) {
        _cleanup_(sd_bus_unrefp) sd_bus *bus = NULL;
        int r;

        if (strcmp(which, "system") == 0)
                return sd_bus_open_system(ret);
        if (strcmp(which, "session") == 0)
                return sd_bus_open_user(ret);
        r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_address(bus, which);
        if (r < 0)
                return r;
        r = sd_bus_set_bus_client(bus, true);
        if (r < 0)
                return r;
        r = sd_bus_start(bus);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(bus);
        return 0;
}

/* P: TopicPrefix=, or doorlockd/<the machine's id for this application>. */
static int topic_prefix(const struct mqtt_config *c, sd_id128_t app, char **ret) {
        char s[SD_ID128_STRING_MAX];

        if (c->ha.topic_prefix[0])
                return asprintf(ret, "%s", c->ha.topic_prefix) < 0 ? -ENOMEM : 0;
        (void)sd_id128_to_string(app, s);
        return asprintf(ret, "doorlockd/%s", s) < 0 ? -ENOMEM : 0;
}

/* ClientId=, or doorlockd-mqtt-<12 hex of the app-specific id>-<8 random
 * hex>: two gateways cloned from one SD card must not take each other's
 * session (the broker drops the older one), or neither would hear the
 * other's hello and the clone would go unnoticed. */
static int client_id(const struct mqtt_config *c, sd_id128_t app, char **ret) {
        char s[SD_ID128_STRING_MAX], rs[SD_ID128_STRING_MAX];
        sd_id128_t rnd;
        int r;

        if (c->broker.client_id[0])
                return asprintf(ret, "%s", c->broker.client_id) < 0 ? -ENOMEM : 0;
        r = sd_id128_randomize(&rnd);
        if (r < 0)
                return r;
        (void)sd_id128_to_string(app, s);
        (void)sd_id128_to_string(rnd, rs);
        return asprintf(ret, "doorlockd-mqtt-%.12s-%.8s", s, rs) < 0 ? -ENOMEM : 0;
}

static void on_stopped(void *userdata) {
        sd_event_exit(userdata, EXIT_OK);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        struct bridge *b = userdata;
        sd_event *e = sd_event_source_get_event(s);
        static bool once;

        (void)si;
        if (once) {
                sd_event_exit(e, EXIT_OK);
                return 0;
        }
        once = true;
        (void)sd_notify(false, "STOPPING=1");
        if (bridge_stop(b, STOP_TIMEOUT_USEC, on_stopped, e) < 0)
                sd_event_exit(e, EXIT_OK);
        return 0;
}

static int run(int argc, char **argv) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *prefix = NULL, *cid = NULL;
        _cleanup_password_ char *password = NULL;
        struct bridge *b = NULL;
        struct mqtt_config config;
        struct options o;
        char err[512] = "";
        sd_id128_t app = SD_ID128_NULL;
        sigset_t mask;
        int r;

        r = parse_args(argc, argv, &o);
        if (r != 0)
                return r > 0 ? EXIT_OK : EXIT_USAGE;
        if (o.debug)
                log_set_max_level(LOG_DEBUG);

        mqtt_config_init(&config);
        r = mqtt_config_load(o.config_path, &config, err, sizeof(err));
        if (r < 0) {
                if (err[0])
                        fprintf(stderr, "doorlockd-mqtt: %s\n", err);
                else
                        fprintf(stderr, "doorlockd-mqtt: %s: %s\n", o.config_path, strerror(-r));
                return EXIT_USAGE;
        }
        if (o.check_config) {
                printf("ok\n");
                return EXIT_OK;
        }

        if (!config.ha.topic_prefix[0] || !config.broker.client_id[0]) {
                r = sd_id128_get_machine_app_specific(doorlockd_mqtt_app_id, &app);
                if (r < 0) {
                        log_msg(LOG_ERR,
                                "This machine has no machine id (/etc/machine-id: %s) to derive the topic "
                                "prefix "
                                "and client id from: set TopicPrefix= and ClientId= in %s",
                                strerror(-r), o.config_path);
                        return EXIT_RUNTIME;
                }
        }
        if (topic_prefix(&config, app, &prefix) < 0 || client_id(&config, app, &cid) < 0) {
                log_msg(LOG_ERR, "Out of memory");
                return EXIT_RUNTIME;
        }

        if (config.broker.password_credential[0]) {
                r = mqtt_config_read_password(&config, getenv("CREDENTIALS_DIRECTORY"), &password);
                if (r == -ENOENT) {
                        /* No credential: fine without a login, else say why
                         * the broker will refuse us. */
                        if (config.broker.username[0])
                                log_msg(LOG_WARNING,
                                        "No password credential %s ($CREDENTIALS_DIRECTORY, the unit's "
                                        "LoadCredential=): logging in as %s without a password",
                                        config.broker.password_credential, config.broker.username);
                } else if (r < 0) {
                        log_msg(LOG_ERR, "Cannot read the broker password from credential %s: %s",
                                config.broker.password_credential, strerror(-r));
                        return EXIT_RUNTIME;
                } else if (!config.broker.username[0]) {
                        /* The broker would get no user name to go with
                         * it: a configuration error (exit 2, which the
                         * unit does not restart), not a bridge failure. */
                        log_msg(LOG_ERR,
                                "The credential %s holds a broker password, but mqtt.conf has no Username=: "
                                "set [Broker] Username= or remove the credential",
                                config.broker.password_credential);
                        return EXIT_USAGE;
                }
        }

        r = sd_event_default(&event);
        if (r < 0)
                goto fail;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);
        r = sd_event_set_watchdog(event, true);
        if (r < 0)
                goto fail;

        r = open_bus(o.bus, &bus);
        if (r < 0) {
                log_msg(LOG_ERR, "Cannot connect to the %s bus: %s", o.bus, strerror(-r));
                return EXIT_RUNTIME;
        }
        /* Losing the bus itself (dbus restarted) ends the loop: systemd
         * restarts us with a fresh connection. */
        (void)sd_bus_set_exit_on_disconnect(bus, true);
        r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                goto fail;

        r = bridge_new(
                event, bus,
                &(struct bridge_settings){
                        .config = &config, .topic_prefix = prefix, .client_id = cid, .password = password },
                &b);
        if (r < 0) {
                log_msg(LOG_ERR, "Cannot set up the bridge (topic prefix %s): %s", prefix, strerror(-r));
                return EXIT_RUNTIME;
        }
        /* The bridge copied the password. */
        mqtt_password_freep(&password);

        r = sd_event_add_signal(event, NULL, SIGTERM, on_signal, b);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGINT, on_signal, b);
        if (r < 0)
                goto fail;

        r = bridge_start(b);
        if (r < 0) {
                log_msg(LOG_ERR, "Cannot start: %s", strerror(-r));
                bridge_free(b);
                return EXIT_RUNTIME;
        }
        log_msg(LOG_INFO, "Topic prefix %s, client id %s", prefix, cid);
        (void)sd_notify(false, "READY=1");

        r = sd_event_loop(event);
        bridge_free(b);
        if (r < 0) {
                log_msg(LOG_ERR, "Event loop failed: %s", strerror(-r));
                return EXIT_RUNTIME;
        }
        return r == EXIT_OK ? EXIT_OK : EXIT_RUNTIME;

fail:
        log_msg(LOG_ERR, "Cannot set up: %s", strerror(-r));
        bridge_free(b);
        return EXIT_RUNTIME;
}

int main(int argc, char **argv) {
        return run(argc, argv);
}
