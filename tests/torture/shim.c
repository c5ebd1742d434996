/*
 * shim.c - allocation-failure injection for `make torture` (tests/torture/run.sh, after curl's
 * torture mode and SQLite's OOM tests). Linked only into the torture build of the kpi tool,
 * with -Wl,--wrap for malloc, calloc, realloc, strdup, strndup and realpath, so that it sees
 * every allocation libkpi and the tool make; SQLite's and jansson's allocations come through
 * their allocator hooks, set before main. libfyaml, ICU and libsodium have no such hook (or
 * none settable after start-up) and are not counted: see docs/torture.md.
 *
 * KPI_TORTURE_FAIL=N makes the Nth counted allocation fail (return NULL); the others succeed.
 * KPI_TORTURE_COUNT=FILE writes the number of counted allocations there at exit.
 * KPI_TORTURE_TRACE=1 prints the stack of the failed allocation (an ASan build).
 */
#include <jansson.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
char *__real_realpath(const char *path, char *resolved);
void __sanitizer_print_stack_trace(void) __attribute__((weak));

static atomic_ulong count;
static unsigned long fail_at;
static int trace;

/* True when this allocation is the one to fail. */
static int fails(void)
{
    unsigned long n = atomic_fetch_add(&count, 1) + 1;
    if (n != fail_at)
        return 0;
    if (trace && __sanitizer_print_stack_trace)
        __sanitizer_print_stack_trace();
    return 1;
}

void *__wrap_malloc(size_t n)
{
    return fails() ? NULL : __real_malloc(n);
}
void *__wrap_calloc(size_t k, size_t n)
{
    return fails() ? NULL : __real_calloc(k, n);
}
void *__wrap_realloc(void *p, size_t n)
{
    return fails() ? NULL : __real_realloc(p, n);
}
char *__wrap_strdup(const char *s)
{
    return fails() ? NULL : __real_strdup(s);
}
char *__wrap_strndup(const char *s, size_t n)
{
    return fails() ? NULL : __real_strndup(s, n);
}

char *__wrap_realpath(const char *path, char *resolved)
{
    return fails() ? NULL : __real_realpath(path, resolved);
}

/* SQLite's allocator, counted: its own methods with malloc and realloc failing in turn. */
static sqlite3_mem_methods sqlite_mem;

static void *sqlite_malloc(int n)
{
    return fails() ? NULL : sqlite_mem.xMalloc(n);
}
static void *sqlite_realloc(void *p, int n)
{
    return fails() ? NULL : sqlite_mem.xRealloc(p, n);
}
static void *json_malloc(size_t n)
{
    return fails() ? NULL : __real_malloc(n);
}

static void write_count(void)
{
    const char *path = getenv("KPI_TORTURE_COUNT");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (f) {
        fprintf(f, "%lu\n", atomic_load(&count));
        fclose(f);
    }
}

__attribute__((constructor)) static void torture_start(void)
{
    const char *n = getenv("KPI_TORTURE_FAIL");
    fail_at = n ? strtoul(n, NULL, 10) : 0;
    trace = getenv("KPI_TORTURE_TRACE") != NULL;
    sqlite3_mem_methods hooked;
    sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_mem);
    hooked = sqlite_mem;
    hooked.xMalloc = sqlite_malloc;
    hooked.xRealloc = sqlite_realloc;
    sqlite3_config(SQLITE_CONFIG_MALLOC, &hooked);
    json_set_alloc_funcs(json_malloc, free);
    atexit(write_count);
}
