/*
 * test_csv.c - the CSV reader and field writer: every RFC 4180 case, the dialect choices
 * (bare quotes, lone CR, blank lines), positions after multi-line fields, BOM and encodings,
 * limits and errors. Every input is read whole and again in chunks of 1, 2, 3 and 7 bytes (and
 * with reads interrupted by EINTR): all must give the same records, fields, positions and raw
 * bytes, so that a chunk boundary anywhere (inside quotes, between CR and LF, inside the BOM or
 * a character) changes nothing.
 */
#include "ingest/reader.h"

#include "../tap.h"

#include <errno.h>
#include <stdlib.h>

/* ---- a byte source that hands out the input in small chunks ---------------------------- */

typedef struct source {
    const char *p;
    size_t n, pos;
    size_t chunk; /* 0: as much as asked */
    int eintr;    /* fail every other call with EINTR */
    int calls;
    int fail_at; /* > 0: fail with EIO on that call */
} source;

static ptrdiff_t source_read(void *ctx, char *buf, size_t cap)
{
    source *s = ctx;
    s->calls++;
    if (s->fail_at && s->calls == s->fail_at) {
        errno = EIO;
        return -1;
    }
    if (s->eintr && s->calls % 2) {
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

/* ---- reading a whole input into text that tests compare -------------------------------- */

typedef struct opts {
    char delim;
    kencoding enc;
    size_t max_record;
} opts;

static const opts defaults = {',', KENC_UTF8, 0};

/* Appends bytes with CR, LF, tab and NUL made visible. */
static void put_escaped(kbuf *b, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (p[i]) {
        case '\r':
            kbuf_appends(b, "\\r");
            break;
        case '\n':
            kbuf_appends(b, "\\n");
            break;
        case '\t':
            kbuf_appends(b, "\\t");
            break;
        case '\0':
            kbuf_appends(b, "\\0");
            break;
        default:
            kbuf_appendc(b, p[i]);
        }
    }
}

/*
 * Reads the input and describes what came out. Short form: one line per record, fields joined
 * with '|', then " !error" when the record is malformed; last line "EOF" or "ERR message".
 * Full form adds every position, the raw bytes and the bytes read.
 */
static char *read_all(const char *in, size_t n, source src, opts o, bool full)
{
    kbuf b;
    kbuf_init(&b, 0);
    src.p = in;
    src.n = n;
    kcsv *r;
    kpi_error err;
    kpi_error_init(&err);
    if (kcsv_create(source_read, &src, o.delim, o.enc, o.max_record, &r, &err) != KPI_OK) {
        kbuf_printf(&b, "CREATE %s", err.message);
        return b.p;
    }
    krecord rec;
    int rc;
    while ((rc = kcsv_next(r, &rec, &err)) == 1) {
        if (full)
            kbuf_printf(&b, "@%lu ", rec.line);
        for (size_t i = 0; i < rec.nfields; i++) {
            if (i)
                kbuf_appendc(&b, '|');
            if (full)
                kbuf_printf(&b, "%lu:%lu=", rec.fields[i].line, rec.fields[i].column);
            if (!rec.fields[i].p)
                kbuf_appends(&b, "(null)");
            put_escaped(&b, rec.fields[i].p, rec.fields[i].n);
        }
        if (full) {
            kbuf_appends(&b, " raw=");
            put_escaped(&b, rec.raw, rec.raw_n);
        }
        if (rec.error)
            kbuf_printf(&b, " !%s", rec.error);
        if (rec.error && full)
            kbuf_printf(&b, " @col %lu", rec.error_column);
        kbuf_appendc(&b, '\n');
    }
    if (rc == 0)
        kbuf_appends(&b, "EOF");
    else
        kbuf_printf(&b, "ERR %s", err.message);
    if (full && rc < 0)
        kbuf_printf(&b, " at %lu:%lu status %s", err.line, err.column, kpi_status_name(err.status));
    if (full && rc == 0)
        kbuf_printf(&b, " read %llu", (unsigned long long)kcsv_bytes_read(r));
    kcsv_destroy(r);
    return b.p;
}

/* Checks the short form (unless want is NULL) and that every chunking gives the same full form. */
static int check_csv_n(const char *in, size_t n, opts o, const char *want)
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
            s.eintr = 1, s.chunk = 2;
        char *alt = read_all(in, n, s, o, true);
        if (strcmp(ref, alt) != 0) {
            printf("#   input \"%s\" chunk %zu eintr %d differs:\n%s\n#   whole:\n%s\n", in,
                   s.chunk, s.eintr, alt, ref);
            bad = 1;
        }
        free(alt);
    }
    free(ref);
    return bad;
}

