/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The D-Bus face's frame: the connection and its life cycle (losing it ends
 * the event loop with status 1), the objects it exports (the interfaces
 * themselves are in bus-lock.c, bus-code.c and bus-simulator.c), the filter
 * that keeps GetManagedObjects from callers without a role and answers
 * Peer.GetMachineId itself, and the service events turned into signals. */
#include "bus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-id128.h>

#include "bus-private.h"

/* ---- service events into signals ---- */

static void ev_granted(void *userdata, enum dl_source source, int64_t code_id, const char *name) {
        struct dl_bus *b = userdata;
        char path[DL_BUS_CODE_PATH_MAX];

        dl_bus_code_cache_drop(b);
        dl_bus_code_path(code_id, path, sizeof(path));
        (void)sd_bus_emit_signal(b->bus, DL_BUS_PATH, DL_BUS_NAME, "AccessGranted", "sos",
                                 dl_source_to_string(source), path, name ? name : "");
}

static void ev_denied(void *userdata, enum dl_source source, const char *reason) {
        struct dl_bus *b = userdata;

        dl_bus_code_cache_drop(b);
        (void)sd_bus_emit_signal(b->bus, DL_BUS_PATH, DL_BUS_NAME, "AccessDenied", "ss",
                                 dl_source_to_string(source), reason);
}

static void ev_alarm(void *userdata, const char *kind, const char *detail) {
        struct dl_bus *b = userdata;

        dl_bus_code_cache_drop(b);
        (void)sd_bus_emit_signal(b->bus, DL_BUS_PATH, DL_BUS_NAME, "Alarm", "ss", kind,
                                 detail ? detail : "");
}

static void ev_log_entry(void *userdata, const struct dl_audit_entry *e) {
        struct dl_bus *b = userdata;
        _cleanup_msg_ sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_signal(b->bus, &m, DL_BUS_PATH, DL_BUS_NAME, "LogEntry");
        if (r >= 0)
                r = dl_bus_append_log_entry(m, e, false);
        if (r >= 0)
                (void)sd_bus_send(b->bus, m, NULL);
}

static void ev_property_changed(void *userdata, const char *property) {
        struct dl_bus *b = userdata;

        dl_bus_code_cache_drop(b);
        (void)sd_bus_emit_properties_changed(b->bus, DL_BUS_PATH, DL_BUS_NAME, property, NULL);
}

static void ev_code_added(void *userdata, int64_t id) {
        struct dl_bus *b = userdata;
        char path[DL_BUS_CODE_PATH_MAX];

        dl_bus_code_cache_drop(b);
        dl_bus_code_path(id, path, sizeof(path));
        (void)sd_bus_emit_object_added(b->bus, path);
}

static void ev_code_removed(void *userdata, int64_t id) {
        struct dl_bus *b = userdata;
        char path[DL_BUS_CODE_PATH_MAX];

        dl_bus_code_cache_drop(b);
        dl_bus_code_path(id, path, sizeof(path));
        (void)sd_bus_emit_interfaces_removed(b->bus, path, "org.doorlockd.Code1", NULL);
}

static void ev_code_changed(void *userdata, int64_t id) {
        struct dl_bus *b = userdata;
        char path[DL_BUS_CODE_PATH_MAX];

        dl_bus_code_cache_drop(b);
        dl_bus_code_path(id, path, sizeof(path));
        (void)sd_bus_emit_properties_changed(b->bus, path, "org.doorlockd.Code1", "Name", "Enabled",
                                             "ValidFrom", "ValidUntil", "Schedule", "MaxUses", "Uses",
                                             "LastUsed", NULL);
}

/* Not a signal: the parked Lock and Unlock calls get their answer. */
static void ev_motion_done(void *userdata, enum dl_lock_state state) {
        dl_bus_code_cache_drop(userdata);
        dl_bus_answer_pending(userdata, state);
}

static void ev_doorbell(void *userdata) {
        dl_bus_emit_doorbell(userdata);
}

static void ev_key_test(void *userdata, char key) {
        dl_bus_emit_key_test(userdata, key);
}

const struct dl_service_events dl_bus_service_events = {
        .doorbell = ev_doorbell,
        .key_test = ev_key_test,
        .granted = ev_granted,
        .denied = ev_denied,
        .alarm = ev_alarm,
        .log_entry = ev_log_entry,
        .property_changed = ev_property_changed,
        .code_added = ev_code_added,
        .code_removed = ev_code_removed,
        .code_changed = ev_code_changed,
        .motion_done = ev_motion_done,
};

/* org.freedesktop.DBus.Peer.GetMachineId, which the policy lets everyone
 * send.  sd-bus 252 answers Peer itself (process_builtin() in sd-bus.c), but
 * when sd_id128_get_machine() fails (no /etc/machine-id: -ENOENT; an empty
 * one, or "uninitialized": -ENOMEDIUM; garbage: -EINVAL) it returns that
 * errno from sd_bus_process() instead of replying.  The io handler of
 * sd_bus_attach_event() treats any error from sd_bus_process() as fatal and
 * closes the connection, so one call from any local user took the daemon
 * off the bus.  Filters run before that builtin, so this one answers first:
 * with the machine id when there is one (what sd-bus would say), else with
 * org.freedesktop.DBus.Error.Failed.  No made-up or app-specific id: the
 * contract of GetMachineId is that every peer on one machine returns the
 * same id, and an id only doorlockd reports would break that silently; an
 * app-specific id also needs the machine id itself.  The machine id is no
 * secret (dbus-daemon and every sd-bus service hand it out). */
