/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doorlockd: wire configuration, code store, hardware backend, lock service
 * and the D-Bus face together, then run the event loop. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "bus.h"
#include "config.h"
#include "hw-gpio.h"
#include "hw-sim.h"
#include "lock-service.h"
#include "macro.h"
#include "store.h"

/* meson's configuration: PACKAGE_VERSION, DL_CONFIG_FILE, DL_STATE_DIR */
#include "build-config.h"

/* Beyond the GPIO motor's own longest drive (both tries), before the lock
 * controller calls it jammed: the backend reports the failure itself. */
#define MOTOR_MARGIN_USEC (500 * (int64_t)1000)

struct options {
        const char *config_path;
        const char *state_dir;
        bool simulate;
};

static void help(void) {
        printf("Usage: doorlockd [OPTIONS]\n\n"
               "The doorlockd lock controller.\n\n"
               "  --config PATH     configuration file (default %s)\n"
               "  --state-dir DIR   state directory (default %s)\n"
               "  --simulate        use the simulated keypad and lock\n"
               "  --version         print the version and exit\n"
               "  -h, --help        print this help and exit\n",
               DL_CONFIG_FILE, DL_STATE_DIR);
}

/* 0: run; 1: exit 0 (help, version); < 0: usage error. */
static int parse_args(int argc, char **argv, struct options *o) {
        enum {
                ARG_CONFIG = 0x100,
                ARG_STATE_DIR,
                ARG_SIMULATE,
                ARG_VERSION
        };
        static const struct option opts[] = {
                { "config", required_argument, NULL, ARG_CONFIG },
                { "state-dir", required_argument, NULL, ARG_STATE_DIR },
                { "simulate", no_argument, NULL, ARG_SIMULATE },
                { "version", no_argument, NULL, ARG_VERSION },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        *o = (struct options){ .config_path = DL_CONFIG_FILE, .state_dir = DL_STATE_DIR };
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case ARG_CONFIG:
                        o->config_path = optarg;
                        break;
                case ARG_STATE_DIR:
                        o->state_dir = optarg;
                        break;
                case ARG_SIMULATE:
                        o->simulate = true;
                        break;
                case ARG_VERSION:
                        printf("doorlockd %s\n", PACKAGE_VERSION);
                        return 1;
                case 'h':
                        help();
                        return 1;
                default:
                        return -EINVAL;
                }
        if (optind < argc) {
                fprintf(stderr, "doorlockd: unexpected argument '%s'\n", argv[optind]);
                return -EINVAL;
        }
        return 0;
}