#define CHECK_CSV_O(in, o, want) CHECK(check_csv_n((in), sizeof(in) - 1, (o), (want)) == 0)
#define CHECK_CSV(in, want) CHECK_CSV_O(in, defaults, want)

/* The full form read whole (positions, raw bytes), for position tests. */
static char *full(const char *in, opts o)
{
    source whole = {0};
    return read_all(in, strlen(in), whole, o, true);
}

#define CHECK_FULL(in, want)                                                                       \
    do {                                                                                           \
        char *tap_f = full((in), defaults);                                                        \
        CHECK_STR(tap_f, (want));                                                                  \
        free(tap_f);                                                                               \
        CHECK_CSV((in), NULL);                                                                     \
    } while (0)

/* ---- RFC 4180 ------------------------------------------------------------------------- */

static void test_simple_records(void)
{
    CHECK_CSV("a,b,c\n1,2,3\n", "a|b|c\n1|2|3\nEOF");
    CHECK_CSV("a,b,c\n1,2,3", "a|b|c\n1|2|3\nEOF"); /* no line end at the end */
    CHECK_CSV("x\n", "x\nEOF");
    CHECK_CSV("x", "x\nEOF");
    CHECK_CSV("", "EOF");
}

static void test_line_ends(void)
{
    CHECK_CSV("a,b\r\nc,d\r\n", "a|b\nc|d\nEOF");
    CHECK_CSV("a,b\rc,d\r", "a|b\nc|d\nEOF");     /* lone CR */
    CHECK_CSV("a\r\nb\nc\rd", "a\nb\nc\nd\nEOF"); /* mixed */
    CHECK_CSV("a,b\r", "a|b\nEOF");
}

static void test_blank_lines_skipped(void)
{
    CHECK_CSV("\n\na\n\n\nb\n\n", "a\nb\nEOF");
    CHECK_CSV("\r\n\r\na\r\n\r\nb\r\n", "a\nb\nEOF");
    CHECK_CSV("\r\r\n\n", "EOF");
    CHECK_FULL("\n\r\na,b\r\n\r\n\rc\n", "@3 3:1=a|3:3=b raw=a,b\n@6 6:1=c raw=c\nEOF read 13");
}

static void test_empty_fields(void)
{
    CHECK_CSV(",\n", "|\nEOF");
    CHECK_CSV(",,\n", "||\nEOF");
    CHECK_CSV("a,\n", "a|\nEOF");
    CHECK_CSV(",a", "|a\nEOF");
    CHECK_CSV("a,", "a|\nEOF"); /* empty last field at the end of input */
    CHECK_CSV("a,,b\r\n", "a||b\nEOF");
    CHECK_CSV("\"\"\n", "\nEOF"); /* one empty quoted field: a record, not a blank line */
    CHECK_CSV("\"\",\"\"", "|\nEOF");
}

static void test_quoted_fields(void)
{
    CHECK_CSV("\"a\",\"b\"\n", "a|b\nEOF");
    CHECK_CSV("\"a,b\",c\n", "a,b|c\nEOF");                   /* embedded delimiter */
    CHECK_CSV("\"say \"\"hi\"\"\",x\n", "say \"hi\"|x\nEOF"); /* escaped quotes */
    CHECK_CSV("\"\"\"\"\n", "\"\nEOF");                       /* just a quote */
    CHECK_CSV("\"\"\"\"\"\"\n", "\"\"\nEOF");
    CHECK_CSV("\"a\"\"\"", "a\"\nEOF");                        /* escaped quote at the end */
    CHECK_CSV("\"line1\nline2\",x\n", "line1\\nline2|x\nEOF"); /* embedded LF */
    CHECK_CSV("\"l1\r\nl2\",x\r\n", "l1\\r\\nl2|x\nEOF");      /* embedded CRLF, kept */
    CHECK_CSV("\"l1\rl2\"\r", "l1\\rl2\nEOF");                 /* embedded CR */
    CHECK_CSV("\"\n\n\"\n", "\\n\\n\nEOF");
    CHECK_CSV("\"a\"", "a\nEOF"); /* closing quote at the end */
    CHECK_CSV("a,\"\"\"x\"\"\",b\n", "a|\"x\"|b\nEOF");
    CHECK_CSV("\"\",\"\",\"\"\n", "||\nEOF");
}

