/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Decoding UTF-8 one sequence at a time, for the clients' output (lockctl's
 * terminal text, the JSON that lockctl and doorlockd-mqtt write). */
#include "utf8.h"

/* One UTF-8 sequence at s: its length and code point, or -1 when the bytes
 * are not valid UTF-8 (then the caller takes one byte). */
int utf8_decode(const unsigned char *s, uint32_t *ret) {
        uint32_t cp, min;
        int len;

        if (s[0] < 0x80) {
                *ret = s[0];
                return 1;
        }
        if ((s[0] & 0xe0) == 0xc0) {
                len = 2;
                cp = s[0] & 0x1f;
                min = 0x80;
        } else if ((s[0] & 0xf0) == 0xe0) {
                len = 3;
                cp = s[0] & 0x0f;
                min = 0x800;
        } else if ((s[0] & 0xf8) == 0xf0) {
                len = 4;
                cp = s[0] & 0x07;
                min = 0x10000;
        } else
                return -1;

        for (int i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
                        return -1;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return -1;
        *ret = cp;
        return len;
}
