/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A config file's man page against its parser: see man-config-keys.h. */
#include "man-config-keys.h"

#include "macro.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *man_read_source_file(const char *relative) {
        const char *root = getenv("SOURCE_ROOT");
        char *path = NULL, *text = NULL;
        size_t size = 0;
        FILE *in, *out;
        char buf[4096];
        size_t n;

        if (!root || !*root)
                fail_msg("SOURCE_ROOT is not set");
        if (asprintf(&path, "%s/%s", root, relative) < 0)
                abort();
        in = fopen(path, "re");
        if (!in)
                fail_msg("cannot open %s: %m", path);
        out = open_memstream(&text, &size);
        assert_non_null(out);
        while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
                assert_int_equal(fwrite(buf, 1, n, out), n);
        assert_int_equal(ferror(in), 0);
        fclose(in);
        assert_int_equal(fclose(out), 0);
        free(path);
        return text;
}

/* Where the line after the one at s starts (or the final NUL). */
static const char *next_line(const char *s) {
        const char *nl = strchr(s, '\n');

        return nl ? nl + 1 : s + strlen(s);
}

static size_t count_keys(const struct man_config_check *m) {
        size_t n = 0;

        while (m->key(n, NULL, NULL))
                n++;
        return n;
}

/* The section of the man page for [section]: [*ret_begin, *ret_end), from
 * its heading to the next heading.  false when there is no such heading. */
static bool man_section(const char *page, const char *section, const char **ret_begin,
                        const char **ret_end) {
        char heading[128];
        const char *s, *p;

        snprintf(heading, sizeof(heading), "# [%s] SECTION\n", section);
        for (s = page; *s; s = next_line(s))
                if (strncmp(s, heading, strlen(heading)) == 0)
                        break;
        if (!*s)
                return false;
        for (p = next_line(s); *p && p[0] != '#'; p = next_line(p))
                ;
        *ret_begin = s;
        *ret_end = p;
        return true;
}

/* The entry "*Key=*" of key in [begin, end), or NULL. */
static const char *man_entry(const char *begin, const char *end, const char *key) {
        size_t len = strlen(key);

        for (const char *s = begin; s < end; s = next_line(s))
                if (s[0] == '*' && strncmp(s + 1, key, len) == 0 && strncmp(s + 1 + len, "=*", 2) == 0)
                        return s;
        return NULL;
}

/* The number of parser keys not documented in page, each reported when
 * report is set. */
static size_t undocumented_keys(const struct man_config_check *m, const char *page, bool report) {
        const char *section, *name, *begin = NULL, *end = NULL;
        size_t missing = 0;

        for (size_t i = 0; m->key(i, &section, &name); i++) {
                if (!man_section(page, section, &begin, &end)) {
                        if (report)
                                print_message("# %s: no section \"# [%s] SECTION\" for %s=\n", m->man_page,
                                              section, name);
                        missing++;
                } else if (!man_entry(begin, end, name)) {
                        if (report)
                                print_message("# %s: no entry \"*%s=*\" in section [%s]\n", m->man_page,
                                              name, section);
                        missing++;
                }
        }
        return missing;
}

static bool parser_knows(const struct man_config_check *m, const char *section, const char *key,
                         size_t key_len) {
        const char *s, *n;

        for (size_t i = 0; m->key(i, &s, &n); i++)
                if (strcmp(s, section) == 0 && strlen(n) == key_len && strncmp(n, key, key_len) == 0)
                        return true;
        return false;
}

static bool parser_has_section(const struct man_config_check *m, const char *section) {
        const char *s;

        for (size_t i = 0; m->key(i, &s, NULL); i++)
                if (strcmp(s, section) == 0)
                        return true;
        return false;
}

void test_every_parser_key_documented(void **state) {
        const struct man_config_check *m = *state;
        _cleanup_free_ char *page = man_read_source_file(m->man_page);

        assert_true(count_keys(m) >= m->min_keys);
        assert_int_equal(undocumented_keys(m, page, true), 0);
}

/* The check itself: a page with one key's entry taken out fails. */
void test_missing_key_is_noticed(void **state) {
        const struct man_config_check *m = *state;
        _cleanup_free_ char *page = man_read_source_file(m->man_page);
        const char *section, *name, *begin = NULL, *end = NULL, *entry;

        for (size_t i = 0; m->key(i, &section, &name); i++) {
                _cleanup_free_ char *copy = strdup(page);

                assert_non_null(copy);
                assert_true(man_section(copy, section, &begin, &end));
                entry = man_entry(begin, end, name);
                assert_non_null(entry);
                /* "*Key=*" becomes "*_ey=*": no longer the key. */
                copy[entry - copy + 1] = '_';
                assert_int_equal(undocumented_keys(m, copy, false), 1);
        }
}

/* No documented key that the parser does not know (stale docs), and no
 * "# [Section] SECTION" that is no section of the parser's. */
