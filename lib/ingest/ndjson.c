/*
 * ndjson.c - the NDJSON reader: one JSON object per line, of which the import wants the values
 * of a fixed list of keys, as text, in that order.
 *
 * Lines come from the shared input layer (so encodings, the BOM and the line-length cap behave
 * as for CSV) and are parsed with jansson. Values are handed over as text the import can type
 * like a CSV cell: strings unescaped, numbers as the digits the line holds (an exponent turned
 * into plain decimal text by moving the point: never through a double, so 0.30000000000000004
 * reaches the import as written, and the field's scale and rounding apply to it as to a CSV
 * cell), booleans as "true"/"false". Anything the import could not store faithfully (a nested
 * value, a malformed line) comes back as a record with rec->error, so one bad line is one
 * rejected row and never stops the import.
 *
 * Columns: a field's column is the 1-based byte position of its value in the line (found by a
 * light scan of the top-level object after jansson accepted it); an invalid line's error_column
 * is jansson's column, which counts characters rather than bytes.
 */
#include "reader.h"
#include "input.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EXTRA_KEYS 1000 /* distinct extra keys remembered (and so reported) at most */
#define NUM_TEXT_MAX 400    /* the longest plain decimal text a number with an exponent becomes */

/* A set of strings with their insertion index: open addressing over FNV-1a hashes. */
typedef struct strset {
    char **items;
    size_t n;
    size_t *slots; /* index + 1, 0 when empty */
    size_t nslots; /* a power of two, at least twice n */
} strset;

struct kndjson {
    kinput in;
    strset keys;     /* the distinct wanted keys */
    size_t *key_idx; /* per wanted key: its index in `keys` (a key may be asked twice) */
    bool *key_first; /* per wanted key: not asked before it in the list */
    size_t nkeys;
    size_t *value_pos; /* per distinct key: 1 + byte offset of its value in the line, or 0 */
    strset extra;      /* keys seen that are not wanted */
    size_t extra_reported;
    unsigned long line; /* physical line of the next line */
    json_t *root;       /* the current line's document: its strings are the field values */
    const char *line_p; /* the current line, where numbers are read as written */
    size_t line_n;
    kfield_val *out;
    size_t *text_off; /* per wanted key: offset of its formatted number in text, or SIZE_MAX */
    kbuf text;
    char err_msg[512];
};

/* ---- string sets ----------------------------------------------------------------------- */

static size_t hash_str(const char *s, size_t n)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * UINT64_C(1099511628211);
    return (size_t)h;
}

/* The index of s[0..n) in the set, or SIZE_MAX. */
static size_t strset_find(const strset *set, const char *s, size_t n)
{
    if (!set->nslots)
        return SIZE_MAX;
    for (size_t h = hash_str(s, n) & (set->nslots - 1);; h = (h + 1) & (set->nslots - 1)) {
        size_t slot = set->slots[h];
        if (!slot)
            return SIZE_MAX;
        const char *item = set->items[slot - 1];
        if (strncmp(item, s, n) == 0 && item[n] == '\0')
            return slot - 1;
    }
}

/* Rebuilds the slot table with twice the room. */
static bool strset_grow(strset *set)
{
    size_t nslots = set->nslots ? set->nslots * 2 : 16;
    size_t *slots = calloc(nslots, sizeof *slots);
    if (!slots || !KRESIZE(set->items, nslots / 2)) {
        free(slots);
        return false;
    }
    for (size_t i = 0; i < set->n; i++) {
        size_t h = hash_str(set->items[i], strlen(set->items[i])) & (nslots - 1);
        while (slots[h])
            h = (h + 1) & (nslots - 1);
        slots[h] = i + 1;
    }
    free(set->slots);
    set->slots = slots;
    set->nslots = nslots;
    return true;
}

/* Adds a copy of s[0..n) (not yet in the set); returns its index or SIZE_MAX when out of memory. */
static size_t strset_add(strset *set, const char *s, size_t n)
{
    if ((set->n + 1) * 2 > set->nslots && !strset_grow(set))
        return SIZE_MAX;
    char *copy = malloc(n + 1);
    if (!copy)
        return SIZE_MAX;
    memcpy(copy, s, n);
    copy[n] = '\0';
    size_t h = hash_str(s, n) & (set->nslots - 1);
    while (set->slots[h])
        h = (h + 1) & (set->nslots - 1);
    set->slots[h] = set->n + 1;
    set->items[set->n] = copy;
    return set->n++;
}