static int reply_machine_id(sd_bus_message *m) {
        char s[SD_ID128_STRING_MAX];
        sd_id128_t id;
        int r;

        if (!sd_bus_message_has_signature(m, ""))
                return sd_bus_reply_method_errorf(m, SD_BUS_ERROR_INVALID_ARGS,
                                                  "GetMachineId takes no arguments");
        r = sd_id128_get_machine(&id);
        if (r < 0)
                return sd_bus_reply_method_errorf(m, SD_BUS_ERROR_FAILED,
                                                  "This machine has no machine ID (/etc/machine-id: %s)",
                                                  strerror(-r));
        return sd_bus_reply_method_return(m, "s", sd_id128_to_string(id, s));
}

/* Every method call passes here before sd-bus looks at it.  Returns 1 for a
 * call answered here, 0 to let sd-bus go on. */
static int filter_calls(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_caller c;

        (void)error;
        if (sd_bus_message_is_method_call(m, "org.freedesktop.DBus.Peer", "GetMachineId")) {
                /* A reply that cannot be sent is not worth closing the
                 * connection for: the caller gets no answer, as for any lost
                 * message. */
                (void)reply_machine_id(m);
                return 1;
        }
        /* GetManagedObjects is sd-bus's own; observers and admins only. */
        if (!sd_bus_message_is_method_call(m, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects"))
                return 0;
        dl_bus_get_caller(b, m, &c);
        if (c.role >= DL_ROLE_OBSERVER)
                return 0;
        (void)sd_bus_reply_method_errorf(
                m, SD_BUS_ERROR_ACCESS_DENIED,
                "Only members of group doorlock or doorlock-admin may list the codes");
        return 1;
}

/* ---- life cycle ---- */

/* sd-bus's synthetic org.freedesktop.DBus.Local.Disconnected: the bus daemon
 * is gone, it closed the connection, or sd_bus_process() failed and the
 * event loop's io handler closed it.  A lock nobody can reach over the bus
 * must not keep running (and feeding the watchdog): end the loop with status
 * 1, so that doorlockd exits 1 and systemd's Restart=on-failure starts it
 * again.  Only sd-bus itself sends from org.freedesktop.DBus.Local; the bus
 * daemon refuses that name and interface from peers. */
static int on_disconnected(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;

        (void)m;
        (void)error;
        fprintf(stderr, "doorlockd: lost the connection to the system bus (the bus daemon stopped or closed "
                        "it, or a message could not be processed); exiting with status 1\n");
        (void)sd_event_exit(b->event, EXIT_FAILURE);
        return 1;
}

void dl_bus_set_service(struct dl_bus *b, struct dl_service *service) {
        b->service = service;
}

struct dl_bus *dl_bus_free(struct dl_bus *b) {
        if (!b)
                return NULL;
        dl_bus_drop_pending(b);
        dl_bus_forget_callers(b);
        sd_bus_flush_close_unref(b->bus);
        sd_event_unref(b->event);
        free(b->key_test_sender);
        free(b);
        return NULL;
}

int dl_bus_new(sd_event *event, struct dl_hw_sim *sim, struct dl_bus **ret) {
        struct dl_bus *b;
        int r;

        b = calloc(1, sizeof(*b));
        if (!b)
                return -ENOMEM;
        b->event = sd_event_ref(event);
        b->sim = sim;
        dl_bus_load_role_groups(b);

        r = sd_bus_open_system_with_description(&b->bus, "doorlockd");
        if (r < 0)
                goto fail;
        r = sd_bus_add_filter(b->bus, NULL, filter_calls, b);
        if (r < 0)
                goto fail;
        /* A local match: nothing is sent to the bus driver for it. */
        r = sd_bus_match_signal(b->bus, NULL, "org.freedesktop.DBus.Local", "/org/freedesktop/DBus/Local",
                                "org.freedesktop.DBus.Local", "Disconnected", on_disconnected, b);
        if (r < 0)
                goto fail;
        /* The backstop, should the match above not run: sd-bus then ends the
         * attached event loop with EXIT_FAILURE itself. */
        r = sd_bus_set_exit_on_disconnect(b->bus, true);
        if (r < 0)
                goto fail;
        r = sd_bus_add_object_manager(b->bus, NULL, DL_BUS_PATH);
        if (r < 0)
                goto fail;
        r = sd_bus_add_object_vtable(b->bus, NULL, DL_BUS_PATH, DL_BUS_NAME, dl_bus_lock_vtable, b);
        if (r < 0)
                goto fail;
        if (sim) {
                r = sd_bus_add_object_vtable(b->bus, NULL, DL_BUS_PATH, "org.doorlockd.Simulator1",
                                             dl_bus_simulator_vtable, b);
                if (r < 0)
                        goto fail;
        }
        r = sd_bus_add_fallback_vtable(b->bus, NULL, DL_BUS_CODE_PREFIX, "org.doorlockd.Code1",
                                       dl_bus_code_vtable, dl_bus_code_find, b);
        if (r < 0)
                goto fail;
        r = sd_bus_add_node_enumerator(b->bus, NULL, DL_BUS_CODE_PREFIX, dl_bus_code_enumerate, b);
        if (r < 0)
                goto fail;
        r = sd_bus_attach_event(b->bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                goto fail;
        *ret = b;
        return 0;
fail:
        dl_bus_free(b);
        return r;
}

int dl_bus_request_name(struct dl_bus *b) {
        return sd_bus_request_name(b->bus, DL_BUS_NAME, 0);
}
