/*
 * assets.c - the web dashboard's files, compiled into the kpi tool (build/gen/web_assets.c from
 * web/ and uPlot's dist files): GET / answers web/index.html, GET /assets/NAME any other file,
 * with its Content-Type. The page itself is never cached, and names its assets with a hash of
 * every embedded file (the "@VERSION@" placeholders of index.html become "?v=<hash>"), so the
 * assets can be cached for a year: a new binary's page asks for new URLs.
 */
#include "server.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KASSETS_PAGE "index.html"
#define KASSETS_PREFIX "/assets/"
#define KASSETS_VERSION "@VERSION@"

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
};

static const char *type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(dot, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

static const kasset *find(const char *name)
{
    for (const kasset *a = kweb_assets; a->name; a++)
        if (!strcmp(a->name, name))
            return a;
    return NULL;
}

/* The build's version: FNV-1a (64 bits) over every file's name and bytes, in hex. */
static void version_of(char out[17])
{
    uint64_t h = 14695981039346656037ull;
    for (const kasset *a = kweb_assets; a->name; a++) {
        for (const char *p = a->name; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ull;
        for (size_t i = 0; i < a->len; i++)
            h = (h ^ (unsigned char)a->data[i]) * 1099511628211ull;
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* A malloc'd copy of the page with every KASSETS_VERSION replaced by the version; NULL when
 * out of memory. */
static char *page_text(const kasset *a, size_t *len)
{
    char v[17];
    version_of(v);
    size_t vl = strlen(KASSETS_VERSION), n = 0;
    for (const char *p = a->data; (p = strstr(p, KASSETS_VERSION)); p += vl)
        n++;
    size_t cap = a->len + n * 16 + 1; /* the hash is 16 characters, the placeholder 9 */
    char *body = malloc(cap), *w = body;
    if (!body)
        return NULL;
    for (const char *p = a->data, *q; p; p = q ? q + vl : NULL) {
        q = strstr(p, KASSETS_VERSION);
        size_t chunk = q ? (size_t)(q - p) : strlen(p);
        memcpy(w, p, chunk);
        w += chunk;
        if (q) {
            memcpy(w, v, 16);
            w += 16;
        }
    }
    *w = 0;
    *len = (size_t)(w - body);
    return body;
}

bool kassets_serve(const char *path, kresponse *out)
{
    const kasset *a = NULL;
    if (!strcmp(path, "/"))
        a = find(KASSETS_PAGE);
    else if (!strncmp(path, KASSETS_PREFIX, strlen(KASSETS_PREFIX))) {
        const char *name = path + strlen(KASSETS_PREFIX);
        /* the page only at /, where its relative links resolve */
        if (*name && !strchr(name, '/') && strcmp(name, KASSETS_PAGE))
            a = find(name);
    }
    if (!a)
        return false;
    bool page = !strcmp(a->name, KASSETS_PAGE);
    size_t len = a->len;
    char *body;
    if (page) {
        body = page_text(a, &len);
    } else if ((body = malloc(len + 1))) {
        memcpy(body, a->data, len);
        body[len] = 0;
    }
    if (!body) {
        kresponse_error(out, 500, "out of memory");
        return true;
    }
    out->status = 200;
    out->type = type_of(a->name);
    out->body = body;
    out->len = len;
    out->cache = page ? "no-cache" : "public, max-age=31536000, immutable";
    return true;
}
