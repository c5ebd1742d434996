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
    SENT_BAD_FILE,    /* the server refused the rows themselves (400, 413, 415): set aside */
    SENT_REFUSED,     /* the request itself was refused (401, 403, 404...): final */
    SENT_UNREACHABLE, /* no answer, or a 5xx: worth retrying */
    SENT_UNSURE,      /* the connection broke after the piece was sent, on a stream without an
                         id: it may be stored, and sending it again could count it twice */
} sent;

/* What the server said of one piece, and whether the stream has an id (-1: not known yet). */
typedef struct answer {
    long long accepted, rejected, duplicates;
    int has_id;
    char rejects_file[1024];
} answer;

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

/* Did the request fail before the server could have read any of it? */
static bool never_sent(CURLcode rc)
{
    return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
           rc == CURLE_COULDNT_RESOLVE_PROXY;
}

/* The outcome of an answer with HTTP status and JSON j (NULL when not JSON). */
static sent judge(long status, json_t *j, answer *a, char *msg, size_t cap)
{
    json_t *acc = json_object_get(j, "accepted"), *rej = json_object_get(j, "rejected");
    json_t *id = json_object_get(j, "id");
    if (id)
        a->has_id = json_is_string(id);
    if (acc && rej) {
        /* delivered: a 400 here means every row was refused, which retrying cannot change */
        a->accepted += json_integer_value(acc);
        a->rejected += json_integer_value(rej);
        a->duplicates += json_integer_value(json_object_get(j, "duplicates"));
        const char *file = json_string_value(json_object_get(j, "rejects_file"));
        if (file)
            snprintf(a->rejects_file, sizeof a->rejects_file, "%s", file);
        return json_integer_value(rej) ? SENT_REJECTED : SENT_OK;
    }
    const char *e = json_string_value(json_object_get(j, "error"));
    snprintf(msg, cap, "HTTP %ld: %s", status, e ? e : "no answer");
    if (status >= 500)
        return SENT_UNREACHABLE;
    return status == 400 || status == 413 || status == 415 ? SENT_BAD_FILE : SENT_REFUSED;
}

/* One POST of n bytes at data; the server's answer added to *a, a failure described in msg. */
static sent post(const kpush_options *o, const char *data, size_t n, bool ndjson, answer *a,
                 char *msg, size_t cap)
{
    CURL *c = curl_easy_init();
    char url[2048], auth[1024];
    snprintf(url, sizeof url, "%s/api/v1/streams/%s/events", o->server, o->stream);
    struct curl_slist *h = curl_slist_append(NULL, ndjson ? "Content-Type: application/x-ndjson"
                                                          : "Content-Type: text/csv");
    if (o->token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", o->token);
        h = curl_slist_append(h, auth);
    }
    h = curl_slist_append(h, "Expect:");
    body b = {0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, data);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    sent r;
    if (rc != CURLE_OK) {
        snprintf(msg, cap, "%s", curl_easy_strerror(rc));
        r = never_sent(rc) || a->has_id == 1 ? SENT_UNREACHABLE : SENT_UNSURE;
    } else {
        json_t *j = b.p ? json_loads(b.p, 0, NULL) : NULL;
        r = judge(status, j, a, msg, cap);
        json_decref(j);
    }
    free(b.p);
    return r;
}

/* post() until delivered, refused, unsure or retry_for_s has passed (backoff 0.25 s,
 * doubling, 5 s at most). */
static sent deliver(const kpush_options *o, const char *data, size_t n, bool ndjson, answer *a,
                    char *msg, size_t cap)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    double wait = 0.25;
    for (;;) {
        sent r = post(o, data, n, ndjson, a, msg, cap);
        clock_gettime(CLOCK_MONOTONIC, &t);
        double elapsed = (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
        if (r != SENT_UNREACHABLE || elapsed + wait > o->retry_for_s)
            return r;
        struct timespec w = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
        nanosleep(&w, NULL);
        wait = wait * 2 > 5 ? 5 : wait * 2;
    }
}

/* ---- a file in pieces ------------------------------------------------------------------------
 * A file goes as pieces of at most o->batch_rows rows (and PIECE_BYTES), each one request that
 * the server commits as one transaction (its batches are larger): a piece is stored whole or
 * not at all, so an interrupted push resumes at the first piece the server did not
 * acknowledge. A CSV piece repeats the header line; records end at a newline outside quotes. */

