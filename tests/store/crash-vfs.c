/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The power-cut VFS shim (see crash-vfs.h). */
#include "crash-vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What a tracked file got since its last sync, in order. */
struct pending_op {
        bool truncate;        /* else a write */
        sqlite3_int64 offset; /* write: where; truncate: the new size */
        size_t len;
        unsigned char *data;
        struct pending_op *next;
};

/* One path (main database, journal or WAL) seen since arming. */
struct tracked {
        char *path;
        bool durable_exists;  /* its directory entry survives a cut */
        unsigned char *image; /* content at its last sync */
        size_t image_len, image_cap;
        struct pending_op *pending, **pending_tail;
        struct tracked *next;
};

struct crash_file {
        sqlite3_file base;
        struct tracked *t; /* NULL: not tracked */
        sqlite3_file *real;
};

static sqlite3_vfs *real_vfs;
static sqlite3_vfs shim_vfs;
static bool armed, crashed;
static uint64_t events, crash_at;
static struct tracked *tracked_files;

static void pending_free(struct tracked *t) {
        struct pending_op *o = t->pending;

        while (o) {
                struct pending_op *next = o->next;
                free(o->data);
                free(o);
                o = next;
        }
        t->pending = NULL;
        t->pending_tail = &t->pending;
}

static void tracked_free_all(void) {
        while (tracked_files) {
                struct tracked *t = tracked_files;
                tracked_files = t->next;
                pending_free(t);
                free(t->image);
                free(t->path);
                free(t);
        }
}

static void image_reserve(struct tracked *t, size_t size) {
        if (size <= t->image_cap)
                return;
        size_t cap = t->image_cap ? t->image_cap : 4096;
        while (cap < size)
                cap *= 2;
        t->image = realloc(t->image, cap);
        if (!t->image)
                abort();
        t->image_cap = cap;
}

static void image_resize(struct tracked *t, size_t size) {
        image_reserve(t, size);
        if (size > t->image_len)
                memset(t->image + t->image_len, 0, size - t->image_len);
        t->image_len = size;
}

static void image_apply(struct tracked *t, const struct pending_op *o) {
        if (o->truncate) {
                image_resize(t, (size_t)o->offset);
                return;
        }
        size_t end = (size_t)o->offset + o->len;
        if (end > t->image_len)
                image_resize(t, end);
        memcpy(t->image + o->offset, o->data, o->len);
}

static void pending_add(struct tracked *t, bool truncate, sqlite3_int64 offset, const void *data,
                        size_t len) {
        struct pending_op *o = calloc(1, sizeof(*o));

        if (!o)
                abort();
        o->truncate = truncate;
        o->offset = offset;
        o->len = len;
        if (len) {
                o->data = malloc(len);
                if (!o->data)
                        abort();
                memcpy(o->data, data, len);
        }
        *t->pending_tail = o;
        t->pending_tail = &o->next;
}

static void read_whole_file(struct tracked *t) {
        int fd = open(t->path, O_RDONLY | O_CLOEXEC);
        struct stat st;

        if (fd < 0)
                abort();
        if (fstat(fd, &st) < 0)
                abort();
        image_resize(t, (size_t)st.st_size);
        size_t done = 0;
        while (done < t->image_len) {
                ssize_t n = pread(fd, t->image + done, t->image_len - done, (off_t)done);
                if (n <= 0)
                        abort();
                done += (size_t)n;
        }
        close(fd);
}

static struct tracked *tracked_find(const char *path) {
        for (struct tracked *t = tracked_files; t; t = t->next)
                if (strcmp(t->path, path) == 0)
                        return t;
        return NULL;
}

static struct tracked *tracked_get(const char *path) {
        struct tracked *t = tracked_find(path);

        if (t) {
                /* Seen before and deleted since: whatever is created now
                 * starts empty (on top of the durable state). */
                if (access(path, F_OK) < 0)
                        pending_add(t, true, 0, NULL, 0);
                return t;
        }
        t = calloc(1, sizeof(*t));
        if (!t)
                abort();
        t->path = strdup(path);
        if (!t->path)
                abort();
        t->pending_tail = &t->pending;
        if (access(path, F_OK) == 0) {
                t->durable_exists = true;
                read_whole_file(t);
        }
        t->next = tracked_files;
        tracked_files = t;
        return t;
}

