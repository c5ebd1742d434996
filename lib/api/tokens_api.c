/*
 * tokens_api.c - API tokens: created from libsodium's random bytes, shown once, stored as a
 * BLAKE2b hash (a token is 32 random bytes: a fast hash is enough, no password stretching), and
 * checked by hashing what is presented and comparing in constant time. Roles and scopes are
 * checked against the workspace when a token is created, so that a typo in a department or
 * stream name is an error then and not a token that silently sees nothing.
 */
#include "workspace_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[] = {"admin", "editor", "viewer", "ingest", "self"};

const char *kpi_role_name(kpi_role role)
{
    return (unsigned)role < sizeof role_names / sizeof role_names[0] ? role_names[role] : "?";
}

int kpi_role_parse(const char *name, kpi_role *out)
{
    for (size_t i = 0; name && i < sizeof role_names / sizeof role_names[0]; i++)
        if (!strcmp(name, role_names[i])) {
            *out = (kpi_role)i;
            return 1;
        }
    return 0;
}

/* The hex BLAKE2b-256 of a token. */
static void hash_token(const char *token, char hex[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

/* Is every comma-separated item of list one of the names given by name_of(i) for i < n? */
static bool all_known(kpi_workspace *ws, const char *list, const char *what,
                      const char *(*name_of)(kpi_workspace *ws, size_t i), size_t n)
{
    char item[256];
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        snprintf(item, sizeof item, "%.*s", (int)len, p);
        bool known = false;
        for (size_t i = 0; i < n && !known; i++) {
            const char *name = name_of(ws, i);
            known = name && !strcmp(name, item);
        }
        if (!known) {
            kerr_set(&ws->err, KPI_USAGE, "unknown %s '%s'", what, item);
            return false;
        }
        p = comma ? comma + 1 : p + len;
    }
    return true;
}

static const char *department_of(kpi_workspace *ws, size_t i)
{
    return ws->cfg->kpis[i].department;
}
static const char *stream_of(kpi_workspace *ws, size_t i)
{
    return ws->cfg->streams[i].name;
}

/* Is dim a dimension that some KPI declares? */
static bool known_dimension(kpi_workspace *ws, const char *dim, size_t len)
{
    for (size_t i = 0; i < ws->cfg->nkpis; i++)
        for (size_t d = 0; d < ws->cfg->kpis[i].ndimensions; d++)
            if (strlen(ws->cfg->kpis[i].dimensions[d]) == len &&
                !strncmp(ws->cfg->kpis[i].dimensions[d], dim, len))
                return true;
    return false;
}

static kpi_status check_spec(kpi_workspace *ws, const kpi_token_info *t)
{
    const char *deps = t->departments ? t->departments : "";
    const char *streams = t->streams ? t->streams : "";
    const char *self = t->self ? t->self : "";
    if ((unsigned)t->role > KPI_ROLE_SELF)
        return kerr_set(&ws->err, KPI_USAGE, "unknown role");
    if (*deps && t->role != KPI_ROLE_VIEWER)
        return kerr_set(&ws->err, KPI_USAGE, "departments limit viewer tokens only");
    if (*streams && t->role != KPI_ROLE_INGEST)
        return kerr_set(&ws->err, KPI_USAGE, "streams limit ingest tokens only");
    if (*self && t->role != KPI_ROLE_SELF)
        return kerr_set(&ws->err, KPI_USAGE, "--self goes with the self role only");
    if (t->role == KPI_ROLE_INGEST && !*streams)
        return kerr_set(&ws->err, KPI_USAGE, "an ingest token needs the streams it may write");
    if (t->role == KPI_ROLE_SELF) {
        const char *eq = strchr(self, '=');
        if (!eq || eq == self || !eq[1] || strpbrk(self, "\"\\\n"))
            return kerr_set(&ws->err, KPI_USAGE,
                            "a self token needs DIMENSION=VALUE (e.g. rep=Ana), got '%s'", self);
        if (!known_dimension(ws, self, (size_t)(eq - self)))
            return kerr_set(&ws->err, KPI_USAGE, "no KPI has the dimension '%.*s'",
                            (int)(eq - self), self);
    }
    if (!all_known(ws, deps, "department", department_of, ws->cfg->nkpis) ||
        !all_known(ws, streams, "stream", stream_of, ws->cfg->nstreams))
        return ws->err.status;
    return KPI_OK;
}

kpi_status kpi_token_create(kpi_workspace *ws, const kpi_token_info *spec, char *token, size_t cap,
                            int64_t *id)
{
    kpi_error_init(&ws->err);
    if (sodium_init() < 0)
        return kerr_set(&ws->err, KPI_IO, "cannot initialise libsodium");
    if (cap < 64)
        return kerr_set(&ws->err, KPI_USAGE, "token buffer too small");
    kpi_status rc = check_spec(ws, spec);
    if (rc != KPI_OK)
        return rc;
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    memcpy(token, "kpi_", 4);
    sodium_bin2base64(token + 4, cap - 4, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    char hex[65];
    hash_token(token, hex);
    ktoken_row row = {
        0,          hex,  spec->name, kpi_role_name(spec->role), spec->departments, spec->streams,
        spec->self, NULL, NULL};
    rc = kmeta_token_put(ws->meta, &row, id, &ws->err);
    if (rc != KPI_OK)
        sodium_memzero(token, cap);
    return rc;
}

static void info_of(const ktoken_row *r, kpi_token_info *t)
{
    kpi_role role = KPI_ROLE_VIEWER;
    kpi_role_parse(r->role, &role);
    *t = (kpi_token_info){r->id,      r->name, role,          r->departments,
                          r->streams, r->self, r->created_at, r->revoked_at};
}

typedef struct each_ctx {
    void (*fn)(void *ctx, const kpi_token_info *t);
    void *ctx;
} each_ctx;

static kpi_status each_row(void *ctx, const ktoken_row *r)
{
    each_ctx *c = ctx;
    kpi_token_info t;
    info_of(r, &t);
    c->fn(c->ctx, &t);
    return KPI_OK;
}

kpi_status kpi_tokens_each(kpi_workspace *ws, void (*fn)(void *ctx, const kpi_token_info *t),
                           void *ctx)
{
    kpi_error_init(&ws->err);
    each_ctx c = {fn, ctx};
    return kmeta_tokens_each(ws->meta, NULL, each_row, &c, &ws->err);
}

kpi_status kpi_token_revoke(kpi_workspace *ws, int64_t id)
{
    kpi_error_init(&ws->err);
    bool found = false;
    kpi_status rc = kmeta_token_revoke(ws->meta, id, &found, &ws->err);
    if (rc == KPI_OK && !found)
        rc = kerr_set(&ws->err, KPI_NOTFOUND, "no valid token with id %lld", (long long)id);
    return rc;
}

typedef struct check_ctx {
    const char *hash;
    kpi_workspace *ws;
    kpi_token_info *out;
    bool found;
} check_ctx;

/* Copies a row's strings into the workspace, so that they outlive the statement. */
static kpi_status matched(void *ctx, const ktoken_row *r)
{
    check_ctx *c = ctx;
    unsigned char a[32], b[32];
    if (r->revoked_at || sodium_hex2bin(a, sizeof a, r->hash, strlen(r->hash), NULL, NULL, NULL) ||
        sodium_hex2bin(b, sizeof b, c->hash, 64, NULL, NULL, NULL) || sodium_memcmp(a, b, 32))
        return KPI_OK;
    char *buf = c->ws->token_strings, *end = buf + sizeof c->ws->token_strings;
    const char *src[5] = {r->name, r->departments, r->streams, r->self, r->created_at};
    const char *dst[5];
    for (int i = 0; i < 5; i++) {
        size_t n = strlen(src[i] ? src[i] : "") + 1;
        if (buf + n > end)
            return kerr_set(&c->ws->err, KPI_LIMIT, "token scope too long");
        memcpy(buf, src[i] ? src[i] : "", n);
        dst[i] = buf;
        buf += n;
    }
    info_of(r, c->out);
    c->out->name = dst[0];
    c->out->departments = dst[1];
    c->out->streams = dst[2];
    c->out->self = dst[3];
    c->out->created_at = dst[4];
    c->out->revoked_at = NULL;
    c->found = true;
    return KPI_OK;
}

kpi_status kpi_token_check(kpi_workspace *ws, const char *token, kpi_token_info *out)
{
    kpi_error_init(&ws->err);
    if (sodium_init() < 0)
        return kerr_set(&ws->err, KPI_IO, "cannot initialise libsodium");
    char hex[65];
    hash_token(token ? token : "", hex);
    check_ctx c = {hex, ws, out, false};
    kpi_status rc = kmeta_tokens_each(ws->meta, hex, matched, &c, &ws->err);
    if (rc == KPI_OK && !c.found)
        rc = kerr_set(&ws->err, KPI_NOTFOUND, "unknown or revoked token");
    return rc;
}

static kpi_status count_row(void *ctx, const ktoken_row *r)
{
    (void)r;
    ++*(size_t *)ctx;
    return KPI_OK;
}

kpi_status kpi_token_count(kpi_workspace *ws, size_t *n)
{
    kpi_error_init(&ws->err);
    *n = 0;
    return kmeta_tokens_each(ws->meta, NULL, count_row, n, &ws->err);
}
