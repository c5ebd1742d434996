/*
 * push.c - the push agent over libcurl: each batch (a spooled file, a file given, or what
 * standard input held) is one streamed POST; connection failures and 5xx answers are retried
 * with exponential backoff for a while, then the batch goes to (or stays in) the spool; 4xx
 * answers other than rejected rows are final. Spool files are written whole under a temporary
 * name and renamed, so that a crash never leaves half a batch to send.
 */
#include "push.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef enum sent {
    SENT_OK,          /* every row stored (or already there) */
    SENT_REJECTED,    /* delivered; the server refused some rows (see its reject file) */
    SENT_REFUSED,     /* the request itself was refused (401, 403, 404, 413, 415...): final */
    SENT_UNREACHABLE, /* no answer, or a 5xx: worth retrying */
} sent;

typedef struct body {
    char *p;
    size_t n;
} body;

static size_t on_data(char *data, size_t size, size_t nmemb, void *ctx)
{
    body *b = ctx;
    size_t n = size * nmemb;
    char *grown = realloc(b->p, b->n + n + 1);
    if (!grown)
        return 0;
    memcpy(grown + b->n, data, n);
    b->p = grown;
    b->n += n;
    b->p[b->n] = 0;
    return n;
}

static bool is_ndjson(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot && (!strcmp(dot, ".ndjson") || !strcmp(dot, ".jsonl") || !strcmp(dot, ".json"));
}

/* One POST of the file at path; the server's answer summarised in msg. */
static sent post(const kpush_options *o, const char *path, char *msg, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(msg, cap, "%s: %s", path, strerror(errno));
        return SENT_REFUSED;
    }
    struct stat st;
    fstat(fileno(f), &st);
    CURL *c = curl_easy_init();
    char url[2048], auth[1024];
    snprintf(url, sizeof url, "%s/api/v1/streams/%s/events", o->server, o->stream);
    struct curl_slist *h = curl_slist_append(
        NULL, is_ndjson(path) ? "Content-Type: application/x-ndjson" : "Content-Type: text/csv");
    if (o->token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", o->token);
        h = curl_slist_append(h, auth);
    }
    h = curl_slist_append(h, "Expect:");
    body b = {0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_READDATA, f);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)st.st_size);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    fclose(f);
    sent r;
    json_t *j = b.p ? json_loads(b.p, 0, NULL) : NULL;
    json_t *acc = json_object_get(j, "accepted"), *rej = json_object_get(j, "rejected");
    if (rc != CURLE_OK) {
        snprintf(msg, cap, "%s", curl_easy_strerror(rc));
        r = SENT_UNREACHABLE;
    } else if (acc && rej) {
        /* delivered: a 400 here means every row was refused, which retrying cannot change */
        snprintf(msg, cap, "%lld accepted, %lld rejected, %lld duplicates%s%s",
                 (long long)json_integer_value(acc), (long long)json_integer_value(rej),
                 (long long)json_integer_value(json_object_get(j, "duplicates")),
                 json_integer_value(rej) ? "; rejected rows are in the server's " : "",
                 json_integer_value(rej) ? json_string_value(json_object_get(j, "rejects_file"))
                                         : "");
        r = json_integer_value(rej) ? SENT_REJECTED : SENT_OK;
    } else {
        const char *e = json_string_value(json_object_get(j, "error"));
        snprintf(msg, cap, "HTTP %ld: %s", status, e ? e : "no answer");
        r = status >= 500 ? SENT_UNREACHABLE : SENT_REFUSED;
    }
    json_decref(j);
    free(b.p);
    return r;
}

/* post() until delivered, refused or retry_for_s has passed (backoff 0.25 s, doubling, 5 s
 * at most). */
static sent deliver(const kpush_options *o, const char *path, char *msg, size_t cap)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    double wait = 0.25;
    for (;;) {
        sent r = post(o, path, msg, cap);
        clock_gettime(CLOCK_MONOTONIC, &t);
        double elapsed = (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
        if (r != SENT_UNREACHABLE || elapsed + wait > o->retry_for_s)
            return r;
        struct timespec w = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
        nanosleep(&w, NULL);
        wait = wait * 2 > 5 ? 5 : wait * 2;
    }
}