static void strset_release(strset *set)
{
    for (size_t i = 0; i < set->n; i++)
        free(set->items[i]);
    free(set->items);
    free(set->slots);
    memset(set, 0, sizeof *set);
}

/* ---- create / destroy ------------------------------------------------------------------ */

kpi_status kndjson_create(kpi_read_fn read, void *ctx, kencoding enc, const char *const *keys,
                          size_t nkeys, size_t max_line, kndjson **out, kpi_error *err)
{
    *out = NULL;
    kndjson *r = calloc(1, sizeof *r);
    if (!r)
        return kerr_set(err, KPI_NOMEM, "out of memory for an ndjson reader");
    kbuf_init(&r->text, 0);
    r->line = 1;
    r->nkeys = nkeys;
    if (kinput_init(&r->in, read, ctx, enc, max_line, true, err) != KPI_OK)
        goto fail;
    kinput_set_tail(&r->in, 1);
    size_t m = nkeys ? nkeys : 1;
    r->key_idx = malloc(m * sizeof *r->key_idx);
    r->key_first = malloc(m * sizeof *r->key_first);
    r->value_pos = calloc(m, sizeof *r->value_pos);
    r->out = calloc(m, sizeof *r->out);
    r->text_off = malloc(m * sizeof *r->text_off);
    if (!r->key_idx || !r->key_first || !r->value_pos || !r->out || !r->text_off)
        goto nomem;
    for (size_t i = 0; i < nkeys; i++) {
        size_t n = strlen(keys[i]);
        size_t k = strset_find(&r->keys, keys[i], n);
        r->key_first[i] = k == SIZE_MAX;
        if (k == SIZE_MAX && (k = strset_add(&r->keys, keys[i], n)) == SIZE_MAX)
            goto nomem;
        r->key_idx[i] = k;
    }
    *out = r;
    return KPI_OK;
nomem:
    kerr_set(err, KPI_NOMEM, "out of memory for an ndjson reader");
fail:
    kndjson_destroy(r);
    return KPI_NOMEM;
}

void kndjson_destroy(kndjson *r)
{
    if (!r)
        return;
    kinput_release(&r->in);
    strset_release(&r->keys);
    strset_release(&r->extra);
    json_decref(r->root);
    kbuf_release(&r->text);
    free(r->key_idx);
    free(r->key_first);
    free(r->value_pos);
    free(r->out);
    free(r->text_off);
    free(r);
}

uint64_t kndjson_bytes_read(const kndjson *r)
{
    return r->in.bytes_read;
}

/* ---- lines ----------------------------------------------------------------------------- */

/*
 * Takes the next line from the input, without its LF or CRLF. Returns 1 with *p and *n set
 * (valid until the next call), 0 at the end of input, -1 on error (a line over max_line).
 */
static int take_line(kndjson *r, const char **p, size_t *n, kpi_error *err)
{
    kinput *in = &r->in;
    size_t scanned = 0, len, term = 1;
    for (;;) {
        const char *s = in->buf + in->start;
        size_t avail = in->end - in->start;
        const char *nl = memchr(s + scanned, '\n', avail - scanned);
        if (nl) {
            len = (size_t)(nl - s);
            break;
        }
        scanned = avail;
        int rc = kinput_fill(in, r->line, err);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            if (in->end == in->start)
                return 0;
            len = in->end - in->start;
            term = 0;
            break;
        }
    }
    *p = in->buf + in->start;
    in->start += len + term;
    if (len && (*p)[len - 1] == '\r')
        len--;
    if (len > in->max_record)
        return kinput_limit_error(in, r->line, err);
    *n = len;
    return 1;
}

static bool is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

/* ---- value positions ------------------------------------------------------------------- */

static size_t skip_ws(const char *p, size_t n, size_t i)
{
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    return i;
}

