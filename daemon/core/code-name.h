/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Rules for a code's name: what lockctl and the log show instead of a PIN. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define DL_CODE_NAME_MAX_CHARS 32
/* 32 code points of at most 4 bytes each, plus NUL. */
#define DL_CODE_NAME_MAX_BYTES (DL_CODE_NAME_MAX_CHARS * 4 + 1)

/* Number of code points in a valid UTF-8 string of n bytes, or -EILSEQ when
 * the bytes are not valid UTF-8 (overlong forms, surrogates, code points
 * above U+10FFFF, truncated sequences, stray continuation bytes, NUL).
 * -EINVAL when s is NULL and n > 0; 0 for n == 0. */
long dl_utf8_length(const char *s, size_t n);

/* Cut off an incomplete UTF-8 sequence at the end of s (left by a byte-count
 * truncation such as snprintf's), in place. */
void dl_utf8_trim_partial(char *s);

/* Copy src (NULL: "") into dst of size bytes, cut if needed, never in the
 * middle of a UTF-8 sequence; dst is always terminated. */
void dl_utf8_copy(char *dst, size_t size, const char *src);

/* A name is 1 to 32 code points of valid UTF-8, has no control characters
 * (C0, DEL, C1), no invisible or text-direction characters (zero-width
 * space and marks U+200B/200E/200F, U+2060-2069, bidi overrides U+202A-202E, separators
 * U+2028/2029, soft hyphen, BOM), no leading or trailing space (U+0020), and is not made of
 * ASCII digits only (so lockctl can take an id or a name).  The name is never
 * part of the message.  When several rules are broken, the first in the list
 * below wins (empty, UTF-8, length, controls, spaces, digits).
 *   -EINVAL  empty, digits only, control characters, edge spaces, NULL
 *   -EILSEQ  not valid UTF-8
 *   -ENAMETOOLONG  more than 32 code points */
int dl_code_name_check(const char *name, struct dl_error *err);
