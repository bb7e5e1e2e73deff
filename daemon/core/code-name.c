/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "code-name.h"

#include <stdint.h>
#include <string.h>

/* Decode the one code point at the start of s (n > 0 bytes left), strictly
 * after RFC 3629: the shortest form only, no surrogates, nothing above
 * U+10FFFF, and no NUL.  Returns the number of bytes used (1 to 4), or
 * -EILSEQ. */
static int utf8_decode(const uint8_t *s, size_t n, uint32_t *ret_cp) {
        uint32_t cp;
        uint8_t lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        int len;

        if (s[0] == 0x00)
                return -EILSEQ;
        if (s[0] < 0x80) {
                *ret_cp = s[0];
                return 1;
        }

        if (s[0] >= 0xC2 && s[0] <= 0xDF) {
                len = 2;
                cp = s[0] & 0x1F;
        } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
                len = 3;
                cp = s[0] & 0x0F;
                if (s[0] == 0xE0)
                        lo = 0xA0; /* below is overlong */
                else if (s[0] == 0xED)
                        hi = 0x9F; /* above is a surrogate, D800..DFFF */
        } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
                len = 4;
                cp = s[0] & 0x07;
                if (s[0] == 0xF0)
                        lo = 0x90; /* below is overlong */
                else if (s[0] == 0xF4)
                        hi = 0x8F; /* above is beyond U+10FFFF */
        } else
                /* 80..BF stray continuation, C0/C1 always overlong, F5..FF
                 * beyond U+10FFFF or never valid. */
                return -EILSEQ;

        if (n < (size_t)len)
                return -EILSEQ;
        if (s[1] < lo || s[1] > hi)
                return -EILSEQ;
        cp = (cp << 6) | (s[1] & 0x3F);

        for (int i = 2; i < len; i++) {
                if (s[i] < 0x80 || s[i] > 0xBF)
                        return -EILSEQ;
                cp = (cp << 6) | (s[i] & 0x3F);
        }

        *ret_cp = cp;
        return len;
}

long dl_utf8_length(const char *s, size_t n) {
        const uint8_t *p = (const uint8_t *)s;
        long count = 0;

        if (n == 0)
                return 0;
        if (!s)
                return -EINVAL;

        for (size_t i = 0; i < n;) {
                uint32_t cp;
                int r;

                r = utf8_decode(p + i, n - i, &cp);
                if (r < 0)
                        return r;
                i += (size_t)r;
                count++;
        }
        return count;
}

static bool is_control(uint32_t cp) {
        return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

/* Invisible characters that make one name look like another in a log or a
 * terminal ("Trojan Source"): zero-width space, direction marks,
 * bidirectional overrides and isolates, line and paragraph separators, the
 * byte-order mark.  The zero-width (non-)joiners U+200C/D stay allowed:
 * emoji sequences and several scripts need them. */
static bool is_invisible(uint32_t cp) {
        return cp == 0x200B || cp == 0x200E || cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) ||
               (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF || cp == 0x00AD;
}

int dl_code_name_check(const char *name, struct dl_error *err) {
        const uint8_t *p = (const uint8_t *)name;
        bool control = false, invisible = false, digits_only = true;
        uint32_t first = 0, last = 0;
        size_t n, count = 0;

        if (!name)
                return dl_error_set(err, -EINVAL, "Code name must not be empty");

        n = strlen(name);
        if (n == 0)
                return dl_error_set(err, -EINVAL, "Code name must not be empty");

        /* The name is never echoed back: it may be anything at all. */
        for (size_t i = 0; i < n;) {
                uint32_t cp;
                int r;

                r = utf8_decode(p + i, n - i, &cp);
                if (r < 0)
                        return dl_error_set(err, -EILSEQ, "Code name is not valid UTF-8");
                i += (size_t)r;

                if (count == 0)
                        first = cp;
                last = cp;
                count++;

                if (is_control(cp))
                        control = true;
                if (is_invisible(cp))
                        invisible = true;
                if (cp < '0' || cp > '9')
                        digits_only = false;
        }

        if (count > DL_CODE_NAME_MAX_CHARS)
                return dl_error_set(err, -ENAMETOOLONG, "Code name is longer than %u characters",
                                    (unsigned)DL_CODE_NAME_MAX_CHARS);
        if (control)
                return dl_error_set(err, -EINVAL, "Code name must not contain control characters");
        if (invisible)
                return dl_error_set(err, -EINVAL,
                                    "Code name must not contain invisible or text-direction characters");
        if (first == ' ' || last == ' ')
                return dl_error_set(err, -EINVAL, "Code name must not start or end with a space");
        if (digits_only)
                return dl_error_set(err, -EINVAL,
                                    "Code name must not be digits only (it would be taken for a code id)");
        return 0;
}

void dl_utf8_trim_partial(char *s) {
        size_t n = strlen(s), start, need;
        uint8_t lead;

        if (n == 0)
                return;
        /* Find the start of the last sequence (at most 3 continuation bytes
         * back). */
        start = n - 1;
        while (start > 0 && n - start < 4 && ((uint8_t)s[start] & 0xC0) == 0x80)
                start--;
        lead = (uint8_t)s[start];
        if (lead < 0x80)
                return;
        if (lead >= 0xF0)
                need = 4;
        else if (lead >= 0xE0)
                need = 3;
        else if (lead >= 0xC0)
                need = 2;
        else
                need = 1; /* stray continuation bytes: leave them to the validator */
        if (n - start < need)
                s[start] = 0;
}

void dl_utf8_copy(char *dst, size_t size, const char *src) {
        size_t n;

        if (!src) {
                dst[0] = 0;
                return;
        }
        n = strnlen(src, size - 1);
        if (src[n] != 0)
                /* Cut: never in the middle of a UTF-8 sequence. */
                while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
                        n--;
        memcpy(dst, src, n);
        dst[n] = 0;
}
