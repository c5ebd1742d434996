/*
 * test_utf8.c - encoding names, UTF-8 validation (overlongs, surrogates, out-of-range and
 * truncated sequences, at every position relative to the 8-byte ASCII fast path) and the
 * latin1 / windows-1252 to UTF-8 tables.
 */
#include "util/util.h"

#include "../tap.h"

static void test_encoding_names(void)
{
    static const struct {
        const char *name;
        kencoding enc;
    } ok[] = {
        {"utf-8", KENC_UTF8},          {"UTF-8", KENC_UTF8},          {"utf8", KENC_UTF8},
        {"Utf8", KENC_UTF8},           {"latin1", KENC_LATIN1},       {"LATIN1", KENC_LATIN1},
        {"latin-1", KENC_LATIN1},      {"iso-8859-1", KENC_LATIN1},   {"ISO-8859-1", KENC_LATIN1},
        {"windows-1252", KENC_CP1252}, {"Windows-1252", KENC_CP1252}, {"cp1252", KENC_CP1252},
        {"CP1252", KENC_CP1252},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        kencoding e = KENC_UTF8;
        CHECK(kencoding_parse(kstr_c(ok[i].name), &e));
        CHECK_EQ_INT(e, ok[i].enc);
    }
    static const char *bad[] = {"",       "utf-16",  "utf",    "latin",
                                "latin2", "cp-1252", "utf-8 ", "ascii"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kencoding e = KENC_LATIN1;
        CHECK(!kencoding_parse(kstr_c(bad[i]), &e));
        CHECK_EQ_INT(e, KENC_LATIN1); /* untouched on failure */
    }
    /* a kstr that is not NUL-terminated */
    kencoding e;
    CHECK(kencoding_parse((kstr){"utf8xyz", 4}, &e) && e == KENC_UTF8);
}

static void test_encoding_name_roundtrip(void)
{
    CHECK_STR(kencoding_name(KENC_UTF8), "utf-8");
    CHECK_STR(kencoding_name(KENC_LATIN1), "latin1");
    CHECK_STR(kencoding_name(KENC_CP1252), "windows-1252");
    kencoding encs[] = {KENC_UTF8, KENC_LATIN1, KENC_CP1252};
    for (size_t i = 0; i < 3; i++) {
        kencoding e;
        CHECK(kencoding_parse(kstr_c(kencoding_name(encs[i])), &e));
        CHECK_EQ_INT(e, encs[i]);
    }
}

static size_t vp(const char *s)
{
    return kutf8_valid_prefix(s, strlen(s));
}

static void test_valid_utf8(void)
{
    CHECK_EQ_INT(kutf8_valid_prefix("", 0), 0);
    CHECK_EQ_INT(vp("hello"), 5);
    CHECK_EQ_INT(vp("caf\xC3\xA9"), 5);             /* é */
    CHECK_EQ_INT(vp("\xE2\x82\xAC"), 3);            /* € */
    CHECK_EQ_INT(vp("\xF0\x9F\x98\x80"), 4);        /* U+1F600 */
    CHECK_EQ_INT(vp("\xC2\x80"), 2);                /* U+0080, smallest 2-byte */
    CHECK_EQ_INT(vp("\xDF\xBF"), 2);                /* U+07FF */
    CHECK_EQ_INT(vp("\xE0\xA0\x80"), 3);            /* U+0800, smallest 3-byte */
    CHECK_EQ_INT(vp("\xED\x9F\xBF"), 3);            /* U+D7FF, below the surrogates */
    CHECK_EQ_INT(vp("\xEE\x80\x80"), 3);            /* U+E000, above them */
    CHECK_EQ_INT(vp("\xEF\xBF\xBF"), 3);            /* U+FFFF */
    CHECK_EQ_INT(vp("\xF0\x90\x80\x80"), 4);        /* U+10000 */
    CHECK_EQ_INT(vp("\xF4\x8F\xBF\xBF"), 4);        /* U+10FFFF, the last */
    CHECK_EQ_INT(kutf8_valid_prefix("a\0b", 3), 3); /* NUL is valid UTF-8 */
    CHECK_EQ_INT(vp("abcdefghijklmnopqrstuvwxyz\xC3\xA9!"), 29);
}