/* p[i] is an opening quote: returns the offset past the closing one. */
static size_t skip_string(const char *p, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        if (p[i] == '\\')
            i++;
        else if (p[i] == '"')
            return i + 1;
    }
    return n;
}

/* Returns the offset past the JSON value starting at p[i]. */
static size_t skip_value(const char *p, size_t n, size_t i)
{
    if (i < n && p[i] == '"')
        return skip_string(p, n, i);
    size_t depth = 0;
    for (; i < n; i++) {
        char ch = p[i];
        if (ch == '"')
            i = skip_string(p, n, i) - 1;
        else if (ch == '{' || ch == '[')
            depth++;
        else if (ch == '}' || ch == ']') {
            if (depth == 0)
                return i;
            if (--depth == 0)
                return i + 1;
        } else if (depth == 0 && (ch == ',' || ch == ' ' || ch == '\t' || ch == '\r'))
            return i;
    }
    return n;
}

/* The index in r->keys of the key whose quoted text is p[0..n), or SIZE_MAX. */
static size_t find_quoted_key(const kndjson *r, const char *p, size_t n)
{
    if (n < 2)
        return SIZE_MAX;
    if (!memchr(p, '\\', n))
        return strset_find(&r->keys, p + 1, n - 2);
    json_t *s = json_loadb(p, n, JSON_DECODE_ANY, NULL); /* escapes: let jansson decode it */
    size_t k = json_is_string(s)
                   ? strset_find(&r->keys, json_string_value(s), strlen(json_string_value(s)))
                   : SIZE_MAX;
    json_decref(s);
    return k;
}

/*
 * Records where the value of each wanted key starts in a line jansson has accepted as an
 * object: a scan of the top level only, skipping strings and nested values.
 */
static void locate_values(kndjson *r, const char *p, size_t n)
{
    memset(r->value_pos, 0, r->keys.n * sizeof *r->value_pos);
    size_t i = skip_ws(p, n, 0);
    if (i >= n || p[i] != '{')
        return;
    for (i = skip_ws(p, n, i + 1); i < n && p[i] == '"';) {
        size_t key = i;
        i = skip_string(p, n, i);
        size_t k = find_quoted_key(r, p + key, i - key);
        i = skip_ws(p, n, i);
        if (i >= n || p[i] != ':')
            return;
        i = skip_ws(p, n, i + 1);
        if (k != SIZE_MAX)
            r->value_pos[k] = i + 1;
        i = skip_ws(p, n, skip_value(p, n, i));
        if (i >= n || p[i] != ',')
            return;
        i = skip_ws(p, n, i + 1);
    }
}

/* ---- values ---------------------------------------------------------------------------- */

/*
 * Writes the JSON number p[0..n) (valid: jansson read it) as plain decimal text into out
 * (NUM_TEXT_MAX bytes): its digits as written, the point moved by the exponent ("-1.5e-5" ->
 * "-0.000015"). A number far below any scale becomes 0, or 0.000...1 when it is not zero, so
 * that the import rounds it to 0 and counts it. False when the plain form would not fit (over
 * 100 digits written, or a point moved past NUM_TEXT_MAX places).
 */