/* The stream's spool directory, made if needed. */
static bool spool_dir(const kpush_options *o, char *dir, size_t cap)
{
    snprintf(dir, cap, "%s", o->spool);
    for (char *p = dir + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(dir, 0700);
            *p = '/';
        }
    mkdir(dir, 0700);
    size_t n = strlen(dir);
    snprintf(dir + n, cap - n, "/%s", o->stream);
    return (mkdir(dir, 0700) == 0 || errno == EEXIST);
}

/* Copies src (a path, or standard input for "-") into a new spool file, named by time (and
 * seq, the file's place in this push) so that names sort in sending order; its path in out. */
static bool spool_copy(const kpush_options *o, const char *src, size_t seq, char *out,
                       size_t cap)
{
    char dir[1024], tmp[1100];
    if (!spool_dir(o, dir, sizeof dir))
        return false;
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    const char *ext = is_ndjson(src) ? "ndjson" : "csv";
    snprintf(out, cap, "%s/%lld%09ld-%d-%zu.%s", dir, (long long)t.tv_sec, t.tv_nsec,
             (int)getpid(), seq, ext);
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    FILE *in = strcmp(src, "-") ? fopen(src, "rb") : stdin;
    FILE *f = in ? fopen(tmp, "wb") : NULL;
    bool ok = f != NULL;
    char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, f) == n;
    ok = ok && !ferror(in);
    if (f && (fflush(f) || fsync(fileno(f)) || fclose(f)))
        ok = false;
    if (in && in != stdin)
        fclose(in);
    ok = ok && rename(tmp, out) == 0;
    if (!ok)
        unlink(tmp);
    return ok;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sends the spooled batches, oldest first; stops at the first that cannot be delivered. */
static int send_spool(const kpush_options *o, bool *stuck)
{
    char dir[1024], msg[1024];
    int code = 0;
    if (!spool_dir(o, dir, sizeof dir))
        return 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || (len > 4 && !strcmp(e->d_name + len - 4, ".tmp")))
            continue;
        char **grown = realloc(names, (n + 1) * sizeof *names);
        if (!grown || !(grown[n] = strdup(e->d_name))) {
            names = grown ? grown : names;
            break;
        }
        names = grown;
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (*stuck)
            continue;
        sent r = deliver(o, path, msg, sizeof msg);
        if (!o->quiet || r >= SENT_REFUSED)
            fprintf(stderr, "kpi push: spooled %s: %s\n", names[i], msg);
        if (r <= SENT_REJECTED)
            unlink(path);
        if (r == SENT_REJECTED)
            code = 3;
        if (r >= SENT_REFUSED)
            *stuck = true;
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return code;
}

int kpush_run(const kpush_options *o, char *const *files)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    bool stuck = false;
    int code = send_spool(o, &stuck);
    char msg[1024], spooled[2048];
    for (size_t i = 0; files[i]; i++) {
        const char *path = files[i];
        bool from_stdin = !strcmp(path, "-");
        if (from_stdin || stuck) { /* stdin cannot be read twice; a stuck spool keeps order */
            if (!spool_copy(o, path, i, spooled, sizeof spooled)) {
                fprintf(stderr, "kpi push: %s: cannot spool: %s\n", path, strerror(errno));
                code = 1;
                continue;
            }
            if (stuck) {
                fprintf(stderr, "kpi push: %s: spooled (%s)\n", path, spooled);
                continue;
            }
            path = spooled;
        }
        sent r = deliver(o, path, msg, sizeof msg);
        if (!o->quiet || r >= SENT_REFUSED)
            fprintf(stderr, "kpi push: %s: %s\n", files[i], msg);
        if (r == SENT_REJECTED && code == 0)
            code = 3;
        if (r <= SENT_REJECTED && from_stdin)
            unlink(path);
        if (r == SENT_UNREACHABLE) {
            /* keep it for the next push, and keep the order: later files wait behind it */
            if (!from_stdin && !spool_copy(o, path, i, spooled, sizeof spooled)) {
                fprintf(stderr, "kpi push: %s: cannot spool: %s\n", path, strerror(errno));
            } else {
                fprintf(stderr, "kpi push: %s: spooled, sent by the next 'kpi push'\n", files[i]);
            }
            stuck = true;
        } else if (r == SENT_REFUSED) {
            stuck = true;
        }
    }
    if (stuck)
        code = 1;
    curl_global_cleanup();
    return code;
}
