/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lockctl's time, duration, day and hour parsing (cli/parse-time.h): the
 * input, as a string, through every parser, and whatever parses through
 * the matching formatter and back.  Local time is Europe/Berlin, so the
 * DST gap and overlap are reachable. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz-util.h"
#include "parse-time.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void)argc, (void)argv;
        setenv("TZ", "Europe/Berlin", 1);
        tzset();
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char buf[DL_FORMAT_TIME_MAX], *s;
        int64_t t, d;
        uint8_t mask, mask2;
        uint16_t start, end, start2, end2;

        if (size > 256)
                return 0;
        /* An exactly sized copy: ASan catches any read past the NUL. */
        s = malloc(size + 1);
        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = '\0';

        if (dl_parse_time(s, FUZZ_EPOCH_USEC, &t) == 0)
                (void)dl_format_time(t, buf, sizeof(buf));

        if (dl_parse_duration(s, &d) == 0 && (d <= 0 || d > 366 * USEC_PER_DAY))
                abort();

        if (dl_parse_days(s, &mask) == 0) {
                if (mask == 0 || mask > 0x7f)
                        abort();
                /* What lockctl prints must read back as the same days. */
                if (dl_parse_days(dl_format_days(mask, buf, sizeof(buf)), &mask2) != 0 || mask2 != mask)
                        abort();
        }

        if (dl_parse_hours(s, &start, &end) == 0) {
                if (start >= 24 * 60 || end == 0 || end > 24 * 60 || start == end)
                        abort();
                if (dl_parse_hours(dl_format_hours(start, end, buf, sizeof(buf)), &start2, &end2) != 0 ||
                    start2 != start || end2 != end)
                        abort();
        }
        free(s);
        return 0;
}