static bool plain_number(const char *p, size_t n, char *out)
{
    enum { MAX_DIGITS = NUM_TEXT_MAX / 4, MAX_SHIFT = 40 }; /* the text fits NUM_TEXT_MAX */
    char digits[MAX_DIGITS];
    size_t i = 0, w = 0, nd = 0;
    long point = 0; /* how many of the digits come before the decimal point */
    bool seen_point = false;
    if (i < n && p[i] == '-')
        out[w++] = p[i++];
    for (; i < n && p[i] != 'e' && p[i] != 'E'; i++) {
        if (p[i] == '.') {
            seen_point = true;
            continue;
        }
        if (nd == MAX_DIGITS)
            return false;
        digits[nd++] = p[i];
        point += !seen_point;
    }
    if (i < n) { /* the exponent */
        bool neg = ++i < n && p[i] == '-';
        i += i < n && (p[i] == '-' || p[i] == '+');
        long e = 0;
        for (; i < n; i++)
            if ((e = e * 10 + (p[i] - '0')) > NUM_TEXT_MAX * 4)
                return false;
        point += neg ? -e : e;
    }
    if (point > NUM_TEXT_MAX - 8)
        return false;
    if (point < -MAX_SHIFT) { /* far below any scale: 0, or a 1 that tells rounding it was not */
        bool zero = true;
        for (size_t k = 0; k < nd; k++)
            zero = zero && digits[k] == '0';
        nd = 1;
        digits[0] = zero ? '0' : '1';
        point = -MAX_SHIFT;
    }
    if (point <= 0) {
        out[w++] = '0';
        out[w++] = '.';
        for (long z = point; z < 0; z++)
            out[w++] = '0';
        memcpy(out + w, digits, nd);
        w += nd;
    } else if ((size_t)point >= nd) {
        memcpy(out + w, digits, nd);
        w += nd;
        for (size_t z = nd; z < (size_t)point; z++)
            out[w++] = '0';
    } else {
        memcpy(out + w, digits, (size_t)point);
        w += (size_t)point;
        out[w++] = '.';
        memcpy(out + w, digits + point, nd - (size_t)point);
        w += nd - (size_t)point;
    }
    out[w] = '\0';
    return true;
}

/* Sets the record's error (the first one only). */
static void refuse(kndjson *r, krecord *rec, const char *key, unsigned long column, const char *fmt,
                   ...) KPI_PRINTF(5, 6);
static void refuse(kndjson *r, krecord *rec, const char *key, unsigned long column, const char *fmt,
                   ...)
{
    if (rec->error)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err_msg, sizeof r->err_msg, fmt, ap);
    va_end(ap);
    rec->error = r->err_msg;
    rec->error_column = column ? column : 1;
    rec->error_key = key;
    if (key && column && column <= r->line_n) { /* the refused value, for the reject file */
        rec->error_value = r->line_p + column - 1;
        rec->error_value_n = skip_value(r->line_p, r->line_n, column - 1) - (column - 1);
    }
}

/* Appends a number's text to r->text and notes where it starts. */
static bool keep_text(kndjson *r, size_t i, const char *s, size_t n)
{
    r->text_off[i] = r->text.n;
    return kbuf_append(&r->text, s, n) && kbuf_appendc(&r->text, '\0');
}

/* The number of field i as written in the line, at column `column` (its value's position). */
static bool take_number(kndjson *r, krecord *rec, size_t i, const char *key, unsigned long column)
{
    const char *p = r->line_p + column - 1;
    size_t n = 0;
    while (column - 1 + n < r->line_n && p[n] && strchr("+-.0123456789eE", p[n]))
        n++;
    if (!memchr(p, 'e', n) && !memchr(p, 'E', n))
        return keep_text(r, i, p, n);
    char num[NUM_TEXT_MAX];
    if (plain_number(p, n, num))
        return keep_text(r, i, num, strlen(num));
    refuse(r, rec, key, column, "number %.*s is out of range", (int)(n < 40 ? n : 40), p);
    r->out[i].column = 0;
    return true;
}

/* Fills field i from the value v of key `key`. Returns false when out of memory. */
static bool take_value(kndjson *r, krecord *rec, size_t i, const char *key, json_t *v)
{
    kfield_val *f = &r->out[i];
    switch (json_typeof(v)) {
    case JSON_STRING:
        f->p = json_string_value(v);
        f->n = json_string_length(v);
        return true;
    case JSON_INTEGER:
    case JSON_REAL:
        if (f->column) /* always: jansson accepted the line, so the scan found the value */
            return take_number(r, rec, i, key, f->column);
        refuse(r, rec, key, 1, "cannot find the number of key '%s' in the line", key);
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        f->p = json_is_true(v) ? "true" : "false";
        f->n = strlen(f->p);
        return true;
    case JSON_OBJECT:
    case JSON_ARRAY:
        refuse(r, rec, key, f->column, "nested value for key '%s'", key);
        break;
    case JSON_NULL:
        break;
    }
    f->column = 0;
    return true;
}

