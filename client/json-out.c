/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writing JSON to a stdio stream: lockctl --json and doorlockd-mqtt's
 * payloads (into open_memstream()) come out of the same code, so the field
 * names and escapes are the same. */
#include <inttypes.h>

#include "json-out.h"
#include "utf8.h"

void json_string(FILE *f, const char *s) {
        const unsigned char *p = (const unsigned char *)(s ? s : "");

        fputc('"', f);
        while (*p) {
                uint32_t cp;
                int len = utf8_decode(p, &cp);

                if (len < 0) {
                        /* D-Bus strings are valid UTF-8; should one not
                         * be, JSON still must. */
                        fputs("\\ufffd", f);
                        p++;
                        continue;
                }
                switch (cp) {
                case '"':
                        fputs("\\\"", f);
                        break;
                case '\\':
                        fputs("\\\\", f);
                        break;
                case '\b':
                        fputs("\\b", f);
                        break;
                case '\f':
                        fputs("\\f", f);
                        break;
                case '\n':
                        fputs("\\n", f);
                        break;
                case '\r':
                        fputs("\\r", f);
                        break;
                case '\t':
                        fputs("\\t", f);
                        break;
                default:
                        /* Controls, DEL, and the two separators that
                         * JavaScript takes for line ends. */
                        if (cp < 0x20 || cp == 0x7f || cp == 0x2028 || cp == 0x2029)
                                fprintf(f, "\\u%04x", (unsigned)cp);
                        else
                                fwrite(p, 1, (size_t)len, f);
                }
                p += len;
        }
        fputc('"', f);
}

void json_begin(struct json *j, FILE *f) {
        j->f = f;
        j->first = true;
        fputc('{', f);
}

void json_end(struct json *j) {
        fputc('}', j->f);
}

void json_key(struct json *j, const char *key) {
        if (!j->first)
                fputc(',', j->f);
        j->first = false;
        json_string(j->f, key);
        fputc(':', j->f);
}

void json_kv_string(struct json *j, const char *key, const char *s) {
        json_key(j, key);
        json_string(j->f, s);
}

void json_kv_unsigned(struct json *j, const char *key, uint64_t u) {
        json_key(j, key);
        fprintf(j->f, "%" PRIu64, u);
}

void json_kv_bool(struct json *j, const char *key, bool b) {
        json_key(j, key);
        fputs(b ? "true" : "false", j->f);
}

void json_schedule(FILE *f, const struct dl_window *w, size_t n) {
        fputc('[', f);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%s{\"days\":%u,\"start\":%u,\"end\":%u}", i > 0 ? "," : "", (unsigned)w[i].days,
                        (unsigned)w[i].start, (unsigned)w[i].end);
        fputc(']', f);
}
