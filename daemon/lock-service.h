/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The lock service: the one place that decides.  Every operation takes who
 * is asking (struct dl_caller: source and role), checks the role, does the
 * work through the code store and the lock controller, and reports what
 * happened through struct dl_service_events, which the D-Bus face (and later
 * BLE) turns into signals.  The faces hold no rules. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "audit-chain.h"
#include "backup.h"
#include "code-spec.h"
#include "config.h"
#include "emergency-store.h"
#include "error.h"
#include "hw.h"
#include "keypad-entry.h"
#include "lock-controller.h"
#include "lock-operation.h"
#include "store.h"
#include "verify.h"

/* Ordered: each role reads what the ones before it read. */
enum dl_role {
        DL_ROLE_NONE,     /* read Lock1 properties, introspect */
        DL_ROLE_OBSERVER, /* read everything, receive signals */
        DL_ROLE_REMOTE,   /* a network face: an observer that may Lock, SubmitPin, and what [Remote]
                           * allows (remote-entry.h); its calls are audited with source mqtt */
        DL_ROLE_ADMIN,    /* everything */
};

struct dl_caller {
        enum dl_source source;
        enum dl_role role;
        char who[64]; /* "uid 1000", for the audit log */
};

struct dl_service_events {
        void (*granted)(void *userdata, enum dl_source source, int64_t code_id, const char *name);
        void (*denied)(void *userdata, enum dl_source source, const char *reason);
        void (*alarm)(void *userdata, const char *kind, const char *detail);
        void (*log_entry)(void *userdata, const struct dl_audit_entry *e);
        /* A property of the lock changed ("State", "Door", "Mode",
         * "AutoRelockSeconds", "KeypadLockedUntil", "CodeCount",
         * "ClockTrusted"). */
        void (*property_changed)(void *userdata, const char *property);
        void (*code_added)(void *userdata, int64_t id);
        void (*code_removed)(void *userdata, int64_t id);
        void (*code_changed)(void *userdata, int64_t id);
        /* The bolt stopped: locked, unlocked or jammed. */
        void (*motion_done)(void *userdata, enum dl_lock_state state);
        /* Optional (NULL: not told).  The doorbell rang. */
        void (*doorbell)(void *userdata);
        /* A key typed during `lockctl hw test keypad` (a wiring test: the
         * keys are not an entry). */
        void (*key_test)(void *userdata, char key);
};

/* Events nobody listens to: for a service run without a face (the
 * benchmarks, the service's own tests). */
extern const struct dl_service_events dl_service_events_none;

struct dl_service;

int dl_service_new(sd_event *event, const struct dl_daemon_config *config, struct dl_store *store,
                   const struct dl_service_events *events, void *userdata, struct dl_service **ret);
struct dl_service *dl_service_free(struct dl_service *s);

/* The backend's events (pass these in struct dl_hw_events). */
extern const struct dl_hw_events dl_service_hw_events;
/* Attach the backend and ask it for the current positions; after an
 * unfinished drive (the marker in the state directory), raise alarm
 * "drive-interrupted" without moving the bolt.  Never attached: no
 * hardware is configured, and Lock, Unlock, passage mode and the wiring
 * tests fail with -ENODEV, kind NoHardware. */
void dl_service_attach_hw(struct dl_service *s, struct dl_hw *hw);
/* Stop any drive now (SIGTERM): motor off before the daemon exits. */
void dl_service_stop_hw(struct dl_service *s);
bool dl_service_hw_configured(const struct dl_service *s);
/* What the hardware is ("none" everywhere without it) and each line's
 * live level (hw.h); lines returns how many there are. */
void dl_service_hw_info(struct dl_service *s, struct dl_hw_info *ret);
size_t dl_service_hw_lines(struct dl_service *s, struct dl_hw_line_status *lines, size_t max);
/* The tamper switch is open. */
bool dl_service_tamper(const struct dl_service *s);
/* Admins: "lock", "unlock" (the normal Lock/Unlock path), "buzzer", "led"
 * (a 1 s pattern), "keypad" (for 30 s the keys typed are reported through
 * key_test and are not an entry).  Audited as event hw-test.  -EINVAL for
 * another name, -ENODEV (NoHardware) when that part is not configured. */
int dl_service_hw_test(struct dl_service *s, const struct dl_caller *c, const char *what,
                       struct dl_error *err);
/* The sentence that says where to configure the hardware. */
extern const char dl_service_no_hw_hint[];

