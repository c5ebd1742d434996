/*
 * test_ndjson.c - the NDJSON reader: value text for every JSON type (numbers exact or refused),
 * nested values, duplicate keys, invalid lines, blank lines, CRLF, BOM and encodings, the line
 * limit and extra-key reporting. Like the CSV tests, every input is also read in chunks of 1, 2,
 * 3 and 7 bytes and with interrupted reads, and must give the same records.
 */
#include "ingest/reader.h"

#include "../tap.h"

#include <errno.h>
#include <stdlib.h>

typedef struct source {
    const char *p;
    size_t n, pos;
    size_t chunk;
    int eintr;
    int calls;
} source;

static ptrdiff_t source_read(void *ctx, char *buf, size_t cap)
{
    source *s = ctx;
    if (s->eintr && ++s->calls % 2) {
        errno = EINTR;
        return -1;
    }
    size_t k = s->n - s->pos;
    if (k > cap)
        k = cap;
    if (s->chunk && k > s->chunk)
        k = s->chunk;
    memcpy(buf, s->p + s->pos, k);
    s->pos += k;
    return (ptrdiff_t)k;
}

typedef struct opts {
    kencoding enc;
    size_t max_line;
    const char *const *keys;
    size_t nkeys;
} opts;

static const char *const abc[] = {"a", "b", "c"};
static const opts defaults = {KENC_UTF8, 0, abc, 3};

static void collect_key(void *ctx, const char *key)
{
    kbuf *b = ctx;
    kbuf_printf(b, " +%s", key);
}

/*
 * Reads the input and describes the records: fields joined with '|' ("-" for an absent value),
 * " !error [key]" for a refused line; the full form adds lines, columns, raw bytes and the extra
 * keys reported after each record. Last line "EOF" or "ERR message".
 */
static char *read_all(const char *in, size_t n, source src, opts o, bool full)
{
    kbuf b;
    kbuf_init(&b, 0);
    kbuf_appends(&b, "");
    src.p = in;
    src.n = n;
    kndjson *r;
    kpi_error err;
    kpi_error_init(&err);
    if (kndjson_create(source_read, &src, o.enc, o.keys, o.nkeys, o.max_line, &r, &err)) {
        kbuf_printf(&b, "CREATE %s", err.message);
        return b.p;
    }
    krecord rec;
    int rc;
    while ((rc = kndjson_next(r, &rec, &err)) == 1) {
        if (full)
            kbuf_printf(&b, "@%lu ", rec.line);
        for (size_t i = 0; i < rec.nfields; i++) {
            const kfield_val *f = &rec.fields[i];
            if (i)
                kbuf_appendc(&b, '|');
            if (full)
                kbuf_printf(&b, "%lu:%lu=", f->line, f->column);
            if (f->p)
                kbuf_append(&b, f->p, f->n);
            else
                kbuf_appendc(&b, '-');
        }
        if (rec.error)
            kbuf_printf(&b, " !%s", rec.error);
        if (rec.error_key)
            kbuf_printf(&b, " [%s]", rec.error_key);
        if (full && rec.error)
            kbuf_printf(&b, " @col %lu", rec.error_column);
        if (full) {
            kbuf_appends(&b, " raw=");
            kbuf_append(&b, rec.raw, rec.raw_n);
            kndjson_new_extra_keys(r, collect_key, &b);
        }
        kbuf_appendc(&b, '\n');
    }
    if (rc == 0)
        kbuf_appends(&b, "EOF");
    else
        kbuf_printf(&b, "ERR %s", err.message);
    if (full && rc == 0)
        kbuf_printf(&b, " read %llu", (unsigned long long)kndjson_bytes_read(r));
    kndjson_destroy(r);
    return b.p;
}

