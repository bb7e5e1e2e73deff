/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Adding, editing, listing and removing codes.  A PIN goes in once, when the
 * code is added, and comes out once, in that call's result when it was
 * generated; nothing else ever returns or logs it. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "access-rules.h"
#include "code-spec.h"
#include "store.h"

#define DL_PIN_BUFFER_SIZE (DL_PIN_LENGTH_CEILING + 1)

/* Add a code.  `pin` NULL: generate one of `generated_length` digits (0 =
 * the configured default) and write it to pin_out (DL_PIN_BUFFER_SIZE
 * bytes), the only time it is ever shown.  Errors (nothing written):
 *   -EINVAL/-EILSEQ/-ENAMETOOLONG/-ERANGE  spec or PIN breaks a rule
 *   -EEXIST  the name, or the PIN, is already used by another code
 *   -ENOSPC  the code table is full (max_codes)
 * For a one-time code spec->use_limit may be 0; it is stored as 1. */
int dl_store_add_code(struct dl_store *s, const struct dl_code_spec *spec, const char *pin,
                      unsigned generated_length, const struct dl_actor *actor, int64_t *ret_id,
                      char *pin_out, struct dl_error *err);

/* Replace the editable fields of code `id` (name, enabled, validity,
 * windows, use limit) with those of spec, under the same rules as add.
 * spec->kind and spec->duress must match the stored code (-EINVAL).
 * -ENOENT when there is no such code; -EEXIST when the name is taken. */
int dl_store_update_code(struct dl_store *s, int64_t id, const struct dl_code_spec *spec,
                         const struct dl_actor *actor, struct dl_error *err);

/* -ENOENT when there is no such code. */
int dl_store_remove_code(struct dl_store *s, int64_t id, const struct dl_actor *actor, struct dl_error *err);

int dl_store_get_code(struct dl_store *s, int64_t id, struct dl_code *ret, struct dl_error *err);

/* By decimal id or by exact name (names are never digits only). */
int dl_store_find_code(struct dl_store *s, const char *id_or_name, struct dl_code *ret,
                       struct dl_error *err);

/* Codes in id order.  The callback returns < 0 to stop (that value is
 * returned). */
typedef int (*dl_code_cb)(const struct dl_code *c, void *userdata);
int dl_store_list_codes(struct dl_store *s, dl_code_cb cb, void *userdata, struct dl_error *err);

int dl_store_count_codes(struct dl_store *s, unsigned *ret, struct dl_error *err);

/* How a code stands right now, for listings: DL_REASON_NONE when it would
 * open the door, else why not (dead codes are used-up or expired and show
 * when they will be removed). */
struct dl_code_status {
        enum dl_reason reason;
        int64_t dead_since; /* 0 = not dead */
        int64_t remove_at;  /* 0 = not scheduled */
};
int dl_store_code_status(struct dl_store *s, const struct dl_code *c, struct dl_code_status *ret,
                         struct dl_error *err);