/* The power goes: every tracked file back to what its last sync left. */
static void cut_power(void) {
        crashed = true;
        for (struct tracked *t = tracked_files; t; t = t->next) {
                pending_free(t);
                if (!t->durable_exists) {
                        if (unlink(t->path) < 0 && errno != ENOENT)
                                abort();
                        continue;
                }
                int fd = open(t->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
                if (fd < 0)
                        abort();
                size_t done = 0;
                while (done < t->image_len) {
                        ssize_t n = pwrite(fd, t->image + done, t->image_len - done, (off_t)done);
                        if (n <= 0)
                                abort();
                        done += (size_t)n;
                }
                if (ftruncate(fd, (off_t)t->image_len) < 0)
                        abort();
                close(fd);
        }
}

/* Count one I/O event of a tracked file; false: the power is (now) off. */
static bool event_ok(void) {
        if (crashed)
                return false;
        events++;
        if (crash_at && events == crash_at) {
                cut_power();
                return false;
        }
        return true;
}

/* ---- io methods ---- */

#define REAL(f) (((struct crash_file *)(f))->real)
#define TRACKED(f) (((struct crash_file *)(f))->t)

static int c_close(sqlite3_file *f) {
        sqlite3_file *real = REAL(f);
        return real->pMethods ? real->pMethods->xClose(real) : SQLITE_OK;
}

static int c_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off) {
        if (crashed)
                return SQLITE_IOERR_READ;
        return REAL(f)->pMethods->xRead(REAL(f), buf, amt, off);
}

static int c_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off) {
        struct tracked *t = TRACKED(f);

        if (crashed)
                return SQLITE_IOERR_WRITE;
        if (t) {
                if (!event_ok())
                        return SQLITE_IOERR_WRITE;
                pending_add(t, false, off, buf, (size_t)amt);
        }
        return REAL(f)->pMethods->xWrite(REAL(f), buf, amt, off);
}