static int check_n(const char *in, size_t n, opts o, const char *want)
{
    source whole = {0};
    char *got = read_all(in, n, whole, o, false);
    int bad = want && strcmp(got, want) != 0;
    if (bad)
        printf("#   input \"%s\"\n#   got:\n%s\n#   want:\n%s\n", in, got, want);
    free(got);
    char *ref = read_all(in, n, whole, o, true);
    static const size_t chunks[] = {1, 2, 3, 7};
    for (size_t c = 0; c < 5; c++) {
        source s = {0};
        if (c < 4)
            s.chunk = chunks[c];
        else
            s.eintr = 1, s.chunk = 5;
        char *alt = read_all(in, n, s, o, true);
        if (strcmp(ref, alt) != 0) {
            printf("#   input \"%s\" chunk %zu differs:\n%s\n#   whole:\n%s\n", in, s.chunk, alt,
                   ref);
            bad = 1;
        }
        free(alt);
    }
    free(ref);
    return bad;
}

#define CHECK_ND_O(in, o, want) CHECK(check_n((in), sizeof(in) - 1, (o), (want)) == 0)
#define CHECK_ND(in, want) CHECK_ND_O(in, defaults, want)

static char *full(const char *in, opts o)
{
    source whole = {0};
    return read_all(in, strlen(in), whole, o, true);
}

#define CHECK_FULL_O(in, o, want)                                                                  \
    do {                                                                                           \
        char *tap_f = full((in), (o));                                                             \
        CHECK_STR(tap_f, (want));                                                                  \
        free(tap_f);                                                                               \
        CHECK_ND_O((in), (o), NULL);                                                               \
    } while (0)
#define CHECK_FULL(in, want) CHECK_FULL_O(in, defaults, want)

/* ---- values ---------------------------------------------------------------------------- */

static void test_basic(void)
{
    CHECK_ND("{\"a\":\"x\",\"b\":1,\"c\":true}\n{\"c\":false,\"b\":-7,\"a\":\"y\"}\n",
             "x|1|true\ny|-7|false\nEOF");
    CHECK_ND("{\"a\":\"x\"}", "x|-|-\nEOF"); /* missing keys; no final LF */
    CHECK_ND("", "EOF");
}

static void test_null_and_empty(void)
{
    source whole = {0};
    const char *in = "{\"a\":null,\"b\":\"\"}\n";
    char *f = read_all(in, strlen(in), whole, defaults, true);
    CHECK_STR(f, "@1 1:0=-|1:15=|1:0=- raw={\"a\":null,\"b\":\"\"}\nEOF read 18");
    free(f);
    /* the empty string is present: p non-NULL, n 0 */
    kndjson *r;
    kpi_error err;
    source s = {in, strlen(in), 0, 0, 0, 0};
    CHECK(kndjson_create(source_read, &s, KENC_UTF8, abc, 3, 0, &r, &err) == KPI_OK);
    krecord rec;
    CHECK_EQ_INT(kndjson_next(r, &rec, &err), 1);
    CHECK(rec.fields[0].p == NULL && rec.fields[0].column == 0);
    CHECK(rec.fields[1].p != NULL && rec.fields[1].n == 0);
    CHECK(rec.fields[2].p == NULL);
    CHECK(rec.error == NULL && rec.error_key == NULL);
    kndjson_destroy(r);
}

static void test_strings(void)
{
    CHECK_ND("{\"a\":\"caf\\u00e9 \\\"q\\\" \\n\",\"b\":\"\\ud83d\\ude00\",\"c\":\"\xE2\x82\xAC\"}",
             "caf\xC3\xA9 \"q\" \n|\xF0\x9F\x98\x80|\xE2\x82\xAC\nEOF");
    CHECK_ND("{\"a\":\"\\u0000\"}", NULL); /* refused by jansson: checked below */
    char *f = full("{\"a\":\"\\u0000\"}", defaults);
    CHECK_CONTAINS(f, "!invalid json: ");
    free(f);
}

static void test_integers(void)
{
    CHECK_ND("{\"a\":0,\"b\":-0,\"c\":9223372036854775807}\n{\"a\":-9223372036854775808}",
             "0|-0|9223372036854775807\n-9223372036854775808|-|-\nEOF");
    /* as written: the import types it (here, out of range for an integer field) */
    CHECK_ND("{\"a\":99999999999999999999}", "99999999999999999999|-|-\nEOF");
}

