/*
 * replay_main.c - runs a libFuzzer target over the files of a corpus directory without
 * libFuzzer, so that `make test` replays every seed and past crasher under the normal and
 * sanitizer builds. Prints one "ok" line per target.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (!d) {
        printf("not ok 1 - replay %s: cannot open corpus\n", argv[1]);
        return 1;
    }
    int files = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
        if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
            LLVMFuzzerTestOneInput(buf, (size_t)n);
            files++;
        }
        free(buf);
        fclose(f);
    }
    closedir(d);
    printf("%s 1 - replayed %d seeds of %s\n", files > 0 ? "ok" : "not ok", files, argv[1]);
    return files > 0 ? 0 : 1;
}