static int run(int argc, char **argv) {
        struct dl_daemon_config config;
        struct options o;
        struct dl_error err = {};
        struct dl_store *store = NULL;
        struct dl_hw_sim *sim = NULL;
        struct dl_hw *hw = NULL;
        struct dl_bus *bus = NULL;
        struct dl_service *service = NULL;
        sd_event *event = NULL;
        sigset_t mask;
        int r;

        r = parse_args(argc, argv, &o);
        if (r != 0)
                return r > 0 ? 0 : 2;

        umask(0077);
        dl_daemon_config_init(&config);
        r = dl_daemon_config_load(&config, o.config_path, &err);
        if (r < 0) {
                fprintf(stderr, "doorlockd: %s\n", dl_error_message(&err, r));
                dl_daemon_config_done(&config);
                return 1;
        }
        if (o.simulate)
                config.backend = DL_BACKEND_SIMULATED;

        r = sd_event_default(&event);
        if (r < 0)
                goto fail;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        r = sd_event_add_signal(event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGINT, NULL, NULL);
        if (r >= 0)
                r = sd_event_set_watchdog(event, true);
        if (r < 0)
                goto fail;

        /* Outputs first, at their safe levels, before anything else (the
         * store's recovery may take a while after a crash, and a released
         * line keeps whatever it had): the backend does that as it requests
         * the lines.  No backend event is dispatched before the loop runs,
         * and the service is attached by then. */
        if (config.backend == DL_BACKEND_SIMULATED) {
                r = dl_hw_sim_new(event, config.sim_motor_usec, config.sim_key_gap_usec,
                                  &dl_service_hw_events, NULL, &sim);
                if (r < 0)
                        goto fail;
                hw = dl_hw_sim_hw(sim);
        } else if (dl_hw_gpio_config_any(&config.gpio)) {
                /* A wrong chip or line, a line in use: the message names
                 * the config key and the line, and start-up stops. */
                r = dl_hw_gpio_new(event, &config.gpio, DL_GPIO_DEV_DIR, &dl_service_hw_events, NULL, &hw,
                                   &err);
                if (r < 0) {
                        fprintf(stderr, "doorlockd: %s\n", dl_error_message(&err, r));
                        goto finish;
                }
                /* The controller must outwait the backend's own retry. */
                config.lock.motor_timeout_usec =
                        MAX(config.lock.motor_timeout_usec,
                            dl_hw_gpio_drive_usec_max(&config.gpio) + MOTOR_MARGIN_USEC);
        }
        r = dl_store_open(o.state_dir, &config.store, &dl_clock_system, &store, &err);
        if (r < 0) {
                fprintf(stderr, "doorlockd: %s\n", dl_error_message(&err, r));
                goto finish;
        }

        r = dl_bus_new(event, sim, &bus);
        if (r < 0) {
                fprintf(stderr, "doorlockd: cannot connect to the system bus: %s\n", strerror(-r));
                goto finish;
        }
        r = dl_service_new(event, &config, store, &dl_bus_service_events, bus, &service);
        if (r < 0)
                goto fail;
        dl_bus_set_service(bus, service);
        if (hw) {
                hw->userdata = service;
                dl_service_attach_hw(service, hw);
        }

        r = dl_bus_request_name(bus);
        if (r < 0) {
                fprintf(stderr, "doorlockd: cannot take the bus name %s: %s\n", DL_BUS_NAME, strerror(-r));
                goto finish;
        }

        if (hw) {
                struct dl_hw_info info;

                dl_service_hw_info(service, &info);
                (void)sd_notifyf(false, "READY=1\nSTATUS=Lock %s, %u codes, %s keypad, %s actuator",
                                 dl_lock_state_to_string(dl_service_state(service)),
                                 dl_service_code_count(service), info.keypad, info.actuator);
                fprintf(stderr, "doorlockd %s: ready on the system bus as %s (%s hardware, state in %s)\n",
                        PACKAGE_VERSION, DL_BUS_NAME, info.backend, o.state_dir);
        } else {
                /* A fresh install: serve D-Bus (codes can be set up) and
                 * say what is missing, rather than fail and restart. */
                (void)sd_notifyf(false, "READY=1\nSTATUS=Lock %s, %u codes, %s",
                                 dl_lock_state_to_string(dl_service_state(service)),
                                 dl_service_code_count(service), dl_service_no_hw_hint);
                fprintf(stderr, "doorlockd %s: ready on the system bus as %s, but %s\n", PACKAGE_VERSION,
                        DL_BUS_NAME, dl_service_no_hw_hint);
        }

        /* 0 after SIGTERM/SIGINT.  1 (EXIT_FAILURE) when the bus connection
         * was lost: bus.c has said so, and the exit status 1 makes systemd
         * restart the daemon. */
        r = sd_event_loop(event);
        (void)sd_notify(false, "STOPPING=1");
        /* The motor stops before anything else is torn down. */
        dl_service_stop_hw(service);
        if (r < 0)
                goto fail;
        if (r > 0)
                r = -ENOTCONN;
        goto finish;

fail:
        fprintf(stderr, "doorlockd: %s\n", strerror(-r));
finish:
        dl_service_free(service);
        dl_bus_free(bus);
        dl_hw_free(hw); /* outputs back to their safe levels */
        sd_event_unref(event);
        dl_store_close(store);
        dl_daemon_config_done(&config);
        return r < 0 ? 1 : 0;
}

int main(int argc, char **argv) {
        return run(argc, argv);
}
