/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers every doorlockd file may use: cleanup attributes and
 * array sizes.  The public libsystemd has none of systemd's own macros, so
 * the few we need live here, once. */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _warn_unused_result_ __attribute__((warn_unused_result))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define USEC_PER_SEC ((int64_t)1000000)
#define USEC_PER_MINUTE (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MINUTE)
#define USEC_PER_DAY (24 * USEC_PER_HOUR)

static inline void freep(void *p) {
        free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
#define _cleanup_close_ _cleanup_(closep)

/* Take a pointer out of a cleanup variable so it is not freed. */
#define TAKE_PTR(p)                                                                                         \
        ({                                                                                                  \
                __typeof__(p) _tp = (p);                                                                    \
                (p) = NULL;                                                                                 \
                _tp;                                                                                        \
        })
#define TAKE_FD(fd)                                                                                         \
        ({                                                                                                  \
                int _tf = (fd);                                                                             \
                (fd) = -1;                                                                                  \
                _tf;                                                                                        \
        })

/* Wipe memory that held a secret (a PIN, a key) before it is released. */
static inline void secure_zero(void *p, size_t n) {
        explicit_bzero(p, n);
}