static void test_invalid_utf8(void)
{
    CHECK_EQ_INT(vp("\xC0\x80"), 0);         /* overlong NUL */
    CHECK_EQ_INT(vp("\xC1\xBF"), 0);         /* overlong 2-byte */
    CHECK_EQ_INT(vp("\xE0\x80\x80"), 0);     /* overlong 3-byte */
    CHECK_EQ_INT(vp("\xE0\x9F\xBF"), 0);     /* overlong U+07FF */
    CHECK_EQ_INT(vp("\xF0\x80\x80\x80"), 0); /* overlong 4-byte */
    CHECK_EQ_INT(vp("\xF0\x8F\xBF\xBF"), 0); /* overlong U+FFFF */
    CHECK_EQ_INT(vp("\xED\xA0\x80"), 0);     /* U+D800, a surrogate */
    CHECK_EQ_INT(vp("\xED\xBF\xBF"), 0);     /* U+DFFF */
    CHECK_EQ_INT(vp("\xF4\x90\x80\x80"), 0); /* U+110000 */
    CHECK_EQ_INT(vp("\xF5\x80\x80\x80"), 0);
    CHECK_EQ_INT(vp("\xF7\xBF\xBF\xBF"), 0);
    CHECK_EQ_INT(vp("\xF8\x88\x80\x80\x80"), 0); /* 5-byte form */
    CHECK_EQ_INT(vp("\xFE"), 0);
    CHECK_EQ_INT(vp("\xFF"), 0);
    CHECK_EQ_INT(vp("\x80"), 0); /* lone continuation */
    CHECK_EQ_INT(vp("ab\xBF"), 2);
    CHECK_EQ_INT(vp("\xC3\xA9\xA9"), 2); /* extra continuation */
    CHECK_EQ_INT(vp("\xC3"
                    "a"),
                 0); /* continuation missing */
    CHECK_EQ_INT(vp("\xE2\x82"
                    "a"),
                 0);
    CHECK_EQ_INT(vp("\xF0\x9F\x98"
                    "a"),
                 0);
    CHECK_EQ_INT(vp("caf\xE9"), 3); /* latin1 é */
}

static void test_truncated_utf8(void)
{
    /* a sequence cut by the end is not part of the valid prefix */
    CHECK_EQ_INT(vp("ab\xC3"), 2);
    CHECK_EQ_INT(vp("ab\xE2\x82"), 2);
    CHECK_EQ_INT(vp("ab\xE2"), 2);
    CHECK_EQ_INT(vp("ab\xF0\x9F\x98"), 2);
    CHECK_EQ_INT(vp("ab\xF0\x9F"), 2);
    CHECK_EQ_INT(kutf8_valid_prefix("\xE2\x82\xAC", 2), 0);
    CHECK_EQ_INT(kutf8_valid_prefix("x\xF0\x9F\x98\x80", 4), 1);
}

/* Every position of a bad byte relative to the 8-byte ASCII fast path. */
static void test_fast_path_positions(void)
{
    char buf[64];
    for (size_t pos = 0; pos < 40; pos++) {
        for (size_t len = pos + 1; len <= 48; len += 3) {
            memset(buf, 'a', sizeof buf);
            buf[pos] = (char)0xFF;
            CHECK_EQ_INT(kutf8_valid_prefix(buf, len), pos);
            /* the same place holding a valid 2-byte character */
            buf[pos] = (char)0xC3;
            buf[pos + 1] = (char)0xA9;
            size_t want = len == pos + 1 ? pos : len;
            CHECK_EQ_INT(kutf8_valid_prefix(buf, len), want);
        }
    }
}