static void test_raw_bytes_kept_when_unescaping(void)
{
    CHECK_FULL("\"a\"\"b\",c\nd,\"e\"\"\"\n",
               "@1 1:1=a\"b|1:8=c raw=\"a\"\"b\",c\n@2 2:1=d|2:3=e\" raw=d,\"e\"\"\"\nEOF read 17");
}

static void test_bare_quote_is_literal(void)
{
    CHECK_CSV("ab\"c,d\n", "ab\"c|d\nEOF");
    CHECK_CSV("a\"\"b,\"\n", "ERR unterminated quoted field starting at line 1");
    CHECK_CSV("5\",x\n", "5\"|x\nEOF");
    CHECK_CSV("x\"\n", "x\"\nEOF");
    CHECK_CSV(" \"a\",b\n", " \"a\"|b\nEOF"); /* a space before the quote: not a quoted field */
}

static void test_whitespace_preserved(void)
{
    CHECK_CSV(" a , b \n", " a | b \nEOF");
    CHECK_CSV("\t\n", "\\t\nEOF");
    CHECK_CSV("  \n", "  \nEOF"); /* spaces only: a record, not a blank line */
}

static void test_other_delimiters(void)
{
    opts semi = {';', KENC_UTF8, 0}, tab = {'\t', KENC_UTF8, 0}, pipe = {'|', KENC_UTF8, 0};
    CHECK_CSV_O("a;b,c;\"d;e\"\n", semi, "a|b,c|d;e\nEOF");
    CHECK_CSV_O("a\tb c\t\"d\te\"\n", tab, "a|b c|d\\te\nEOF");
    CHECK_CSV_O("a|b,c\n", pipe, "a|b,c\nEOF");
}

static void test_invalid_delimiter(void)
{
    const char bad[] = {'"', '\r', '\n', '\0', (char)0xC3};
    for (size_t i = 0; i < sizeof bad; i++) {
        kcsv *r = (kcsv *)1;
        kpi_error err;
        kpi_error_init(&err);
        source s = {0};
        CHECK_EQ_INT(kcsv_create(source_read, &s, bad[i], KENC_UTF8, 0, &r, &err), KPI_USAGE);
        CHECK(r == NULL);
        CHECK_CONTAINS(err.message, "invalid csv delimiter");
    }
}

static void test_nul_bytes(void)
{
    static const char in[] = "a\0b,\"c\0\"\n\0\n";
    CHECK_CSV(in, "a\\0b|c\\0\n\\0\nEOF");
}

static void test_many_fields(void)
{
    kbuf in, want;
    kbuf_init(&in, 0);
    kbuf_init(&want, 0);
    for (int i = 0; i < 300; i++) {
        kbuf_printf(&in, "%s%d", i ? "," : "", i);
        kbuf_printf(&want, "%s%d", i ? "|" : "", i);
    }
    kbuf_appends(&in, "\nx\n");
    kbuf_appends(&want, "\nx\nEOF");
    CHECK(check_csv_n(in.p, in.n, defaults, want.p) == 0);
    kbuf_release(&in);
    kbuf_release(&want);
}

/* ---- positions ------------------------------------------------------------------------- */