static int c_truncate(sqlite3_file *f, sqlite3_int64 size) {
        struct tracked *t = TRACKED(f);

        if (crashed)
                return SQLITE_IOERR_TRUNCATE;
        if (t) {
                if (!event_ok())
                        return SQLITE_IOERR_TRUNCATE;
                pending_add(t, true, size, NULL, 0);
        }
        return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int c_sync(sqlite3_file *f, int flags) {
        struct tracked *t = TRACKED(f);
        int rc;

        if (crashed)
                return SQLITE_IOERR_FSYNC;
        if (t && !event_ok())
                return SQLITE_IOERR_FSYNC;
        rc = REAL(f)->pMethods->xSync(REAL(f), flags);
        if (rc != SQLITE_OK || !t)
                return rc;
        /* The unix VFS syncs the directory at a new journal's or WAL's
         * first sync: from here on the file itself survives. */
        for (struct pending_op *o = t->pending; o; o = o->next)
                image_apply(t, o);
        pending_free(t);
        t->durable_exists = true;
        return SQLITE_OK;
}

static int c_file_size(sqlite3_file *f, sqlite3_int64 *size) {
        if (crashed)
                return SQLITE_IOERR_FSTAT;
        return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int c_lock(sqlite3_file *f, int level) {
        if (crashed)
                return SQLITE_IOERR_LOCK;
        return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int c_unlock(sqlite3_file *f, int level) {
        return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int c_check_reserved(sqlite3_file *f, int *out) {
        if (crashed)
                return SQLITE_IOERR_CHECKRESERVEDLOCK;
        return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int c_file_control(sqlite3_file *f, int op, void *arg) {
        if (crashed)
                return SQLITE_IOERR;
        return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int c_sector_size(sqlite3_file *f) {
        return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int c_device_characteristics(sqlite3_file *f) {
        return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int c_shm_map(sqlite3_file *f, int page, int size, int extend, void volatile **out) {
        if (crashed)
                return SQLITE_IOERR_SHMMAP;
        return REAL(f)->pMethods->xShmMap(REAL(f), page, size, extend, out);
}

static int c_shm_lock(sqlite3_file *f, int offset, int n, int flags) {
        if (crashed && !(flags & SQLITE_SHM_UNLOCK))
                return SQLITE_IOERR_SHMLOCK;
        return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void c_shm_barrier(sqlite3_file *f) {
        REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int c_shm_unmap(sqlite3_file *f, int delete_flag) {
        return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

/* Version 2: no xFetch/xUnfetch, so SQLite never reads through mmap and
 * every byte goes through c_read. */
static const sqlite3_io_methods crash_io = {
        .iVersion = 2,
        .xClose = c_close,
        .xRead = c_read,
        .xWrite = c_write,
        .xTruncate = c_truncate,
        .xSync = c_sync,
        .xFileSize = c_file_size,
        .xLock = c_lock,
        .xUnlock = c_unlock,
        .xCheckReservedLock = c_check_reserved,
        .xFileControl = c_file_control,
        .xSectorSize = c_sector_size,
        .xDeviceCharacteristics = c_device_characteristics,
        .xShmMap = c_shm_map,
        .xShmLock = c_shm_lock,
        .xShmBarrier = c_shm_barrier,
        .xShmUnmap = c_shm_unmap,
};

/* ---- vfs methods ---- */

static int v_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *out_flags) {
        struct crash_file *p = (struct crash_file *)file;
        int rc;

        (void)vfs;
        p->base.pMethods = NULL;
        p->real = (sqlite3_file *)(p + 1);
        p->real->pMethods = NULL;
        p->t = NULL;
        if (crashed)
                return SQLITE_CANTOPEN;
        if (armed && name &&
            (flags &
             (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_WAL | SQLITE_OPEN_SUPER_JOURNAL)))
                p->t = tracked_get(name);
        rc = real_vfs->xOpen(real_vfs, name, p->real, flags, out_flags);
        if (rc != SQLITE_OK) {
                /* The unix VFS may leave pMethods set on failure; it has
                 * closed the file itself. */
                p->real->pMethods = NULL;
                return rc;
        }
        p->base.pMethods = &crash_io;
        return SQLITE_OK;
}

static int v_delete(sqlite3_vfs *vfs, const char *name, int sync_dir) {
        struct tracked *t = armed ? tracked_find(name) : NULL;

        (void)vfs;
        if (crashed)
                return SQLITE_IOERR_DELETE;
        if (t) {
                if (!event_ok())
                        return SQLITE_IOERR_DELETE;
                /* Unsynced writes go with the file; without a directory
                 * sync, the last synced version would come back. */
                pending_free(t);
                if (sync_dir) {
                        t->durable_exists = false;
                        t->image_len = 0;
                }
        }
        return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
        (void)vfs;
        if (crashed)
                return SQLITE_IOERR_ACCESS;
        return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int v_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out) {
        (void)vfs;
        return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *v_dlopen(sqlite3_vfs *vfs, const char *name) {
        (void)vfs;
        return real_vfs->xDlOpen(real_vfs, name);
}

static void v_dlerror(sqlite3_vfs *vfs, int n, char *out) {
        (void)vfs;
        real_vfs->xDlError(real_vfs, n, out);
}

static void (*v_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void) {
        (void)vfs;
        return real_vfs->xDlSym(real_vfs, h, sym);
}

static void v_dlclose(sqlite3_vfs *vfs, void *h) {
        (void)vfs;
        real_vfs->xDlClose(real_vfs, h);
}

static int v_randomness(sqlite3_vfs *vfs, int n, char *out) {
        (void)vfs;
        return real_vfs->xRandomness(real_vfs, n, out);
}

static int v_sleep(sqlite3_vfs *vfs, int usec) {
        (void)vfs;
        return real_vfs->xSleep(real_vfs, usec);
}

static int v_current_time(sqlite3_vfs *vfs, double *out) {
        (void)vfs;
        return real_vfs->xCurrentTime(real_vfs, out);
}

static int v_get_last_error(sqlite3_vfs *vfs, int n, char *out) {
        (void)vfs;
        return real_vfs->xGetLastError(real_vfs, n, out);
}

static int v_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out) {
        (void)vfs;
        return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

int crash_vfs_install(void) {
        if (!real_vfs) {
                real_vfs = sqlite3_vfs_find(NULL);
                if (!real_vfs || real_vfs->iVersion < 2)
                        return -EIO;
                shim_vfs = (sqlite3_vfs){
                        .iVersion = 2,
                        .szOsFile = (int)sizeof(struct crash_file) + real_vfs->szOsFile,
                        .mxPathname = real_vfs->mxPathname,
                        .zName = "doorlockd-crash",
                        .xOpen = v_open,
                        .xDelete = v_delete,
                        .xAccess = v_access,
                        .xFullPathname = v_full_pathname,
                        .xDlOpen = v_dlopen,
                        .xDlError = v_dlerror,
                        .xDlSym = v_dlsym,
                        .xDlClose = v_dlclose,
                        .xRandomness = v_randomness,
                        .xSleep = v_sleep,
                        .xCurrentTime = v_current_time,
                        .xGetLastError = v_get_last_error,
                        .xCurrentTimeInt64 = v_current_time_int64,
                };
        }
        return sqlite3_vfs_register(&shim_vfs, 1) == SQLITE_OK ? 0 : -EIO;
}

void crash_vfs_uninstall(void) {
        if (real_vfs)
                sqlite3_vfs_register(real_vfs, 1);
}

void crash_vfs_arm(uint64_t at) {
        tracked_free_all();
        armed = true;
        crashed = false;
        events = 0;
        crash_at = at;
}

void crash_vfs_disarm(void) {
        tracked_free_all();
        armed = false;
        crashed = false;
        events = 0;
        crash_at = 0;
}

bool crash_vfs_crashed(void) {
        return crashed;
}

uint64_t crash_vfs_events(void) {
        return events;
}
