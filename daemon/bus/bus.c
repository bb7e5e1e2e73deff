/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The D-Bus face's frame: the connection and its life cycle, the objects
 * it exports (the interfaces themselves are in bus-lock.c, bus-code.c and
 * bus-simulator.c), the filter that keeps GetManagedObjects from callers
 * without a role, and the service events turned into signals. */
#include "bus.h"

#include <stdio.h>
#include <stdlib.h>

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

const struct dl_service_events dl_bus_service_events = {
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

/* GetManagedObjects is sd-bus's own; observers and admins only. */
static int filter_object_manager(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct dl_bus *b = userdata;
        struct dl_caller c;

        (void)error;
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
        r = sd_bus_add_filter(b->bus, NULL, filter_object_manager, b);
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