static void test_positions(void)
{
    CHECK_FULL("id,name\n1,\"ab\"\n", "@1 1:1=id|1:4=name raw=id,name\n"
                                      "@2 2:1=1|2:3=ab raw=1,\"ab\"\nEOF read 15");
    /* a field after a multi-line quoted field is on the later line */
    CHECK_FULL("a,\"x\ny\",b\nc,d\n", "@1 1:1=a|1:3=x\\ny|2:4=b raw=a,\"x\\ny\",b\n"
                                      "@3 3:1=c|3:3=d raw=c,d\nEOF read 14");
    CHECK_FULL("\"x\r\ny\",b\r\nc\r\n", "@1 1:1=x\\r\\ny|2:4=b raw=\"x\\r\\ny\",b\n"
                                        "@3 3:1=c raw=c\nEOF read 13");
    CHECK_FULL("\"\r\r\n\n\",z\nw", "@1 1:1=\\r\\r\\n\\n|4:3=z raw=\"\\r\\r\\n\\n\",z\n"
                                    "@5 5:1=w raw=w\nEOF read 10");
    /* UTF-8 counts bytes */
    CHECK_FULL("\xC3\xA9,x\n", "@1 1:1=\xC3\xA9|1:4=x raw=\xC3\xA9,x\nEOF read 5");
}

/* ---- long records (the reader scans 64-byte blocks) ------------------------------------- */

/* Appends n copies of ch. */
static void put_run(kbuf *b, char ch, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kbuf_appendc(b, ch);
}

/*
 * Each kind of field that the fast scan hands to the general one (or steps over) placed at
 * every offset across the first block boundaries, in records longer than a block, with every
 * line end; read whole and in chunks.
 */
static void test_fields_across_blocks(void)
{
    static const struct {
        const char *in;
        size_t n;
        const char *want, *error;
    } kinds[] = {
#define KIND(in, want, error) {in, sizeof(in) - 1, want, error}
        KIND("\"q,\"\"u\"\"\r\nv\"", "q,\"u\"\\r\\nv", NULL), /* quoted: delimiter, "", CRLF */
        KIND("\"\"", "", NULL),                               /* empty quoted */
        KIND("", "", NULL),                                   /* empty */
        KIND("a\"b", "a\"b", NULL),                           /* bare quote */
        KIND("a\0b", "a\\0b", NULL),                          /* NUL */
        KIND("a\tb\x01", "a\\tb\x01", NULL),                  /* control bytes */
        KIND("\"x\"y", "\"x\"y", "unexpected character 'y' after closing quote"),
#undef KIND
    };
    static const char *ends[] = {"\n", "\r\n", "\r"};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        kbuf in, want;
        kbuf_init(&in, 0);
        kbuf_init(&want, 0);
        for (size_t off = 0; off < 140; off++) {
            put_run(&in, 'x', off);
            kbuf_appendc(&in, ',');
            kbuf_append(&in, kinds[k].in, kinds[k].n);
            kbuf_appends(&in, ",end,");
            put_run(&in, 'z', 70);
            kbuf_appends(&in, ends[off % 3]);
            put_run(&want, 'x', off);
            kbuf_printf(&want, "|%s|end|", kinds[k].want);
            put_run(&want, 'z', 70);
            if (kinds[k].error)
                kbuf_printf(&want, " !%s", kinds[k].error);
            kbuf_appendc(&want, '\n');
        }
        kbuf_appends(&want, "EOF");
        CHECK(check_csv_n(in.p, in.n, defaults, want.p) == 0);
        kbuf_release(&in);
        kbuf_release(&want);
    }
}

/* Positions after a multi-line quoted field, with fields before and after past a block. */
static void test_positions_across_blocks(void)
{
    kbuf in, want;
    kbuf_init(&in, 0);
    kbuf_init(&want, 0);
    put_run(&in, 'a', 70);
    kbuf_appends(&in, ",\"x\ny\",");
    put_run(&in, 'b', 70);
    kbuf_appends(&in, ",c\nd\n");
    kbuf_appends(&want, "@1 1:1=");
    put_run(&want, 'a', 70);
    kbuf_appends(&want, "|1:72=x\\ny|2:4=");
    put_run(&want, 'b', 70);
    kbuf_appends(&want, "|2:75=c raw=");
    put_run(&want, 'a', 70);
    kbuf_appends(&want, ",\"x\\ny\",");
    put_run(&want, 'b', 70);
    kbuf_printf(&want, ",c\n@3 3:1=d raw=d\nEOF read %zu", in.n);
    CHECK_FULL(in.p, want.p);
    kbuf_release(&in);
    kbuf_release(&want);
}

