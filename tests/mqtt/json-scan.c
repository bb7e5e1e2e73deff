/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The MQTT tests' JSON reader (json-scan.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-scan.h"

#define DEPTH_MAX 16

struct scan {
        const char *p;
        struct json_doc *doc;
        int depth;
};

static void skip_ws(struct scan *s) {
        while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')
                s->p++;
}

static int add(struct scan *s, const char *path, char type, char *value) {
        struct json_item *v = realloc(s->doc->items, (s->doc->n + 1) * sizeof(*v));
        char *p = strdup(path);

        if (!v || !p) {
                free(p);
                free(value);
                if (v)
                        s->doc->items = v;
                return -ENOMEM;
        }
        s->doc->items = v;
        v[s->doc->n++] = (struct json_item){ .path = p, .type = type, .value = value };
        return 0;
}

static int hex(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* At the opening quote; the decoded string to *ret. */
static int string(struct scan *s, char **ret) {
        size_t cap = 16, n = 0;
        char *b = malloc(cap);

        if (!b)
                return -ENOMEM;
        s->p++;
        for (;;) {
                unsigned char c = (unsigned char)*s->p;
                char out[8];
                size_t k = 1;

                if (c == '"')
                        break;
                if (c < 0x20) { /* controls and the end of the text */
                        free(b);
                        return -EINVAL;
                }
                out[0] = (char)c;
                if (c == '\\') {
                        s->p++;
                        switch (*s->p) {
                        case '"':
                        case '\\':
                        case '/':
                                out[0] = *s->p;
                                break;
                        case 'b':
                                out[0] = '\b';
                                break;
                        case 'f':
                                out[0] = '\f';
                                break;
                        case 'n':
                                out[0] = '\n';
                                break;
                        case 'r':
                                out[0] = '\r';
                                break;
                        case 't':
                                out[0] = '\t';
                                break;
                        case 'u': {
                                int v = 0;
                                for (int i = 1; i <= 4; i++) {
                                        int h = hex(s->p[i]);
                                        if (h < 0) {
                                                free(b);
                                                return -EINVAL;
                                        }
                                        v = v * 16 + h;
                                }
                                if (v < 0x80)
                                        out[0] = (char)v;
                                else {
                                        memcpy(out, s->p - 1, 6);
                                        k = 6;
                                }
                                s->p += 4;
                                break;
                        }
                        default:
                                free(b);
                                return -EINVAL;
                        }
                }
                if (n + k + 1 > cap) {
                        char *nb = realloc(b, cap * 2 + k);
                        if (!nb) {
                                free(b);
                                return -ENOMEM;
                        }
                        b = nb;
                        cap = cap * 2 + k;
                }
                memcpy(b + n, out, k);
                n += k;
                s->p++;
        }
        s->p++;
        b[n] = '\0';
        *ret = b;
        return 0;
}

static bool digit(char c) {
        return c >= '0' && c <= '9';
}

static int number(struct scan *s, char **ret) {
        const char *start = s->p;

        if (*s->p == '-')
                s->p++;
        if (*s->p == '0')
                s->p++;
        else if (digit(*s->p))
                while (digit(*s->p))
                        s->p++;
        else
                return -EINVAL;
        if (*s->p == '.') {
                s->p++;
                if (!digit(*s->p))
                        return -EINVAL;
                while (digit(*s->p))
                        s->p++;
        }
        if (*s->p == 'e' || *s->p == 'E') {
                s->p++;
                if (*s->p == '+' || *s->p == '-')
                        s->p++;
                if (!digit(*s->p))
                        return -EINVAL;
                while (digit(*s->p))
                        s->p++;
        }
        *ret = strndup(start, (size_t)(s->p - start));
        return *ret ? 0 : -ENOMEM;
}

static int value(struct scan *s, const char *path);

static int object(struct scan *s, const char *path) {
        int r;

        s->p++;
        skip_ws(s);
        if (*s->p == '}') {
                s->p++;
                return 0;
        }
        for (;;) {
                char *key, *sub;

                skip_ws(s);
                if (*s->p != '"')
                        return -EINVAL;
                r = string(s, &key);
                if (r < 0)
                        return r;
                if (asprintf(&sub, "%s%s%s", path, *path ? "." : "", key) < 0) {
                        free(key);
                        return -ENOMEM;
                }
                free(key);
                skip_ws(s);
                if (*s->p != ':') {
                        free(sub);
                        return -EINVAL;
                }
                s->p++;
                r = value(s, sub);
                free(sub);
                if (r < 0)
                        return r;
                skip_ws(s);
                if (*s->p == ',') {
                        s->p++;
                        continue;
                }
                if (*s->p == '}') {
                        s->p++;
                        return 0;
                }
                return -EINVAL;
        }
}

static int array(struct scan *s, const char *path) {
        char *sub;
        int r;

        if (asprintf(&sub, "%s[]", path) < 0)
                return -ENOMEM;
        s->p++;
        skip_ws(s);
        if (*s->p == ']') {
                s->p++;
                free(sub);
                return 0;
        }
        for (;;) {
                r = value(s, sub);
                if (r < 0)
                        break;
                skip_ws(s);
                if (*s->p == ',') {
                        s->p++;
                        continue;
                }
                if (*s->p == ']') {
                        s->p++;
                        r = 0;
                        break;
                }
                r = -EINVAL;
                break;
        }
        free(sub);
        return r;
}

static int literal(struct scan *s, const char *path, const char *word, char type) {
        size_t n = strlen(word);
        char *v;

        if (strncmp(s->p, word, n) != 0)
                return -EINVAL;
        s->p += n;
        v = strdup(word);
        if (!v)
                return -ENOMEM;
        return add(s, path, type, v);
}

static int value(struct scan *s, const char *path) {
        char *v = NULL;
        int r;

        skip_ws(s);
        switch (*s->p) {
        case '{':
        case '[':
                if (++s->depth > DEPTH_MAX)
                        return -EINVAL;
                r = add(s, path, *s->p == '{' ? 'o' : 'a', NULL);
                if (r >= 0)
                        r = *s->p == '{' ? object(s, path) : array(s, path);
                s->depth--;
                return r;
        case '"':
                r = string(s, &v);
                return r < 0 ? r : add(s, path, 's', v);
        case 't':
                return literal(s, path, "true", 'b');
        case 'f':
                return literal(s, path, "false", 'b');
        case 'n':
                return literal(s, path, "null", 'z');
        default:
                r = number(s, &v);
                return r < 0 ? r : add(s, path, 'n', v);
        }
}

void json_doc_free(struct json_doc *doc) {
        for (size_t i = 0; i < doc->n; i++) {
                free(doc->items[i].path);
                free(doc->items[i].value);
        }
        free(doc->items);
        doc->items = NULL;
        doc->n = 0;
}

int json_scan(const char *text, struct json_doc *doc) {
        struct scan s = { .p = text, .doc = doc };
        int r;

        *doc = (struct json_doc){};
        r = value(&s, "");
        if (r >= 0) {
                skip_ws(&s);
                if (*s.p != '\0')
                        r = -EINVAL;
        }
        if (r < 0)
                json_doc_free(doc);
        return r;
}

const struct json_item *json_doc_get(const struct json_doc *doc, const char *path) {
        for (size_t i = 0; i < doc->n; i++)
                if (strcmp(doc->items[i].path, path) == 0)
                        return &doc->items[i];
        return NULL;
}

size_t json_doc_count(const struct json_doc *doc, const char *path) {
        size_t n = 0;

        for (size_t i = 0; i < doc->n; i++)
                if (strcmp(doc->items[i].path, path) == 0)
                        n++;
        return n;
}
