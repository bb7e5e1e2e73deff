/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

int(dl_error_set)(struct dl_error *err, int r, const char *fmt, ...) {
        if (err) {
                va_list ap;

                err->code = r;
                err->kind = NULL;
                va_start(ap, fmt);
                vsnprintf(err->message, sizeof(err->message), fmt, ap);
                va_end(ap);
        }
        return r;
}

const char *dl_error_message(const struct dl_error *err, int r) {
        if (err && err->code != 0 && err->message[0])
                return err->message;
        return strerror(r < 0 ? -r : r);
}