/* Remembers the keys of the object that are not wanted, for kndjson_new_extra_keys. */
static bool note_extra_keys(kndjson *r, json_t *obj)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        size_t n = strlen(key);
        if (strset_find(&r->keys, key, n) != SIZE_MAX || r->extra.n >= MAX_EXTRA_KEYS ||
            strset_find(&r->extra, key, n) != SIZE_MAX)
            continue;
        if (strset_add(&r->extra, key, n) == SIZE_MAX)
            return false;
    }
    return true;
}

static const char *json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        break;
    }
    return "null";
}

/* jansson reports some allocation failures as syntax errors ("string or '}' expected"), so a
 * line it refuses is parsed once more before it is taken for invalid (make torture: a valid row
 * was rejected); an out-of-memory it names fails the import. */
static json_t *load_line(const char *p, size_t n, json_error_t *je)
{
    /* integers as reals: a big one is then no error, as its digits are read from the line */
    const size_t flags = JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL;
    json_t *root = json_loadb(p, n, flags, je);
    if (!root && json_error_code(je) != json_error_out_of_memory)
        root = json_loadb(p, n, flags, je);
    return root;
}

/* Parses one non-blank line into rec. Returns 1, or -1 when out of memory. */
static int parse_line(kndjson *r, const char *p, size_t n, krecord *rec, kpi_error *err)
{
    json_error_t je;
    r->line_p = p;
    r->line_n = n;
    r->root = load_line(p, n, &je);
    if (!r->root && json_error_code(&je) == json_error_out_of_memory)
        goto nomem;
    if (!r->root) {
        refuse(r, rec, NULL, je.column > 0 ? (unsigned long)je.column : 1, "invalid json: %s",
               je.text);
        return 1;
    }
    if (!json_is_object(r->root)) {
        refuse(r, rec, NULL, skip_ws(p, n, 0) + 1, "expected a json object, found %s",
               json_type_name(r->root));
        return 1;
    }
    locate_values(r, p, n);
    size_t found = 0; /* distinct wanted keys present: when all keys are, none is extra */
    for (size_t i = 0; i < r->nkeys; i++) {
        const char *key = r->keys.items[r->key_idx[i]];
        json_t *v = json_object_get(r->root, key);
        r->out[i].column = r->value_pos[r->key_idx[i]];
        if (v && !take_value(r, rec, i, key, v))
            goto nomem;
        if (!v)
            r->out[i].column = 0;
        found += v && r->key_first[i];
    }
    if (json_object_size(r->root) > found && !note_extra_keys(r, r->root))
        goto nomem;
    return 1;
nomem:
    kerr_set(err, KPI_NOMEM, "out of memory reading line %lu", r->line);
    return -1;
}

int kndjson_next(kndjson *r, krecord *rec, kpi_error *err)
{
    const char *p = NULL;
    size_t n = 0;
    json_decref(r->root);
    r->root = NULL;
    for (;;) {
        int rc = take_line(r, &p, &n, err);
        if (rc <= 0)
            return rc;
        if (!is_blank(p, n))
            break;
        r->line++;
    }
    memset(rec, 0, sizeof *rec);
    kbuf_reset(&r->text);
    for (size_t i = 0; i < r->nkeys; i++) {
        r->out[i] = (kfield_val){NULL, 0, 0, r->line};
        r->text_off[i] = SIZE_MAX;
    }
    rec->line = r->line;
    rec->raw = p;
    rec->raw_n = n;
    int rc = parse_line(r, p, n, rec, err);
    r->line++;
    for (size_t i = 0; i < r->nkeys; i++) {
        /* now that text no longer moves (none when storing it ran out of memory) */
        if (r->text_off[i] != SIZE_MAX && r->text.p) {
            r->out[i].p = r->text.p + r->text_off[i];
            r->out[i].n = strlen(r->out[i].p);
        }
    }
    rec->fields = r->out;
    rec->nfields = r->nkeys;
    return rc;
}

void kndjson_new_extra_keys(kndjson *r, void (*fn)(void *ctx, const char *key), void *ctx)
{
    for (; r->extra_reported < r->extra.n; r->extra_reported++)
        fn(ctx, r->extra.items[r->extra_reported]);
}
