/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a code is, apart from its PIN: the fields an owner sets, the fields
 * the lock keeps, and the validation shared by "add" and "edit". */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "code-name.h"
#include "error.h"
#include "schedule.h"

#define DL_MAX_CODES_CEILING 200
#define DL_USE_LIMIT_MAX 1000000u

enum dl_code_kind {
        DL_CODE_NORMAL,
        DL_CODE_ONE_TIME,
        _DL_CODE_KIND_MAX,
        _DL_CODE_KIND_INVALID = -1,
};

/* The fields an owner chooses.  Times are µs since the epoch, 0 = none. */
struct dl_code_spec {
        char name[DL_CODE_NAME_MAX_BYTES];
        enum dl_code_kind kind;
        bool enabled;
        bool duress;
        int64_t valid_from;  /* inclusive */
        int64_t valid_until; /* exclusive */
        uint32_t use_limit;  /* 0 = unlimited; one-time codes: 1 */
        size_t n_windows;
        struct dl_window windows[DL_WINDOWS_MAX];
};

/* A stored code: the spec plus what the lock keeps.  No PIN, ever. */
struct dl_code {
        int64_t id;
        struct dl_code_spec spec;
        int64_t created;
        uint32_t use_count;
        int64_t last_used; /* 0 = never */
};

const char *dl_code_kind_to_string(enum dl_code_kind k);
enum dl_code_kind dl_code_kind_from_string(const char *s);

/* A spec with defaults: normal, enabled, no limits, no windows. */
void dl_code_spec_init(struct dl_code_spec *spec, const char *name);

/* Set `name` into spec (copied); -ENAMETOOLONG if it cannot fit at all. */
int dl_code_spec_set_name(struct dl_code_spec *spec, const char *name);

/* The same rules for a new code and for an edit (-EINVAL, -EILSEQ,
 * -ENAMETOOLONG with a message):
 *   name rules (code-name.h); kind known; valid_from < valid_until when both
 *   set, neither negative; one-time codes have use_limit 1; use_limit at
 *   most DL_USE_LIMIT_MAX; at most DL_WINDOWS_MAX windows, each valid. */
int dl_code_spec_check(const struct dl_code_spec *spec, struct dl_error *err);