static void test_reals(void)
{
    CHECK_ND("{\"a\":12.34,\"b\":0.1,\"c\":1e2}", "12.34|0.1|100\nEOF");
    CHECK_ND("{\"a\":1.0,\"b\":-0.5,\"c\":1.5e-5}", "1.0|-0.5|0.000015\nEOF");
    CHECK_ND("{\"a\":1e20,\"b\":1234.5,\"c\":0.000123}",
             "100000000000000000000|1234.5|0.000123\nEOF");
    CHECK_ND("{\"a\":123456789012345.0,\"b\":0.123456789012345,\"c\":2.5E+3}",
             "123456789012345.0|0.123456789012345|2500\nEOF");
    CHECK_ND("{\"a\":1e-7,\"b\":-1.25e-10,\"c\":1E15}",
             "0.0000001|-0.000000000125|1000000000000000\nEOF");
    /* digits as written, never through a double: the field's scale decides what is kept */
    CHECK_ND("{\"a\":1.2345678901234567,\"b\":1}", "1.2345678901234567|1|-\nEOF");
    CHECK_ND("{\"c\":0.30000000000000004}", "-|-|0.30000000000000004\nEOF");
    /* far below any scale: 40 zeros, then 1 when it was not zero (rounded, and counted) */
#define ZEROS40 "0000000000000000000000000000000000000000"
    CHECK_ND("{\"a\":1e-300,\"b\":-0e-300}", "0." ZEROS40 "1|-0." ZEROS40 "0|-\nEOF");
    CHECK_ND("{\"a\":1e400}", "-|-|- !invalid json: real number overflow near '1e400'\nEOF");
    char *f = full("{\"a\":1e300}", defaults);
    CHECK_CONTAINS(f, "=1000000000000000000000000000000000000000000000");
    const char *raw = strstr(f, " raw=");
    CHECK(raw && memchr(f, 'e', (size_t)(raw - f)) == NULL); /* no exponent in the value */
    free(f);
}

static void test_booleans(void)
{
    CHECK_ND("{\"a\":true,\"b\":false}", "true|false|-\nEOF");
}

static void test_nested_values(void)
{
    CHECK_ND("{\"a\":1,\"b\":{\"x\":1},\"c\":\"z\"}\n{\"a\":2}",
             "1|-|z !nested value for key 'b' [b]\n2|-|-\nEOF");
    CHECK_ND("{\"a\":[1,2]}", "-|-|- !nested value for key 'a' [a]\nEOF");
    CHECK_FULL("{\"a\": [], \"b\": {}}",
               "@1 1:0=-|1:0=-|1:0=- !nested value for key 'a' [a] @col 7 raw={\"a\": [], \"b\": "
               "{}}\nEOF read 18");
    /* nested values under other keys are fine */
    CHECK_ND("{\"x\":{\"a\":1},\"a\":2}", "2|-|-\nEOF");
}

static void test_duplicate_keys(void)
{
    CHECK_ND("{\"a\":1,\"a\":2}\n{\"a\":3}",
             "-|-|- !invalid json: duplicate object key near '\"a\"'\n3|-|-\nEOF");
}

static void test_invalid_lines(void)
{
    CHECK_FULL("{\"a\":1,}\n{\"a\":2}\n",
               "@1 1:0=-|1:0=-|1:0=- !invalid json: string or '}' expected near '}' @col 8 "
               "raw={\"a\":1,}\n@2 2:6=2|2:0=-|2:0=- raw={\"a\":2}\nEOF read 17");
    CHECK_ND("{\"a\":1} x", "-|-|- !invalid json: end of file expected near 'x'\nEOF");
    CHECK_ND("{\"a\":1", "-|-|- !invalid json: '}' expected near end of file\nEOF");
    CHECK_ND("[1,2]\n3\n\"s\"\nnull\n", "-|-|- !expected a json object, found an array\n"
                                        "-|-|- !expected a json object, found a number\n"
                                        "-|-|- !expected a json object, found a string\n"
                                        "-|-|- !expected a json object, found null\nEOF");
    CHECK_ND("{\"a\":\"\xFF\"}", "-|-|- !invalid json: unable to decode byte 0xff near '\"'\nEOF");
}

/* ---- lines ----------------------------------------------------------------------------- */

