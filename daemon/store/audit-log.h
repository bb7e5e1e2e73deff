/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading, checking and writing the tamper-evident audit log. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit-chain.h"
#include "store.h"

/* Entries with seq > after_seq, oldest first, at most `limit` (0 = all).
 * The callback returns < 0 to stop. */
typedef int (*dl_audit_cb)(const struct dl_audit_entry *e, void *userdata);
int dl_store_audit_list(struct dl_store *s, int64_t after_seq, unsigned limit, dl_audit_cb cb,
                        void *userdata, struct dl_error *err);

/* Oldest and newest seq kept (first > last when empty). */
int dl_store_audit_range(struct dl_store *s, int64_t *first, int64_t *last, struct dl_error *err);

struct dl_audit_report {
        bool ok;
        int64_t entries;   /* entries checked */
        int64_t first_bad; /* seq of the first broken link, 0 when ok */
        char problem[160]; /* what is wrong, "" when ok */
};

/* Check the whole kept chain, the anchor and the head.  Returns 0 and fills
 * the report whether or not the chain is whole; < 0 only when the check
 * itself could not run. */
int dl_store_audit_verify(struct dl_store *s, struct dl_audit_report *ret, struct dl_error *err);

/* Append an entry on its own (alarms and events from the lock controller).
 * details: free text, never a PIN. */
int dl_store_log_event(struct dl_store *s, const char *event, const struct dl_actor *actor, int64_t code_id,
                       const char *code_name, const char *details, struct dl_error *err);

/* One entry of dl_store_log_batch(). */
struct dl_log_item {
        const char *event;
        enum dl_source source;
        int64_t code_id;       /* 0 = none */
        const char *code_name; /* NULL = none */
        const char *details;   /* free text, never a PIN */
};

/* Append informational entries (the bolt's operations, the door, a lockout
 * ending) in one transaction committed with synchronous=NORMAL: a power cut
 * may lose the last of them, never a decision (code-store.md, Durability). */
int dl_store_log_batch(struct dl_store *s, const struct dl_log_item *items, size_t n, struct dl_error *err);