/* Long records with other delimiters: the tab is a delimiter, the comma is data. */
static void test_other_delimiters_long(void)
{
    opts semi = {';', KENC_UTF8, 0}, tab = {'\t', KENC_UTF8, 0};
    kbuf in, want;
    kbuf_init(&in, 0);
    kbuf_init(&want, 0);
    for (int i = 0; i < 40; i++) {
        kbuf_printf(&in, "%d,%d;\"q;%d\";", i, i, i);
        kbuf_printf(&want, "%s%d,%d|q;%d", i ? "|" : "", i, i, i);
    }
    kbuf_appends(&in, "\n");
    kbuf_appends(&want, "|\nEOF");
    CHECK(check_csv_n(in.p, in.n, semi, want.p) == 0);
    kbuf_reset(&in);
    kbuf_reset(&want);
    for (int i = 0; i < 40; i++) {
        kbuf_printf(&in, "%d,%d\t\"q\t%d\"\t", i, i, i);
        kbuf_printf(&want, "%s%d,%d|q\\t%d", i ? "|" : "", i, i, i);
    }
    kbuf_appends(&in, "\r\n");
    kbuf_appends(&want, "|\nEOF");
    CHECK(check_csv_n(in.p, in.n, tab, want.p) == 0);
    kbuf_release(&in);
    kbuf_release(&want);
}

/* One record of thousands of fields, some quoted with "", read whole and in tiny chunks. */
static void test_many_fields_mixed(void)
{
    kbuf in, want;
    kbuf_init(&in, 0);
    kbuf_init(&want, 0);
    for (int i = 0; i < 5000; i++) {
        if (i % 7 == 3)
            kbuf_printf(&in, "%s\"%d\"\"\"", i ? "," : "", i);
        else
            kbuf_printf(&in, "%s%d", i ? "," : "", i % 11 == 5 ? -1 : i);
        if (i % 7 == 3)
            kbuf_printf(&want, "%s%d\"", i ? "|" : "", i);
        else
            kbuf_printf(&want, "%s%d", i ? "|" : "", i % 11 == 5 ? -1 : i);
    }
    kbuf_appends(&in, "\nx\n");
    kbuf_appends(&want, "\nx\nEOF");
    CHECK(check_csv_n(in.p, in.n, defaults, want.p) == 0);
    kbuf_release(&in);
    kbuf_release(&want);
}

/* ---- malformed records ----------------------------------------------------------------- */

static void test_after_closing_quote(void)
{
    CHECK_CSV("\"abc\"x,def\nok,1\n",
              "\"abc\"x|def !unexpected character 'x' after closing quote\nok|1\nEOF");
    CHECK_FULL("1,\"abc\"x,def\nok,1\n",
               "@1 1:1=1|1:3=\"abc\"x|1:10=def raw=1,\"abc\"x,def !unexpected character 'x' "
               "after closing quote @col 8\n@2 2:1=ok|2:4=1 raw=ok,1\nEOF read 18");
    /* quotes after the first one are literal; the record ends at the next line end */
    CHECK_CSV("\"a\"b\"c,d\"\ne\n",
              "\"a\"b\"c|d\" !unexpected character 'b' after closing quote\ne\nEOF");
    CHECK_CSV("\"a\" ,b\n", "\"a\" |b !unexpected character ' ' after closing quote\nEOF");
    CHECK_CSV("\"a\"\xC3\xA9\n", "\"a\"\xC3\xA9 !unexpected character '\xC3\xA9' after closing "
                                 "quote\nEOF");
    CHECK_CSV("\"a\"\x01\n", "\"a\"\x01 !unexpected character '\\x01' after closing quote\nEOF");
    /* only the first problem of a record is reported */
    CHECK_CSV("\"a\"x,\"b\"y\n", "\"a\"x|\"b\"y !unexpected character 'x' after closing quote\n"
                                 "EOF");
    /* at the end of input */
    CHECK_CSV("\"abc\"x", "\"abc\"x !unexpected character 'x' after closing quote\nEOF");
    /* a multi-line field before the problem: the column is in the problem's line */
    CHECK_FULL("\"a\nbc\"x\n",
               "@1 1:1=\"a\\nbc\"x raw=\"a\\nbc\"x !unexpected character 'x' after closing "
               "quote @col 4\nEOF read 8");
}

