/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "bus-error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int dl_bus_error(sd_bus_error *error, int r, const struct dl_error *err) {
        const char *msg = dl_error_message(err, r);
        const char *kind = err && err->code != 0 ? err->kind : NULL;
        char name[96];

        if (kind && strcmp(kind, "AccessDenied") == 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, msg), r;
        if (kind) {
                snprintf(name, sizeof(name), DL_BUS_ERROR_PREFIX "%s", kind);
                return sd_bus_error_set(error, name, msg), r;
        }
        switch (-r) {
        case EINVAL:
        case ERANGE:
        case EILSEQ:
        case ENAMETOOLONG:
                sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, msg);
                break;
        case ENOENT:
                sd_bus_error_set(error, DL_BUS_ERROR_PREFIX "NotFound", msg);
                break;
        case EACCES:
                sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, msg);
                break;
        case EPERM:
                sd_bus_error_set(error, DL_BUS_ERROR_PREFIX "ModeForbids", msg);
                break;
        case EBUSY:
                sd_bus_error_set(error, DL_BUS_ERROR_PREFIX "Busy", msg);
                break;
        default:
                sd_bus_error_set(error, DL_BUS_ERROR_PREFIX "Failed", msg);
                break;
        }
        return r;
}
