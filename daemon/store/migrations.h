/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The schema migrations of db/, embedded at build time by
 * tools/embed-sql.py.  dl_migrations[i].version == i + 1. */
#pragma once

struct dl_migration {
        int version;
        const char *name;
        const char *sql;
};

extern const struct dl_migration dl_migrations[];
extern const unsigned dl_migrations_count;