enum { PIECE_BYTES = 16 << 20 };

typedef struct pieces {
    FILE *f;
    bool csv;
    char *buf; /* the header, then the piece's records */
    size_t len, cap, header_len;
    off_t at; /* the file offset of the piece's first record */
    unsigned long long rows;
} pieces;

static bool grow_put(pieces *p, int ch)
{
    if (p->len + 1 >= p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 1 << 16;
        char *grown = realloc(p->buf, cap);
        if (!grown)
            return false;
        p->buf = grown;
        p->cap = cap;
    }
    p->buf[p->len++] = (char)ch;
    return true;
}

/* Reads one record (through its newline) onto the buffer; false at the end of the file. */
static bool read_record(pieces *p)
{
    bool quoted = false, any = false;
    for (int ch; (ch = getc_unlocked(p->f)) != EOF;) {
        any = true;
        if (!grow_put(p, ch))
            return false;
        if (ch == '"' && p->csv)
            quoted = !quoted;
        else if (ch == '\n' && !quoted)
            return true;
    }
    return any;
}

static bool pieces_open(pieces *p, const char *path, bool ndjson)
{
    *p = (pieces){.csv = !ndjson};
    if (!(p->f = fopen(path, "rb")))
        return false;
    if (p->csv && read_record(p))
        p->header_len = p->len;
    p->at = ftello(p->f);
    return true;
}

/* The next piece in p->buf (header included), or false when no record is left. */
static bool pieces_next(pieces *p, size_t max_rows)
{
    p->len = p->header_len;
    p->at = ftello(p->f);
    p->rows = 0;
    while (p->rows < max_rows && p->len < PIECE_BYTES && read_record(p))
        p->rows++;
    return p->rows > 0;
}

static void pieces_close(pieces *p)
{
    if (p->f)
        fclose(p->f);
    free(p->buf);
}

/* The stream's spool directory (or its subdirectory sub, when non-NULL), made if needed. */
static bool spool_dir(const kpush_options *o, const char *sub, char *dir, size_t cap)
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
    snprintf(dir + n, cap - n, "/%s%s%s", o->stream, sub ? "/" : "", sub ? sub : "");
    if (sub) {
        *strrchr(dir, '/') = 0;
        mkdir(dir, 0700);
        dir[strlen(dir)] = '/';
    }
    return (mkdir(dir, 0700) == 0 || errno == EEXIST);
}

/* A new file name in the spool (sub: a subdirectory), named by time and seq (the piece's
 * place in this push) so that names sort in sending order. */
static bool spool_name(const kpush_options *o, const char *sub, bool ndjson, size_t seq, char *out,
                       size_t cap)
{
    char dir[1024];
    if (!spool_dir(o, sub, dir, sizeof dir))
        return false;
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    snprintf(out, cap, "%s/%lld%09ld-%d-%zu.%s", dir, (long long)t.tv_sec, t.tv_nsec, (int)getpid(),
             seq, ndjson ? "ndjson" : "csv");
    return true;
}

/* Writes head (hlen bytes), then in from its current position to its end, to dest: whole
 * under a temporary name, then renamed, so that a crash never leaves half a batch to send. */
static bool write_whole(const char *dest, const char *head, size_t hlen, FILE *in)
{
    char tmp[2200];
    snprintf(tmp, sizeof tmp, "%s.tmp", dest);
    FILE *f = fopen(tmp, "wb");
    bool ok = f && fwrite(head, 1, hlen, f) == hlen;
    char buf[65536];
    size_t n;
    while (ok && in && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, f) == n;
    ok = ok && !(in && ferror(in));
    if (f && (fflush(f) || fsync(fileno(f)) || fclose(f)))
        ok = false;
    ok = ok && rename(tmp, dest) == 0;
    if (!ok)
        unlink(tmp);
    return ok;
}

/* Copies src (a path, or standard input for "-") into a new spool file; its path in out. */
static bool spool_copy(const kpush_options *o, const char *src, size_t seq, char *out, size_t cap)
{
    if (!spool_name(o, NULL, is_ndjson(src), seq, out, cap))
        return false;
    FILE *in = strcmp(src, "-") ? fopen(src, "rb") : stdin;
    bool ok = in && write_whole(out, "", 0, in);
    if (in && in != stdin)
        fclose(in);
    return ok;
}

