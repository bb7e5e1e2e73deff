/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "code-spec.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[_DL_CODE_KIND_MAX] = {
        [DL_CODE_NORMAL] = "normal",
        [DL_CODE_ONE_TIME] = "one-time",
};

const char *dl_code_kind_to_string(enum dl_code_kind k) {
        if (k < 0 || k >= _DL_CODE_KIND_MAX)
                return NULL;
        return kind_names[k];
}

enum dl_code_kind dl_code_kind_from_string(const char *s) {
        for (int k = 0; s && k < _DL_CODE_KIND_MAX; k++)
                if (strcmp(s, kind_names[k]) == 0)
                        return (enum dl_code_kind)k;
        return _DL_CODE_KIND_INVALID;
}

void dl_code_spec_init(struct dl_code_spec *spec, const char *name) {
        *spec = (struct dl_code_spec){
                .kind = DL_CODE_NORMAL,
                .enabled = true,
        };
        if (name)
                (void)dl_code_spec_set_name(spec, name);
}

int dl_code_spec_set_name(struct dl_code_spec *spec, const char *name) {
        size_t n = strlen(name);

        if (n >= sizeof(spec->name))
                return -ENAMETOOLONG;
        memcpy(spec->name, name, n + 1);
        return 0;
}

int dl_code_spec_check(const struct dl_code_spec *spec, struct dl_error *err) {
        int r;

        if (!memchr(spec->name, 0, sizeof(spec->name)))
                return dl_error_kind(err, "InvalidName",
                                     dl_error_set(err, -ENAMETOOLONG,
                                                  "Code name is longer than %d characters",
                                                  DL_CODE_NAME_MAX_CHARS));
        r = dl_code_name_check(spec->name, err);
        if (r < 0)
                return dl_error_kind(err, "InvalidName", r);

        if (!dl_code_kind_to_string(spec->kind))
                return dl_error_set(err, -EINVAL, "Unknown code kind %d", (int)spec->kind);

        if (spec->valid_from < 0 || spec->valid_until < 0)
                return dl_error_set(err, -EINVAL, "Validity times must not be before 1970");
        if (spec->valid_from > 0 && spec->valid_until > 0 && spec->valid_from >= spec->valid_until)
                return dl_error_set(err, -EINVAL, "Validity period ends before it starts");

        if (spec->kind == DL_CODE_ONE_TIME && spec->use_limit != 1)
                return dl_error_set(err, -EINVAL, "A one-time code has a use limit of exactly 1");
        if (spec->use_limit > DL_USE_LIMIT_MAX)
                return dl_error_set(err, -EINVAL, "Use limit %u is above the maximum of %u", spec->use_limit,
                                    DL_USE_LIMIT_MAX);

        if (spec->n_windows > DL_WINDOWS_MAX)
                return dl_error_kind(
                        err, "InvalidSchedule",
                        dl_error_set(err, -EINVAL, "A code has at most %d weekly windows", DL_WINDOWS_MAX));
        for (size_t i = 0; i < spec->n_windows; i++) {
                r = dl_window_check(&spec->windows[i], err);
                if (r < 0)
                        return dl_error_kind(err, "InvalidSchedule", r);
        }
        return 0;
}