static void test_blank_lines_and_line_numbers(void)
{
    CHECK_FULL("\n  \n{\"a\":1}\n\t\r\n\n{\"b\":2}\n\n",
               "@3 3:6=1|3:0=-|3:0=- raw={\"a\":1}\n@6 6:0=-|6:6=2|6:0=- raw={\"b\":2}\n"
               "EOF read 25");
}

static void test_crlf(void)
{
    CHECK_FULL("{\"a\":1}\r\n{\"a\":2}\r\n",
               "@1 1:6=1|1:0=-|1:0=- raw={\"a\":1}\n@2 2:6=2|2:0=-|2:0=- raw={\"a\":2}\n"
               "EOF read 18");
    /* a lone CR is whitespace inside a line */
    CHECK_ND("{\"a\":1,\r\"b\":2}\n", "1|2|-\nEOF");
}

static void test_bom(void)
{
    CHECK_FULL("\xEF\xBB\xBF{\"a\":1}\n", "@1 1:6=1|1:0=-|1:0=- raw={\"a\":1}\nEOF read 11");
    CHECK_ND("\xEF\xBB\xBF", "EOF");
}

static void test_latin1_and_cp1252(void)
{
    opts l1 = {KENC_LATIN1, 0, abc, 3}, w = {KENC_CP1252, 0, abc, 3};
    CHECK_ND_O("{\"a\":\"caf\xE9\",\"b\":\"\x80\"}\n", l1, "caf\xC3\xA9|\xC2\x80|-\nEOF");
    CHECK_ND_O("{\"a\":\"caf\xE9\",\"b\":\"\x80\"}\n", w, "caf\xC3\xA9|\xE2\x82\xAC|-\nEOF");
    /* keys are transcoded too */
    static const char *const keys[] = {"\xC3\xA9t\xC3\xA9"};
    opts k = {KENC_LATIN1, 0, keys, 1};
    CHECK_ND_O("{\"\xE9t\xE9\":\"x\"}\n", k, "x\nEOF");
}

static void test_positions(void)
{
    CHECK_FULL("{\"a\": 1, \"c\" : \"x\", \"b\":true}",
               "@1 1:7=1|1:25=true|1:16=x raw={\"a\": 1, \"c\" : \"x\", \"b\":true}\nEOF read 29");
    /* nested values and strings with braces or escapes do not confuse the scan */
    CHECK_FULL("{\"z\":{\"a\":[1,\"}\"]},\"q\":\"\\\"a\\\":\",\"a\":5}",
               "@1 1:37=5|1:0=-|1:0=- raw={\"z\":{\"a\":[1,\"}\"]},\"q\":\"\\\"a\\\":\",\"a\":5}"
               " +z +q\nEOF read 38");
    /* an escaped key */
    CHECK_FULL("{\"\\u0061\":1}", "@1 1:11=1|1:0=-|1:0=- raw={\"\\u0061\":1}\nEOF read 12");
    /* UTF-8 before the value counts bytes */
    CHECK_FULL("{\"\xC3\xA9\":0,\"a\":1}",
               "@1 1:13=1|1:0=-|1:0=- raw={\"\xC3\xA9\":0,\"a\":1} +\xC3\xA9\nEOF read 14");
}

static void test_extra_keys(void)
{
    /* each reported once, after the record where it first appears */
    CHECK_FULL("{\"a\":1,\"x\":1,\"y\":2}\n{\"y\":3,\"z\":4,\"a\":2}\n{\"x\":0}\n",
               "@1 1:6=1|1:0=-|1:0=- raw={\"a\":1,\"x\":1,\"y\":2} +x +y\n"
               "@2 2:18=2|2:0=-|2:0=- raw={\"y\":3,\"z\":4,\"a\":2} +z\n"
               "@3 3:0=-|3:0=-|3:0=- raw={\"x\":0}\nEOF read 48");
    /* the remembered set is capped: a flood of distinct keys does not grow memory */
    kbuf in;
    kbuf_init(&in, 0);
    for (int i = 0; i < 1500; i++)
        kbuf_printf(&in, "{\"k%d\":1}\n", i);
    kbuf_printf(&in, "{\"k0\":1}\n");
    source s = {in.p, in.n, 0, 0, 0, 0};
    kndjson *r;
    kpi_error err;
    CHECK(kndjson_create(source_read, &s, KENC_UTF8, abc, 3, 0, &r, &err) == KPI_OK);
    krecord rec;
    kbuf seen;
    kbuf_init(&seen, 0);
    int n = 0;
    while (kndjson_next(r, &rec, &err) == 1)
        n++;
    kndjson_new_extra_keys(r, collect_key, &seen);
    CHECK_EQ_INT(n, 1501);
    size_t count = 0;
    for (size_t i = 0; i < seen.n; i++)
        count += seen.p[i] == '+';
    CHECK_EQ_INT(count, 1000);
    kbuf_reset(&seen);
    kndjson_new_extra_keys(r, collect_key, &seen); /* nothing new */
    CHECK_EQ_INT(seen.n, 0);
    kbuf_release(&seen);
    kbuf_release(&in);
    kndjson_destroy(r);
}