/* The rest of p's file, from the piece now in p->buf on (with the header), into dest. */
static bool save_rest(pieces *p, const char *dest)
{
    return fseeko(p->f, p->at, SEEK_SET) == 0 && write_whole(dest, p->buf, p->header_len, p->f);
}

/* Sets data aside in the spool's failed/ directory with a NAME.reason file beside it, so that
 * it never blocks the spool; its path in out. rest: the rest of p's file, else p's piece. */
static bool set_aside(const kpush_options *o, pieces *p, bool rest, const char *reason, char *out,
                      size_t cap)
{
    char why[2200];
    if (!spool_name(o, "failed", !p->csv, 0, out, cap))
        return false;
    bool ok = rest ? save_rest(p, out) : write_whole(out, p->buf, p->len, NULL);
    snprintf(why, sizeof why, "%s.reason", out);
    size_t n = strlen(reason);
    char *text = malloc(n + 2);
    if (text) {
        memcpy(text, reason, n);
        memcpy(text + n, "\n", 2);
        ok = ok && write_whole(why, text, n + 1, NULL);
    }
    free(text);
    return ok && text;
}

/* How a file went: every piece delivered, or where and why it stopped. */
typedef struct outcome {
    sent last; /* the worst answer: SENT_OK, SENT_REJECTED or where it stopped */
    answer a;
    unsigned long long pieces, unsure; /* pieces sent; of them, set aside as unsure */
    char msg[1024];
} outcome;

static void say(const kpush_options *o, const char *label, const char *fmt, const char *arg)
{
    (void)o;
    fprintf(stderr, "kpi push: %s: ", label);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
}

/* Sets a piece aside that may or may not be stored (SENT_UNSURE), with the reason. */
static void unsure_piece(const kpush_options *o, pieces *p, const char *label, const outcome *out)
{
    char path[1100], reason[2048];
    snprintf(reason, sizeof reason,
             "%s: the connection broke after this piece of %llu rows was sent (%s); the stream"
             " has no id, so it may be stored, and sending it again could count it twice",
             label, p->rows, out->msg);
    if (set_aside(o, p, false, reason, path, sizeof path))
        say(o, label,
            "a piece may or may not be stored: not sent again; it is in %s (see its"
            " .reason)",
            path);
    else
        say(o, label, "cannot set a piece aside: %s", strerror(errno));
}

/* Handles the piece that stopped the file (out->last): its rest is spooled when the server
 * cannot be reached (in place for a spool file at path, else in a new spool file, *spooled),
 * set aside when the server refused the rows themselves (a spool file; the user's own file is
 * simply reported), and kept when the request was refused (a token or stream to fix). */
static void piece_failed(const kpush_options *o, pieces *p, const char *path, const char *label,
                         bool in_spool, outcome *out, char *spooled, size_t cap)
{
    char aside[1100], reason[2048];
    snprintf(reason, sizeof reason, "%s: %s%s", label, out->msg,
             out->a.accepted ? "; the pieces before it were stored" : "");
    say(o, label, "%s", reason + strlen(label) + 2);
    bool ok = true;
    if (out->last == SENT_BAD_FILE && in_spool) {
        if ((ok = set_aside(o, p, true, reason, aside, sizeof aside)))
            say(o, label, "set aside, with its reason, in %s", aside);
    } else if (in_spool && out->pieces) { /* the pieces delivered leave the spool file */
        ok = save_rest(p, path);
    } else if (out->last == SENT_UNREACHABLE && !in_spool) {
        ok = spool_name(o, NULL, !p->csv, out->pieces, spooled, cap) && save_rest(p, spooled);
        if (!ok)
            *spooled = 0;
    }
    if (!ok)
        say(o, label, "cannot spool: %s", strerror(errno));
}

/* Sends the file at path piece by piece; label names it in messages. When the rest cannot be
 * delivered now it is written to the spool (a new file's path in spooled, "" if none). */
