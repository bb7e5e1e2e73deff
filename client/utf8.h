/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>

/* One UTF-8 sequence at s (NUL-terminated): its length and code point, or -1
 * when the bytes are not valid UTF-8 (overlong, surrogate, past U+10FFFF,
 * cut short); the caller then takes one byte. */
int utf8_decode(const unsigned char *s, uint32_t *ret);