void test_every_documented_key_parsed(void **state) {
        const struct man_config_check *m = *state;
        _cleanup_free_ char *page = man_read_source_file(m->man_page);
        char section[64] = "";
        size_t documented = 0;

        for (const char *s = page; *s; s = next_line(s)) {
                if (s[0] == '#') {
                        section[0] = '\0';
                        if (strncmp(s, "# [", 3) == 0) {
                                const char *close = strchr(s, ']');

                                assert_non_null(close);
                                assert_true((size_t)(close - s - 3) < sizeof(section));
                                memcpy(section, s + 3, (size_t)(close - s - 3));
                                section[close - s - 3] = '\0';
                                if (!parser_has_section(m, section))
                                        fail_msg("%s documents section [%s], which the parser does not know",
                                                 m->man_page, section);
                        }
                        continue;
                }
                if (s[0] == '*' && section[0]) {
                        const char *eq = strstr(s, "=*");
                        const char *nl = next_line(s);

                        if (!eq || eq > nl)
                                continue;
                        if (!parser_knows(m, section, s + 1, (size_t)(eq - s - 1)))
                                fail_msg("%s documents [%s] %.*s=, which the parser does not know",
                                         m->man_page, section, (int)(eq - s - 1), s + 1);
                        documented++;
                }
        }
        assert_int_equal(documented, count_keys(m));
}

/* "#Key=value" in section [section] of the shipped file: the value, or NULL. */
static char *shipped_default(const char *shipped, const char *section, const char *key) {
        char header[128];
        bool in = false;
        size_t len = strlen(key);

        snprintf(header, sizeof(header), "[%s]", section);
        for (const char *s = shipped; *s; s = next_line(s)) {
                const char *nl = strchr(s, '\n');
                size_t n = nl ? (size_t)(nl - s) : strlen(s);

                if (s[0] == '[')
                        in = n == strlen(header) && strncmp(s, header, n) == 0;
                else if (in && s[0] == '#' && strncmp(s + 1, key, len) == 0 && s[1 + len] == '=')
                        return strndup(s + 2 + len, n - 2 - len);
        }
        return NULL;
}

/* Every key is in the shipped file, and the man page's "Default: X." is
 * the value shown there (keys empty by default say no "Default:"). */
void test_documented_defaults(void **state) {
        const struct man_config_check *m = *state;
        _cleanup_free_ char *page = man_read_source_file(m->man_page);
        _cleanup_free_ char *shipped = man_read_source_file(m->shipped_config);
        const char *section, *name, *begin = NULL, *end = NULL;

        for (size_t i = 0; m->key(i, &section, &name); i++) {
                _cleanup_free_ char *value = shipped_default(shipped, section, name);
                const char *entry, *text_end, *d;

                if (!value)
                        fail_msg("%s has no \"#%s=\" in [%s]", m->shipped_config, name, section);
                assert_true(man_section(page, section, &begin, &end));
                entry = man_entry(begin, end, name);
                assert_non_null(entry);
                /* The entry's text: its indented lines. */
                for (text_end = next_line(entry); text_end < end && text_end[0] == '\t';
                     text_end = next_line(text_end))
                        ;
                d = strstr(entry, "Default:");
                if (d && d >= text_end)
                        d = NULL;
                if (!*value) {
                        if (d)
                                fail_msg("[%s] %s= is empty by default, but %s says \"%.20s\"", section,
                                         name, m->man_page, d);
                        continue;
                }
                if (!d)
                        fail_msg("%s: [%s] %s= says no \"Default:\" (the shipped file has %s)", m->man_page,
                                 section, name, value);
                d += strlen("Default:");
                while (*d == ' ' || *d == '\t' || *d == '\n')
                        d++;
                if (strncmp(d, value, strlen(value)) != 0 || d[strlen(value)] != '.')
                        fail_msg("%s: [%s] %s= default \"%.*s\", the shipped file has \"%s\"", m->man_page,
                                 section, name, (int)strcspn(d, ". \t\n"), d, value);
        }
}

/* The other way round: every "#Key=" line of the shipped file, in its
 * "[Section]", is a key the parser knows (no stale key left in the file
 * an owner uncomments). */
void test_shipped_keys_parsed(void **state) {
        const struct man_config_check *m = *state;
        _cleanup_free_ char *shipped = man_read_source_file(m->shipped_config);
        char section[64] = "";
        size_t shown = 0;

        for (const char *s = shipped; *s; s = next_line(s)) {
                const char *nl = strchr(s, '\n');
                size_t n = nl ? (size_t)(nl - s) : strlen(s), k;

                if (s[0] == '[') {
                        const char *close = memchr(s, ']', n);

                        assert_non_null(close);
                        assert_true((size_t)(close - s - 1) < sizeof(section));
                        memcpy(section, s + 1, (size_t)(close - s - 1));
                        section[close - s - 1] = '\0';
                        continue;
                }
                if (s[0] != '#' || !section[0])
                        continue;
                /* "#Key=": a key name right after the '#', then '='. */
                k = strspn(s + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
                if (k == 0 || k + 1 >= n || s[1 + k] != '=')
                        continue;
                if (!parser_knows(m, section, s + 1, k))
                        fail_msg("%s shows [%s] %.*s=, which the parser does not know", m->shipped_config,
                                 section, (int)k, s + 1);
                shown++;
        }
        assert_int_equal(shown, count_keys(m));
}