static void send_file(const kpush_options *o, const char *path, const char *label, bool in_spool,
                      outcome *out, char *spooled, size_t cap)
{
    *out = (outcome){.a = {.has_id = -1}};
    *spooled = 0;
    pieces p;
    if (!pieces_open(&p, path, is_ndjson(path))) {
        snprintf(out->msg, sizeof out->msg, "%s", strerror(errno));
        out->last = SENT_REFUSED;
        say(o, label, "%s", out->msg);
        pieces_close(&p);
        return;
    }
    while (pieces_next(&p, o->batch_rows ? o->batch_rows : 32768)) {
        sent r = deliver(o, p.buf, p.len, !p.csv, &out->a, out->msg, sizeof out->msg);
        if (r == SENT_UNSURE) {
            unsure_piece(o, &p, label, out);
            out->unsure++;
        } else if (r >= SENT_BAD_FILE) {
            out->last = r;
            piece_failed(o, &p, path, label, in_spool, out, spooled, cap);
            break;
        } else if (r > out->last) {
            out->last = r;
        }
        out->pieces++;
    }
    pieces_close(&p);
    char counts[1400];
    snprintf(counts, sizeof counts, "%lld accepted, %lld rejected, %lld duplicates%s%s",
             out->a.accepted, out->a.rejected, out->a.duplicates,
             out->a.rejected ? "; rejected rows are in the server's " : "",
             out->a.rejected ? out->a.rejects_file : "");
    if (out->last > SENT_REJECTED || out->unsure)
        say(o, label, "%s before it stopped", counts);
    else if (!o->quiet)
        say(o, label, "%s", counts);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The spool's files (not .tmp, not directories), sorted, in *names; their count. */
static size_t spool_list(const char *dir, char ***names)
{
    *names = NULL;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || e->d_type == DT_DIR ||
            (len > 4 && !strcmp(e->d_name + len - 4, ".tmp")))
            continue;
        char **grown = realloc(*names, (n + 1) * sizeof **names);
        if (!grown || !(grown[n] = strdup(e->d_name))) {
            *names = grown ? grown : *names;
            break;
        }
        *names = grown;
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(*names, n, sizeof **names, by_name);
    return n;
}

/* Sends the spooled batches, oldest first; stops at the first that cannot be delivered. */
static int send_spool(const kpush_options *o, bool *stuck)
{
    char dir[1024], spooled[2048];
    int code = 0;
    if (!spool_dir(o, NULL, dir, sizeof dir))
        return 0;
    char **names;
    size_t n = spool_list(dir, &names);
    for (size_t i = 0; i < n && !*stuck; i++) {
        char path[2048], label[1100];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(label, sizeof label, "spooled %s", names[i]);
        outcome out;
        send_file(o, path, label, true, &out, spooled, sizeof spooled);
        if (out.last <= SENT_BAD_FILE) /* delivered, or set aside */
            unlink(path);
        if (out.last == SENT_REJECTED)
            code = 3;
        if (out.last >= SENT_BAD_FILE || out.unsure)
            code = 1;
        if (out.last >= SENT_REFUSED)
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
    char spooled[2048], copy[2048];
    for (size_t i = 0; files[i]; i++) {
        const char *path = files[i];
        bool from_stdin = !strcmp(path, "-");
        if (from_stdin || stuck) { /* stdin cannot be read twice; a stuck spool keeps order */
            if (!spool_copy(o, path, i, copy, sizeof copy)) {
                fprintf(stderr, "kpi push: %s: cannot spool: %s\n", path, strerror(errno));
                code = 1;
                continue;
            }
            if (stuck) {
                fprintf(stderr, "kpi push: %s: spooled (%s)\n", path, copy);
                continue;
            }
            path = copy;
        }
        outcome out;
        send_file(o, path, files[i], from_stdin, &out, spooled, sizeof spooled);
        if (from_stdin && out.last <= SENT_BAD_FILE)
            unlink(path);
        if (out.last == SENT_REJECTED && code == 0)
            code = 3;
        if (out.last >= SENT_BAD_FILE || out.unsure)
            code = 1;
        if (*spooled)
            fprintf(stderr, "kpi push: %s: spooled, sent by the next 'kpi push'\n", files[i]);
        if (out.last >= SENT_REFUSED)
            stuck = true; /* later files wait behind it, in order */
    }
    if (stuck)
        code = 1;
    curl_global_cleanup();
    return code;
}
