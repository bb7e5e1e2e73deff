/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a PIN may look like, and how a random one is made.  Pure logic, apart
 * from the CSPRNG used by dl_pin_generate(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* Bounds on configured PIN lengths.  The floor can be lowered to 4 by
 * configuration, never below; the default is 6 to 10. */
#define DL_PIN_LENGTH_FLOOR 4
#define DL_PIN_LENGTH_CEILING 12
#define DL_PIN_MIN_LENGTH_DEFAULT 6
#define DL_PIN_MAX_LENGTH_DEFAULT 10
#define DL_PIN_GENERATED_LENGTH_DEFAULT 6

struct dl_pin_policy {
        unsigned min_length;
        unsigned max_length;
};

/* -EINVAL with a message when the bounds themselves are out of range. */
int dl_pin_policy_check(const struct dl_pin_policy *p, struct dl_error *err);

/* True when every one of the n characters is an ASCII digit (n may be 0). */
bool dl_is_digits(const char *s, size_t n);

/* All one digit (000000, 777777) or a straight run up or down by one,
 * wrapping 9->0 and 0->9 (123456, 987654, 890123).  Fewer than two digits
 * count as weak; a string that is not all digits does not (dl_pin_check()
 * refuses it for that reason instead). */
bool dl_pin_is_weak(const char *pin, size_t n);

/* Accept or refuse a PIN for a new code.  Errors (the PIN itself is never
 * part of the message), checked in this order:
 *   -EINVAL  policy out of range (see dl_pin_policy_check()), or pin NULL
 *   -EINVAL  not digits only
 *   -ERANGE  length outside [min_length, max_length] (an empty PIN too)
 * err->kind names the class for the D-Bus face: "WeakPin" or "InvalidPin".
 *   -EINVAL  weak (all one digit, straight run) */
int dl_pin_check(const struct dl_pin_policy *p, const char *pin, struct dl_error *err);

/* Write `length` random digits and a NUL into out (outsz > length) from
 * OpenSSL's CSPRNG with rejection sampling (no modulo bias); never returns a
 * weak PIN.  -ERANGE for a length outside the floor/ceiling, -EINVAL when out is
 * NULL or outsz <= length (out untouched), -EIO when the CSPRNG fails or
 * keeps producing weak PINs (out is then wiped).  The caller wipes `out` when
 * done. */
int dl_pin_generate(unsigned length, char *out, size_t outsz);
