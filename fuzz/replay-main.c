/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A fuzz target without libFuzzer: run LLVMFuzzerTestOneInput() once on
 * each file named, and on each file in each directory named (not
 * recursive).  The replay tests run the checked-in corpus and regressions
 * this way in every build, the sanitizer one included.  Prints TAP. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz-util.h"

static unsigned n_run;

static int replay_file(const char *path) {
        FILE *f = fopen(path, "rbe");
        uint8_t *buf = NULL;
        size_t size = 0, cap = 0;

        if (!f) {
                printf("not ok %u - %s: %s\n", ++n_run, path, strerror(errno));
                return -1;
        }
        for (;;) {
                size_t n;

                if (size == cap) {
                        uint8_t *p;

                        cap = cap ? cap * 2 : 4096;
                        p = realloc(buf, cap);
                        if (!p)
                                abort();
                        buf = p;
                }
                n = fread(buf + size, 1, cap - size, f);
                if (n == 0)
                        break;
                size += n;
        }
        fclose(f);
        /* Exactly size bytes, so ASan sees any read past the input. */
        {
                uint8_t *exact = malloc(size ? size : 1);

                if (!exact)
                        abort();
                memcpy(exact, buf, size);
                free(buf);
                (void)LLVMFuzzerTestOneInput(exact, size);
                free(exact);
        }
        printf("ok %u - %s\n", ++n_run, path);
        fflush(stdout);
        return 0;
}

static int compare(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;
        char **names = NULL;
        size_t n = 0;
        int r = 0;

        if (!d) {
                printf("not ok %u - %s: %s\n", ++n_run, dir, strerror(errno));
                return -1;
        }
        /* readdir_r() is deprecated; one thread, one DIR. */
        while ((de = readdir(d))) { // cppcheck-suppress readdirCalled
                char **p;

                if (de->d_name[0] == '.')
                        continue;
                p = realloc(names, (n + 1) * sizeof(*names));
                if (!p)
                        abort();
                names = p;
                if (asprintf(&names[n], "%s/%s", dir, de->d_name) < 0)
                        abort();
                n++;
        }
        closedir(d);
        if (n > 0)
                qsort(names, n, sizeof(*names), compare);
        for (size_t i = 0; i < n; i++) {
                if (replay_file(names[i]) < 0)
                        r = -1;
                free(names[i]);
        }
        free(names);
        return r;
}

int main(int argc, char **argv) {
        int r = 0;

        (void)LLVMFuzzerInitialize(&argc, &argv);
        for (int i = 1; i < argc; i++) {
                struct stat st;

                if (stat(argv[i], &st) < 0) {
                        /* A regressions directory that does not exist yet is
                         * fine: nothing found so far. */
                        if (errno == ENOENT)
                                continue;
                        printf("not ok %u - %s: %s\n", ++n_run, argv[i], strerror(errno));
                        r = -1;
                } else if (S_ISDIR(st.st_mode)) {
                        if (replay_dir(argv[i]) < 0)
                                r = -1;
                } else if (replay_file(argv[i]) < 0)
                        r = -1;
        }
        printf("1..%u\n", n_run);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
