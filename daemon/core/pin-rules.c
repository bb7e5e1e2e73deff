/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pin-rules.h"

#include <openssl/rand.h>
#include <stdint.h>
#include <string.h>

/* Bytes at or above this are thrown away so that b % 10 is uniform
 * (250 = 25 * 10). */
#define PIN_REJECT_THRESHOLD 250

/* A weak PIN of length 4 turns up with probability 30/10^4, so this many
 * weak draws in a row only happens when the CSPRNG is broken. */
#define PIN_GENERATE_ATTEMPTS_MAX 64

int dl_pin_policy_check(const struct dl_pin_policy *p, struct dl_error *err) {
        if (!p)
                return dl_error_set(err, -EINVAL, "No PIN length policy given");
        if (p->min_length < DL_PIN_LENGTH_FLOOR)
                return dl_error_set(err, -EINVAL, "Minimum PIN length %u is below the floor of %u",
                                    p->min_length, DL_PIN_LENGTH_FLOOR);
        if (p->max_length > DL_PIN_LENGTH_CEILING)
                return dl_error_set(err, -EINVAL, "Maximum PIN length %u is above the ceiling of %u",
                                    p->max_length, DL_PIN_LENGTH_CEILING);
        if (p->min_length > p->max_length)
                return dl_error_set(err, -EINVAL,
                                    "Minimum PIN length %u is greater than maximum PIN length %u",
                                    p->min_length, p->max_length);
        return 0;
}

bool dl_is_digits(const char *s, size_t n) {
        if (n == 0)
                return true;
        if (!s)
                return false;

        /* Not isdigit(): that depends on the locale. */
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

bool dl_pin_is_weak(const char *pin, size_t n) {
        unsigned step;

        /* No PIN at all, or one digit: nothing to guess. */
        if (n < 2)
                return true;
        if (!dl_is_digits(pin, n))
                return false;

        /* The step from one digit to the next, modulo 10: 0 for all one digit,
         * 1 for a run up, 9 for a run down (both wrap 9->0 and 0->9).  Weak
         * when every step is the same and is one of those three. */
        step = (unsigned)(pin[1] - pin[0] + 10) % 10;
        if (step != 0 && step != 1 && step != 9)
                return false;

        for (size_t i = 2; i < n; i++)
                if ((unsigned)(pin[i] - pin[i - 1] + 10) % 10 != step)
                        return false;
        return true;
}

int dl_pin_check(const struct dl_pin_policy *p, const char *pin, struct dl_error *err) {
        size_t n;
        int r;

        r = dl_pin_policy_check(p, err);
        if (r < 0)
                return r;
        if (!pin)
                return dl_error_kind(err, "InvalidPin", dl_error_set(err, -EINVAL, "No PIN given"));

        n = strlen(pin);
        if (!dl_is_digits(pin, n))
                return dl_error_kind(err, "InvalidPin",
                                     dl_error_set(err, -EINVAL, "PIN must contain digits only"));
        if (n < p->min_length || n > p->max_length)
                return dl_error_kind(err, "InvalidPin",
                                     dl_error_set(err, -ERANGE, "PIN must be %u to %u digits long",
                                                  p->min_length, p->max_length));
        if (dl_pin_is_weak(pin, n))
                return dl_error_kind(
                        err, "WeakPin",
                        dl_error_set(
                                err, -EINVAL,
                                "PIN is too easy to guess (all one digit, or a straight run up or down)"));
        return 0;
}

/* Fill out[0..length) with uniformly random digits. */
static int pin_fill_digits(char *out, unsigned length) {
        uint8_t buf[32];
        size_t have = 0, used = 0;
        unsigned i = 0;
        int r = 0;

        while (i < length) {
                uint8_t b;

                if (used == have) {
                        if (RAND_bytes(buf, (int)sizeof(buf)) != 1) {
                                r = -EIO;
                                break;
                        }
                        have = sizeof(buf);
                        used = 0;
                }

                b = buf[used++];
                if (b >= PIN_REJECT_THRESHOLD)
                        continue;
                out[i++] = (char)('0' + b % 10);
        }

        explicit_bzero(buf, sizeof(buf));
        return r;
}

int dl_pin_generate(unsigned length, char *out, size_t outsz) {
        if (length < DL_PIN_LENGTH_FLOOR || length > DL_PIN_LENGTH_CEILING)
                return -ERANGE;
        if (!out || outsz <= length)
                return -EINVAL;

        for (unsigned attempt = 0; attempt < PIN_GENERATE_ATTEMPTS_MAX; attempt++) {
                int r;

                r = pin_fill_digits(out, length);
                if (r < 0)
                        break;
                out[length] = '\0';
                if (!dl_pin_is_weak(out, length))
                        return 0;
        }

        /* Leave nothing behind that could pass for a PIN. */
        explicit_bzero(out, length + 1);
        return -EIO;
}