static void test_unterminated_quote(void)
{
    CHECK_CSV("a,b\nc,\"de\nf\n", "a|b\nERR unterminated quoted field starting at line 2");
    char *f = full("a\n\n\"x\"\"\n\n", defaults);
    CHECK_STR(f, "@1 1:1=a raw=a\nERR unterminated quoted field starting at line 3 at 3:1 "
                 "status INPUT");
    free(f);
    CHECK_CSV("\"", "ERR unterminated quoted field starting at line 1");
    CHECK_CSV("x,\"", "ERR unterminated quoted field starting at line 1");
}

/* ---- BOM and encodings ----------------------------------------------------------------- */

static void test_bom(void)
{
    CHECK_CSV("\xEF\xBB\xBF"
              "a,b\n",
              "a|b\nEOF");
    CHECK_FULL("\xEF\xBB\xBF"
               "a,b\n",
               "@1 1:1=a|1:3=b raw=a,b\nEOF read 7");
    CHECK_CSV("\xEF\xBB\xBF", "EOF");
    CHECK_CSV("\xEF\xBB\xBF\n", "EOF");
    CHECK_CSV("\xEF\xBB\xBF\"q\"\n", "q\nEOF");
    CHECK_CSV("\xEF\xBB", "\xEF\xBB\nEOF"); /* not a whole BOM: data */
    CHECK_CSV("\xEF", "\xEF\nEOF");
    CHECK_CSV("a\n\xEF\xBB\xBF", "a\n\xEF\xBB\xBF\nEOF"); /* only at the very start */
    CHECK_CSV("\xEF\xBB\xBF\xEF\xBB\xBF"
              "a",
              "\xEF\xBB\xBF"
              "a\nEOF");
}

static void test_latin1(void)
{
    opts o = {',', KENC_LATIN1, 0};
    CHECK_CSV_O("caf\xE9,\xFC\x62\x65r\n\"\xE9\xE9\",\x80\n", o,
                "caf\xC3\xA9|\xC3\xBC"
                "ber\n\xC3\xA9\xC3\xA9|\xC2\x80\nEOF");
    char *f = full("\xE9,x\n", o);
    CHECK_STR(f, "@1 1:1=\xC3\xA9|1:4=x raw=\xC3\xA9,x\nEOF read 4"); /* columns in UTF-8 */
    free(f);
    /* a BOM is still recognised (before transcoding) */
    CHECK_CSV_O("\xEF\xBB\xBF\xE9\n", o, "\xC3\xA9\nEOF");
    CHECK_CSV_O("plain ascii\n", o, "plain ascii\nEOF");
}

static void test_cp1252(void)
{
    opts o = {',', KENC_CP1252, 0};
    CHECK_CSV_O("\x80"
                "5,caf\xE9,\x93q\x94,\x81\n",
                o,
                "\xE2\x82\xAC"
                "5|caf\xC3\xA9|\xE2\x80\x9Cq\xE2\x80\x9D|\xC2\x81\nEOF");
    char *f = full("\x80,\x80\n", o);
    CHECK_STR(f, "@1 1:1=\xE2\x82\xAC|1:5=\xE2\x82\xAC raw=\xE2\x82\xAC,\xE2\x82\xAC\nEOF read 4");
    free(f);
}

static void test_utf8_passthrough(void)
{
    /* characters split by a chunk boundary come out whole (bytes are not interpreted) */
    CHECK_CSV("\xE2\x82\xAC,\xF0\x9F\x98\x80\n", "\xE2\x82\xAC|\xF0\x9F\x98\x80\nEOF");
    CHECK_CSV("\xFF\xFE,x\n", "\xFF\xFE|x\nEOF"); /* invalid UTF-8 is the import's business */
}

/* ---- limits and errors ----------------------------------------------------------------- */

static void test_max_record(void)
{
    opts o = {',', KENC_UTF8, 10};
    CHECK_CSV_O("0123456789\nabc\n", o, "0123456789\nabc\nEOF"); /* exactly the limit */
    CHECK_CSV_O("0123456789\r\nabc\r\n", o, "0123456789\nabc\nEOF");
    CHECK_CSV_O("0123456789", o, "0123456789\nEOF");
    CHECK_CSV_O("ok\n01234567890\nabc\n", o, "ok\nERR record at line 2 is longer than 10 bytes");
    CHECK_CSV_O("ok\n01234567890", o, "ok\nERR record at line 2 is longer than 10 bytes");
    /* a runaway quote stops at the limit, not at the end of memory */
    CHECK_CSV_O("\"abc\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n", o,
                "ERR record at line 1 is longer than 10 bytes");
    char *f = full("a\n\"0123\n45678\"\n", o);
    CHECK_STR(f, "@1 1:1=a raw=a\nERR record at line 2 is longer than 10 bytes at 2:0 status "
                 "LIMIT");
    free(f);
}

