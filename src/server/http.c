/*
 * http.c - what the server reads from a request before any route sees it, and how it writes
 * back text it did not make: request bytes are anything (a latin1 header, %FF or %0A in a path
 * or an argument), while every answer must be valid JSON and every access-log entry one line.
 * So text from a request is copied through ksafe_text (invalid UTF-8 as \xHH, and for the log
 * control characters and spaces too), and a Content-Type is parsed as a media type (RFC 9110:
 * case-insensitive type and subtype, optional parameters), not matched as a prefix.
 */
#include "server.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The length of the valid UTF-8 sequence at s (1-4), or 0 when s does not start one
 * (overlong forms, surrogates and code points past U+10FFFF are invalid). */
static size_t utf8_len(const unsigned char *s)
{
    static const struct {
        unsigned char lo, hi; /* the first byte's range */
        size_t len;
        unsigned char lo2, hi2; /* the second byte's range (the others are 0x80-0xBF) */
    } forms[] = {
        {0xC2, 0xDF, 2, 0x80, 0xBF}, {0xE0, 0xE0, 3, 0xA0, 0xBF}, {0xE1, 0xEC, 3, 0x80, 0xBF},
        {0xED, 0xED, 3, 0x80, 0x9F}, {0xEE, 0xEF, 3, 0x80, 0xBF}, {0xF0, 0xF0, 4, 0x90, 0xBF},
        {0xF1, 0xF3, 4, 0x80, 0xBF}, {0xF4, 0xF4, 4, 0x80, 0x8F},
    };
    if (s[0] < 0x80)
        return 1;
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        if (s[0] < forms[f].lo || s[0] > forms[f].hi)
            continue;
        if (s[1] < forms[f].lo2 || s[1] > forms[f].hi2)
            return 0;
        for (size_t i = 2; i < forms[f].len; i++)
            if (s[i] < 0x80 || s[i] > 0xBF)
                return 0;
        return forms[f].len;
    }
    return 0;
}

/* Must byte c be written as \xHH? (for the log: anything that could split or fake a field) */
static bool escaped(unsigned char c, bool log)
{
    return log && (c <= 0x20 || c == 0x7F || c == '\\');
}

size_t ksafe_text(const char *in, bool log, char *out, size_t cap)
{
    const unsigned char *s = (const unsigned char *)(in ? in : "");
    size_t n = 0;
    while (*s) {
        size_t len = utf8_len(s);
        char esc[5];
        const char *piece = (const char *)s;
        size_t plen = len;
        if (len == 0 || (len == 1 && escaped(*s, log))) {
            snprintf(esc, sizeof esc, "\\x%02X", *s);
            piece = esc;
            plen = 4;
            len = 1;
        }
        if (n + plen >= cap) /* never cut a sequence or an escape in two */
            break;
        memcpy(out + n, piece, plen);
        n += plen;
        s += len;
    }
    if (cap)
        out[n] = 0;
    return n;
}

/* The media types an upload may have, with the format each is read as. */
static const struct {
    const char *type;
    kpi_format format;
} upload_types[] = {
    {"text/csv", KPI_FORMAT_CSV},
    {"application/x-ndjson", KPI_FORMAT_NDJSON},
    {"application/jsonl", KPI_FORMAT_NDJSON},
};

/* Is the parameter list p ("; charset=utf-8; header=present") acceptable? Only a charset
 * other than UTF-8 (or its subset US-ASCII) is refused: the import reads UTF-8. */
static bool params_ok(const char *p)
{
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        const char *name = p;
        while (*p && *p != '=' && *p != ';')
            p++;
        size_t nlen = (size_t)(p - name);
        while (nlen && (name[nlen - 1] == ' ' || name[nlen - 1] == '\t'))
            nlen--;
        if (*p != '=')
            continue;
        const char *v = ++p;
        bool quoted = *v == '"';
        v += quoted;
        const char *end = quoted ? strchr(v, '"') : v + strcspn(v, ";");
        if (!end)
            return false; /* a quote that never closes */
        size_t vlen = (size_t)(end - v);
        while (!quoted && vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
            vlen--;
        p = quoted ? end + 1 : end;
        if (nlen == 7 && !strncasecmp(name, "charset", 7) &&
            !((vlen == 5 && !strncasecmp(v, "utf-8", 5)) ||
              (vlen == 8 && !strncasecmp(v, "us-ascii", 8))))
            return false;
    }
    return true;
}

kpi_format kmedia_format(const char *content_type)
{
    if (!content_type)
        return KPI_FORMAT_AUTO;
    const char *p = content_type;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t len = strcspn(p, ";");
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    for (size_t i = 0; i < sizeof upload_types / sizeof upload_types[0]; i++)
        if (strlen(upload_types[i].type) == len && !strncasecmp(p, upload_types[i].type, len))
            return params_ok(p + strcspn(p, ";")) ? upload_types[i].format : KPI_FORMAT_AUTO;
    return KPI_FORMAT_AUTO;
}

unsigned kstatus_http(kpi_status st)
{
    switch (st) {
    case KPI_OK:
        return 200;
    case KPI_NOTFOUND:
        return 404;
    case KPI_CANCELLED:
        return 413; /* the only cancel is a body over the limit */
    case KPI_USAGE:
    case KPI_DEFINITION:
    case KPI_INPUT:
    case KPI_CONFLICT:
    case KPI_LIMIT:
        return 400;
    case KPI_IO:
    case KPI_DB:
        return 503; /* a full disk, a read-only or locked kpi.db: worth retrying later */
    default:
        return 500;
    }
}