/* ---- state ---- */
enum dl_lock_state dl_service_state(const struct dl_service *s);
enum dl_door_state dl_service_door(const struct dl_service *s);
enum dl_lock_mode dl_service_mode(const struct dl_service *s);
uint32_t dl_service_relock_seconds(const struct dl_service *s);
int64_t dl_service_keypad_locked_until(struct dl_service *s);
/* When the network's lockout (SubmitPin) ends, 0 when there is none. */
int64_t dl_service_network_locked_until(struct dl_service *s);
unsigned dl_service_code_count(struct dl_service *s);
unsigned dl_service_max_codes(const struct dl_service *s);
bool dl_service_clock_trusted(struct dl_service *s);
bool dl_service_clock_synchronized(struct dl_service *s);
struct dl_store *dl_service_store(struct dl_service *s);

/* ---- operations: role checked here ---- */
int dl_service_lock(struct dl_service *s, const struct dl_caller *c, struct dl_error *err);
/* hold_usec 0 = the relock delay; else relock after that long (UnlockFor). */
int dl_service_unlock(struct dl_service *s, const struct dl_caller *c, int64_t hold_usec,
                      struct dl_error *err);
int dl_service_set_mode(struct dl_service *s, const struct dl_caller *c, const char *mode,
                        struct dl_error *err);
int dl_service_set_relock(struct dl_service *s, const struct dl_caller *c, uint32_t seconds,
                          struct dl_error *err);
int dl_service_reset_lockout(struct dl_service *s, const struct dl_caller *c, struct dl_error *err);
int dl_service_reset_clock(struct dl_service *s, const struct dl_caller *c, struct dl_error *err);

/* pin NULL or "": random of `length` digits (0 = default), returned in
 * pin_out (DL_PIN_BUFFER_SIZE) this once. */
int dl_service_add_code(struct dl_service *s, const struct dl_caller *c, const struct dl_code_spec *spec,
                        const char *pin, unsigned length, int64_t *ret_id, char *pin_out,
                        struct dl_error *err);
int dl_service_update_code(struct dl_service *s, const struct dl_caller *c, int64_t id,
                           const struct dl_code_spec *spec, struct dl_error *err);
int dl_service_remove_code(struct dl_service *s, const struct dl_caller *c, int64_t id,
                           struct dl_error *err);

/* Emergency codes (admins only). */
int dl_service_ec_generate(struct dl_service *s, const struct dl_caller *c, char code_out[DL_EC_DIGITS + 1],
                           int64_t *ret_valid_until, unsigned *ret_left, struct dl_error *err);
int dl_service_ec_add_issuer(struct dl_service *s, const struct dl_caller *c, const char *name,
                             uint32_t *ret_id, char *uri_out, struct dl_error *err);
int dl_service_ec_remove_issuer(struct dl_service *s, const struct dl_caller *c, uint32_t id,
                                struct dl_error *err);
/* Backup and restore (backup.h), admins only.  A restore that fails after
 * its commit point (-ENOTRECOVERABLE) stops the event loop: the next start
 * finishes it. */
int dl_service_backup(struct dl_service *s, const struct dl_caller *c, const char *passphrase, uint8_t **ret,
                      size_t *ret_size, struct dl_error *err);
int dl_service_restore(struct dl_service *s, const struct dl_caller *c, const uint8_t *buf, size_t size,
                       const char *passphrase, bool force, struct dl_restore_info *ret,
                       struct dl_error *err);

/* The admin check every change makes, for a face that must refuse before
 * it touches a caller's input (a file descriptor). */
int dl_service_check_admin(const struct dl_caller *c, struct dl_error *err);
unsigned dl_service_ec_codes_left(struct dl_service *s);

/* Reading codes and the log: observers and admins. */
int dl_service_check_read(const struct dl_caller *c, struct dl_error *err);

/* A PIN entered from a source (keypad, dbus, ble): decide, open or not,
 * report. */
int dl_service_entry(struct dl_service *s, const char *entry, enum dl_source source, struct dl_decision *ret,
                     struct dl_error *err);

/* A PIN from the network (remote and admin callers; source mqtt, the
 * network's own counter): the keypad's path (dl_service_entry()), then for
 * action "passage" passage mode, set by the code.  0 when it opened, with
 * the decision in ret; -EINVAL for an unknown action or a PIN that is not
 * 1-64 digits (nothing counted); kind NoHardware; kind LockedOut while the
 * network is locked out (not verified, nothing written); kind CodeRefused
 * for any refusal, with a message that does not say why (the audit log and
 * AccessDenied do).  The caller wipes pin. */
int dl_service_submit_pin(struct dl_service *s, const struct dl_caller *c, const char *pin,
                          const char *action, struct dl_decision *ret, struct dl_error *err);
/* What AccessGranted calls the code of a grant: its name, or "emergency
 * code (<issuer>)". */
void dl_service_grant_name(const struct dl_decision *d, char *buf, size_t size);

/* Run the store's upkeep now (also hourly by itself). */
int dl_service_maintain(struct dl_service *s);