static void test_big_record_grows_buffer(void)
{
    /* a 3 MiB quoted field: bigger than the first buffer, within the default limit */
    size_t big = (size_t)3 << 20;
    char *in = malloc(big + 16);
    in[0] = '"';
    memset(in + 1, 'x', big);
    memcpy(in + 1 + big, "\",y\nz\n", 6);
    source s = {0};
    kcsv *r;
    kpi_error err;
    CHECK(kcsv_create(source_read, &s, ',', KENC_UTF8, 0, &r, &err) == KPI_OK);
    s.p = in;
    s.n = big + 7;
    krecord rec;
    CHECK_EQ_INT(kcsv_next(r, &rec, &err), 1);
    CHECK_EQ_INT(rec.nfields, 2);
    CHECK_EQ_INT(rec.fields[0].n, big);
    CHECK(rec.fields[0].p[0] == 'x' && rec.fields[0].p[big - 1] == 'x');
    CHECK(rec.fields[1].n == 1 && rec.fields[1].p[0] == 'y');
    CHECK_EQ_INT(kcsv_next(r, &rec, &err), 1);
    CHECK(rec.nfields == 1 && rec.fields[0].p[0] == 'z' && rec.line == 2);
    CHECK_EQ_INT(kcsv_next(r, &rec, &err), 0);
    kcsv_destroy(r);
    free(in);
}

/* Many records over several buffer refills, with quotes, escapes and CRLF across them. */
static void test_many_records_across_refills(void)
{
    kbuf in;
    kbuf_init(&in, 0);
    for (int i = 0; i < 60000; i++)
        kbuf_printf(&in, "%d,\"q,%d\"\"\",line\r\n", i, i);
    size_t chunks[] = {0, 7, 65536 + 3};
    for (size_t c = 0; c < 3; c++) {
        source s = {in.p, in.n, 0, chunks[c], 0, 0, 0};
        kcsv *r;
        kpi_error err;
        CHECK(kcsv_create(source_read, &s, ',', KENC_UTF8, 0, &r, &err) == KPI_OK);
        krecord rec;
        int i = 0, rc, bad = 0;
        char want[64];
        while ((rc = kcsv_next(r, &rec, &err)) == 1) {
            snprintf(want, sizeof want, "q,%d\"", i);
            if (rec.nfields != 3 || rec.line != (unsigned long)i + 1 ||
                rec.fields[1].n != strlen(want) || memcmp(rec.fields[1].p, want, strlen(want)))
                bad++;
            i++;
        }
        CHECK_EQ_INT(rc, 0);
        CHECK_EQ_INT(bad, 0);
        CHECK_EQ_INT(i, 60000);
        CHECK_EQ_INT(kcsv_bytes_read(r), in.n);
        kcsv_destroy(r);
    }
    kbuf_release(&in);
}

static void test_read_error(void)
{
    const char *in = "a,b\nc,d\n";
    source s = {in, strlen(in), 0, 4, 0, 0, 2};
    kcsv *r;
    kpi_error err;
    kpi_error_init(&err);
    CHECK(kcsv_create(source_read, &s, ',', KENC_UTF8, 0, &r, &err) == KPI_OK);
    krecord rec;
    CHECK_EQ_INT(kcsv_next(r, &rec, &err), -1);
    CHECK_EQ_INT(err.status, KPI_IO);
    CHECK_CONTAINS(err.message, "cannot read input");
    kcsv_destroy(r);
}

static void test_bytes_read(void)
{
    opts o = {',', KENC_CP1252, 0};
    char *f = full("\xEF\xBB\xBF\x80\n", o);
    CHECK_STR(f, "@1 1:1=\xE2\x82\xAC raw=\xE2\x82\xAC\nEOF read 5"); /* raw bytes, BOM too */
    free(f);
    kcsv_destroy(NULL);
}

