/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A human-readable message to go with a negative errno.
 *
 * Functions that can fail for a reason a user must understand (a bad name, a
 * full code table, a corrupt database) take an optional `struct dl_error *`
 * and fill it in.  The errno stays the machine-readable result; the message
 * is for logs, D-Bus error texts and lockctl.  A message never holds a PIN. */
#pragma once

#include "macro.h"

#define DL_ERROR_MAX 256

struct dl_error {
        int code;         /* negative errno, 0 when unset */
        const char *kind; /* stable class of failure ("WeakPin", "CodeLimit"), NULL = see code */
        char message[DL_ERROR_MAX];
};

/* Name the class of a failure that an errno cannot tell apart (a weak PIN
 * and a bad name are both -EINVAL); the D-Bus face turns it into
 * org.doorlockd.Error.<kind>.  Returns r. */
static inline int dl_error_kind(struct dl_error *err, const char *kind, int r) {
        if (err)
                err->kind = kind;
        return r;
}

/* Fill in `err` (may be NULL) and return `r`, which must be negative. */
int dl_error_set(struct dl_error *err, int r, const char *fmt, ...) _printf_(3, 4);

#ifdef __clang_analyzer__
/* Let the static analyzer see that the result is `r`: it does not follow
 * the call into error.c, and would otherwise suspect every caller's
 * "return dl_error_set(...)" of returning garbage. */
#define dl_error_set(err, r, ...) (dl_error_set((err), (r), __VA_ARGS__), (r))
#endif

/* The message, or strerror(-r) when none was set. */
const char *dl_error_message(const struct dl_error *err, int r);