static void test_transcode_latin1(void)
{
    char in[256], out[768];
    for (int i = 0; i < 256; i++)
        in[i] = (char)i;
    size_t n = ktranscode_to_utf8(KENC_LATIN1, in, 256, out);
    CHECK_EQ_INT(n, 128 + 128 * 2);
    CHECK_EQ_INT(kutf8_valid_prefix(out, n), n);
    CHECK(memcmp(out, in, 128) == 0);
    /* every byte >= 0x80 is the code point of the same value */
    for (int b = 0x80; b < 0x100; b++) {
        const unsigned char *u = (const unsigned char *)out + 128 + (b - 0x80) * 2;
        CHECK_EQ_INT(((u[0] & 0x1F) << 6) | (u[1] & 0x3F), b);
    }
    n = ktranscode_to_utf8(KENC_LATIN1, "caf\xE9 \xFF", 6, out);
    CHECK(n == 8 && memcmp(out, "caf\xC3\xA9 \xC3\xBF", 8) == 0);
}

/* Decodes one UTF-8 character (valid input) and advances *p. */
static unsigned decode(const unsigned char **p)
{
    const unsigned char *s = *p;
    unsigned cp;
    if (s[0] < 0x80) {
        cp = s[0];
        *p += 1;
    } else if (s[0] < 0xE0) {
        cp = ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
        *p += 2;
    } else {
        cp = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
        *p += 3;
    }
    return cp;
}

static void test_transcode_cp1252(void)
{
    /* the whole 0x80..0x9F block, from the Unicode consortium's CP1252.TXT */
    static const unsigned want[32] = {
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    };
    char in[256], out[768];
    for (int i = 0; i < 256; i++)
        in[i] = (char)i;
    size_t n = ktranscode_to_utf8(KENC_CP1252, in, 256, out);
    CHECK_EQ_INT(kutf8_valid_prefix(out, n), n);
    const unsigned char *u = (const unsigned char *)out;
    for (unsigned b = 0; b < 256; b++) {
        unsigned cp = decode(&u);
        unsigned expect = b >= 0x80 && b < 0xA0 ? want[b - 0x80] : b;
        if (cp != expect)
            printf("#   byte 0x%02x -> U+%04X, want U+%04X\n", b, cp, expect);
        CHECK_EQ_INT(cp, expect);
    }
    CHECK_EQ_INT((const char *)u - out, n);
    n = ktranscode_to_utf8(KENC_CP1252, "\x80 caf\xE9", 6, out);
    CHECK(n == 9 && memcmp(out, "\xE2\x82\xAC caf\xC3\xA9", 9) == 0);
    n = ktranscode_to_utf8(KENC_CP1252, "\x81\x8D\x8F\x90\x9D", 5, out);
    CHECK(n == 10 && memcmp(out, "\xC2\x81\xC2\x8D\xC2\x8F\xC2\x90\xC2\x9D", 10) == 0);
    CHECK_EQ_INT(ktranscode_to_utf8(KENC_CP1252, "", 0, out), 0);
}

static void test_transcode_long_ascii_runs(void)
{
    char in[100], out[300];
    memset(in, 'x', sizeof in);
    in[50] = (char)0xE9;
    in[99] = (char)0x80;
    size_t n = ktranscode_to_utf8(KENC_CP1252, in, sizeof in, out);
    CHECK_EQ_INT(n, 98 + 2 + 3);
    CHECK(memcmp(out + 50, "\xC3\xA9", 2) == 0);
    CHECK(memcmp(out + 100, "\xE2\x82\xAC", 3) == 0);
    CHECK_EQ_INT(ktranscode_to_utf8(KENC_UTF8, "\xC3\xA9", 2, out), 2); /* copied as is */
}

int main(void)
{
    RUN(test_encoding_names);
    RUN(test_encoding_name_roundtrip);
    RUN(test_valid_utf8);
    RUN(test_invalid_utf8);
    RUN(test_truncated_utf8);
    RUN(test_fast_path_positions);
    RUN(test_transcode_latin1);
    RUN(test_transcode_cp1252);
    RUN(test_transcode_long_ascii_runs);
    return tap_done();
}