/* ---- writing --------------------------------------------------------------------------- */

static void test_write_field(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "plain"},       {"", ""},
        {"a,b", "\"a,b\""},       {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"\"", "\"\"\"\""},       {"l1\nl2", "\"l1\nl2\""},
        {"cr\r", "\"cr\r\""},     {" lead", "\" lead\""},
        {"trail ", "\"trail \""}, {"\ttab", "\"\ttab\""},
        {"in side", "in side"},   {"a;b", "a;b"},
        {"x\"", "\"x\"\"\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kbuf b;
        kbuf_init(&b, 0);
        CHECK(kcsv_write_field(&b, cases[i].in, strlen(cases[i].in), ','));
        CHECK_STR(b.p ? b.p : "", cases[i].out);
        kbuf_release(&b);
    }
    kbuf b;
    kbuf_init(&b, 0);
    CHECK(kcsv_write_field(&b, "a;b", 3, ';'));
    CHECK_STR(b.p, "\"a;b\"");
    kbuf_release(&b);
    /* past the buffer's cap: false, buffer unchanged */
    kbuf_init(&b, 8);
    CHECK(kcsv_write_field(&b, "ab", 2, ','));
    CHECK(!kcsv_write_field(&b, "x,yzzz", 6, ','));
    CHECK_STR(b.p, "ab");
    kbuf_release(&b);
}

/* Fields written with kcsv_write_field read back as themselves. */
static void test_write_read_roundtrip(void)
{
    static const char *fields[] = {"plain", "",     "a,b",  "\"q\"", "l1\r\nl2",
                                   "\r",    " sp ", "x\"y", "\n",    "\xC3\xA9"};
    size_t nf = sizeof fields / sizeof fields[0];
    kbuf b;
    kbuf_init(&b, 0);
    for (int rec = 0; rec < 3; rec++) {
        for (size_t i = 0; i < nf; i++) {
            if (i)
                kbuf_appendc(&b, ',');
            CHECK(kcsv_write_field(&b, fields[i], strlen(fields[i]), ','));
        }
        kbuf_appends(&b, rec == 1 ? "\r\n" : "\n");
    }
    source s = {b.p, b.n, 0, 3, 0, 0, 0};
    kcsv *r;
    kpi_error err;
    CHECK(kcsv_create(source_read, &s, ',', KENC_UTF8, 0, &r, &err) == KPI_OK);
    krecord rec;
    int n = 0;
    while (kcsv_next(r, &rec, &err) == 1) {
        n++;
        CHECK_EQ_INT(rec.nfields, nf);
        CHECK(rec.error == NULL);
        for (size_t i = 0; i < nf && i < rec.nfields; i++)
            CHECK(rec.fields[i].n == strlen(fields[i]) &&
                  memcmp(rec.fields[i].p, fields[i], rec.fields[i].n) == 0);
    }
    CHECK_EQ_INT(n, 3);
    kcsv_destroy(r);
    kbuf_release(&b);
}

int main(void)
{
    RUN(test_simple_records);
    RUN(test_line_ends);
    RUN(test_blank_lines_skipped);
    RUN(test_empty_fields);
    RUN(test_quoted_fields);
    RUN(test_raw_bytes_kept_when_unescaping);
    RUN(test_bare_quote_is_literal);
    RUN(test_whitespace_preserved);
    RUN(test_other_delimiters);
    RUN(test_invalid_delimiter);
    RUN(test_nul_bytes);
    RUN(test_many_fields);
    RUN(test_positions);
    RUN(test_fields_across_blocks);
    RUN(test_positions_across_blocks);
    RUN(test_other_delimiters_long);
    RUN(test_many_fields_mixed);
    RUN(test_after_closing_quote);
    RUN(test_unterminated_quote);
    RUN(test_bom);
    RUN(test_latin1);
    RUN(test_cp1252);
    RUN(test_utf8_passthrough);
    RUN(test_max_record);
    RUN(test_big_record_grows_buffer);
    RUN(test_many_records_across_refills);
    RUN(test_read_error);
    RUN(test_bytes_read);
    RUN(test_write_field);
    RUN(test_write_read_roundtrip);
    return tap_done();
}