static void test_repeated_wanted_key(void)
{
    static const char *const keys[] = {"a", "b", "a"};
    opts o = {KENC_UTF8, 0, keys, 3};
    CHECK_FULL_O("{\"a\":\"x\",\"b\":2}", o,
                 "@1 1:6=x|1:14=2|1:6=x raw={\"a\":\"x\",\"b\":2}\n"
                 "EOF read 15");
    opts none = {KENC_UTF8, 0, NULL, 0};
    CHECK_ND_O("{\"a\":1}\n", none, "\nEOF");
}

/* ---- limits ---------------------------------------------------------------------------- */

static void test_max_line(void)
{
    opts o = {KENC_UTF8, 10, abc, 3};
    CHECK_ND_O("{\"a\":\"12\"}\n{\"a\":\"3\"}", o, "12|-|-\n3|-|-\nEOF"); /* exactly 10 */
    CHECK_ND_O("{\"a\":\"12\"}\r\n{\"a\":\"3\"}\r\n", o, "12|-|-\n3|-|-\nEOF");
    CHECK_ND_O("{\"a\":\"1\"}\n{\"a\":\"123\"}\n", o, "1|-|-\nERR line 2 is longer than 10 bytes");
    CHECK_ND_O("{\"a\":\"1\"}\n{\"a\":\"123\"}", o, "1|-|-\nERR line 2 is longer than 10 bytes");
    CHECK_ND_O("\n\n{\"a\":\"123456789\"}", o, "ERR line 3 is longer than 10 bytes");
}

static void test_values_live_until_next_call(void)
{
    const char *in = "{\"a\":\"first\",\"b\":1.5}\n{\"a\":\"second\"}\n";
    source s = {in, strlen(in), 0, 0, 0, 0};
    kndjson *r;
    kpi_error err;
    CHECK(kndjson_create(source_read, &s, KENC_UTF8, abc, 3, 0, &r, &err) == KPI_OK);
    krecord rec;
    CHECK_EQ_INT(kndjson_next(r, &rec, &err), 1);
    kndjson_new_extra_keys(r, collect_key, NULL); /* no extra keys: fn not called */
    CHECK(rec.fields[0].n == 5 && memcmp(rec.fields[0].p, "first", 5) == 0);
    CHECK(rec.fields[1].n == 3 && memcmp(rec.fields[1].p, "1.5", 3) == 0);
    CHECK_EQ_INT(kndjson_next(r, &rec, &err), 1);
    CHECK(rec.fields[0].n == 6 && memcmp(rec.fields[0].p, "second", 6) == 0);
    CHECK_EQ_INT(kndjson_next(r, &rec, &err), 0);
    kndjson_destroy(r);
    kndjson_destroy(NULL);
}

int main(void)
{
    RUN(test_basic);
    RUN(test_null_and_empty);
    RUN(test_strings);
    RUN(test_integers);
    RUN(test_reals);
    RUN(test_booleans);
    RUN(test_nested_values);
    RUN(test_duplicate_keys);
    RUN(test_invalid_lines);
    RUN(test_blank_lines_and_line_numbers);
    RUN(test_crlf);
    RUN(test_bom);
    RUN(test_latin1_and_cp1252);
    RUN(test_positions);
    RUN(test_extra_keys);
    RUN(test_repeated_wanted_key);
    RUN(test_max_line);
    RUN(test_values_live_until_next_call);
    return tap_done();
}
