/*
 * yaml.c - kpi.yaml as a tree whose every node knows its file:line:column. libfyaml 0.7 has no
 * public way to get a document node's position, so the tree is built from its event stream,
 * which does carry marks. Syntax errors are collected from libfyaml's diagnostics instead of
 * being printed, and the input is checked first for what libfyaml would silently stop at.
 */
#include "model_int.h"

#include <libfyaml.h>

#include <stdio.h>
#include <string.h>

#define KY_MAX_DEPTH 64

/* ---- building the tree from events ------------------------------------------------------- */

static void noop_output(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
    (void)diag, (void)user, (void)buf, (void)len;
}

/* Reports libfyaml's first collected error, or a generic one at line:column. */
static kpi_status syntax_error(kyctx *c, struct fy_diag *diag, unsigned long line,
                               unsigned long column)
{
    void *it = NULL;
    struct fy_diag_error *de;
    while ((de = fy_diag_errors_iterate(diag, &it))) {
        if (de->type < FYET_ERROR || !de->msg)
            continue;
        char msg[512];
        snprintf(msg, sizeof msg, "%s", de->msg);
        if (msg[0] >= 'A' && msg[0] <= 'Z' && !(msg[1] >= 'A' && msg[1] <= 'Z'))
            msg[0] = (char)(msg[0] + 32);
        return kerr_set_at(
            c->err, KPI_DEFINITION, c->doc->file, de->line > 0 ? (unsigned long)de->line : line,
            de->column > 0 ? (unsigned long)de->column : column, "invalid yaml: %s", msg);
    }
    return kerr_set_at(c->err, KPI_DEFINITION, c->doc->file, line, column, "invalid yaml");
}

/* Rejects what libfyaml would silently cut the input at: NUL bytes and invalid UTF-8. */
static kpi_status check_bytes(kyctx *c, const char *p, size_t n)
{
    const char *z = memchr(p, '\0', n);
    size_t nul = z ? (size_t)(z - p) : n;
    size_t bad = kutf8_valid_prefix(p, nul);
    if (bad == n)
        return KPI_OK;
    unsigned long line = 1, column = 1;
    for (size_t i = 0; i < bad; i++) {
        if (p[i] == '\n') {
            line++;
            column = 1;
        } else if (((unsigned char)p[i] & 0xC0) != 0x80) {
            column++;
        }
    }
    if (bad == nul)
        return kerr_set_at(c->err, KPI_DEFINITION, c->doc->file, line, column,
                           "unexpected nul byte (is this a text file?)");
    return kerr_set_at(c->err, KPI_DEFINITION, c->doc->file, line, column,
                       "invalid utf-8 byte 0x%02x (kpi.yaml files must be utf-8)",
                       (unsigned)(unsigned char)p[bad]);
}

/*
 * Rejects explicit keys ("? key"), which kpi.yaml never needs: its keys are plain names, and
 * libfyaml 0.7.12 frees memory twice in fy_parser_destroy on some of them (a "? a:" whose
 * value follows a tab, as in "? a:\t-"). A line whose first node starts with "? " is refused
 * before libfyaml sees it; a continuation line of a multi-line string that starts with "? "
 * is refused too, which costs little.
 */
static kpi_status check_explicit_keys(kyctx *c, const char *p, size_t n)
{
    size_t i = n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0 ? 3 : 0, line_start = i;
    unsigned long line = 1;
    while (i < n) {
        /* skip indentation and any "- " / "? " indicators before the first node */
        size_t j = i;
        for (;;) {
            while (j < n && (p[j] == ' ' || p[j] == '\t'))
                j++;
            bool ind = j < n && (p[j] == '-' || p[j] == '?') &&
                       (j + 1 == n || strchr(" \t\r\n", p[j + 1]));
            if (!ind)
                break;
            if (p[j] == '?')
                return kerr_set_at(c->err, KPI_DEFINITION, c->doc->file, line,
                                   (unsigned long)(j - line_start) + 1,
                                   "explicit yaml keys ('? ') are not supported in kpi.yaml; "
                                   "write 'name: value'");
            j++;
        }
        while (j < n && p[j] != '\n')
            j++;
        i = line_start = j + 1;
        line++;
    }
    return KPI_OK;
}

typedef struct builder {
    kyctx *c;
    kynode *stack[KY_MAX_DEPTH];
    kynode *last[KY_MAX_DEPTH]; /* last child of each open collection */
    int depth;
    kynode *root;
    unsigned long line, column; /* of the last node, for marks libfyaml leaves out */
    size_t pos;
    const kynode *garbled; /* the first scalar libfyaml could not decode */
} builder;

static bool is_break(char ch)
{
    return ch == '\n' || ch == '\r';
}

/*
 * The value of a single-quoted scalar from its raw text between the quotes: '' is a quote, and
 * line breaks fold (one break and the spaces around it: a space; n + 1 breaks: n newlines).
 * Done here because libfyaml 0.7.12 leaks memory in fy_token_get_text (and its token iterator
 * decodes wrongly) when a single-quoted scalar holds consecutive '' escapes.
 */
static char *single_quoted(karena *a, const char *raw, size_t n, size_t *len)
{
    char *out = karena_alloc(a, n + 1), *o = out;
    if (!out)
        return NULL;
    size_t i = 0, breaks = 0;
    bool first = true;
    while (i <= n) {
        size_t end = i;
        while (end < n && !is_break(raw[end]))
            end++;
        size_t b = i, e = end;
        if (!first)
            while (b < e && (raw[b] == ' ' || raw[b] == '\t'))
                b++;
        if (end < n)
            while (e > b && (raw[e - 1] == ' ' || raw[e - 1] == '\t'))
                e--;
        if (b == e && end < n && !first) {
            breaks++; /* an empty line inside: becomes a newline */
        } else {
            if (!first) {
                if (breaks == 0)
                    *o++ = ' ';
                for (; breaks > 0; breaks--)
                    *o++ = '\n';
            }
            for (size_t j = b; j < e; j++) {
                *o++ = raw[j];
                if (raw[j] == '\'' && j + 1 < e && raw[j + 1] == '\'')
                    j++;
            }
            first = false;
        }
        if (end >= n)
            break;
        i = end + (raw[end] == '\r' && end + 1 < n && raw[end + 1] == '\n' ? 2 : 1);
    }
    *o = '\0';
    *len = (size_t)(o - out);
    return out;
}

/* True when a token's source is only blanks and line breaks. */
static bool blank_token(const kyctx *c, struct fy_token *value)
{
    const struct fy_mark *s = fy_token_start_mark(value), *e = fy_token_end_mark(value);
    if (!s || !e || s->input_pos > e->input_pos || e->input_pos > c->doc->len)
        return false;
    for (size_t i = s->input_pos; i < e->input_pos; i++)
        if (!strchr(" \t\r\n", c->doc->text[i]))
            return false;
    return true;
}

/*
 * The text of a scalar event, in the scratch arena; NULL when out of memory. libfyaml 0.7's
 * fy_token_get_text is not used: it formats the text in a buffer sized by a separate length
 * pass, and when the two passes disagree it pads the text with NULs, truncates it, or fails
 * and leaks. The text is assembled from the token iterator's chunks instead (the same text,
 * without the length pass; fy_token_iter_read is broken in 0.7). *garbled is set when the
 * iterator fails. Single-quoted scalars are decoded here: 0.7 garbles consecutive '' escapes.
 */
static const char *scalar_text(kyctx *c, struct fy_token *value, size_t *len, bool *garbled)
{
    *garbled = false;
    if (fy_token_scalar_style(value) == FYSS_SINGLE_QUOTED) {
        const struct fy_mark *s = fy_token_start_mark(value), *e = fy_token_end_mark(value);
        if (s && e && s->input_pos <= e->input_pos && e->input_pos <= c->doc->len)
            return single_quoted(c->scratch, c->doc->text + s->input_pos,
                                 e->input_pos - s->input_pos, len);
    }
    enum fy_scalar_style style = fy_token_scalar_style(value);
    if ((style == FYSS_LITERAL || style == FYSS_FOLDED) && blank_token(c, value)) {
        *len = 0; /* libfyaml reads uninitialised memory on some of these */
        return karena_strdup(c->scratch, "");
    }
    struct fy_token_iter *it = fy_token_iter_create(value);
    if (!it)
        return NULL;
    kbuf b;
    kbuf_init(&b, 4 * c->doc->len + 64); /* far more than any decoding can produce */
    bool ok = kbuf_reserve(&b, 1), runaway = false;
    int rc = 0;
    const struct fy_iter_chunk *ic = NULL;
    while (ok && !runaway && (ic = fy_token_iter_chunk_next(it, ic, &rc)) != NULL) {
        runaway = ic->len > b.limit - b.n;
        ok = runaway || kbuf_append(&b, ic->str, ic->len);
    }
    fy_token_iter_destroy(it);
    char *text = NULL;
    if (ok) {
        *garbled = runaway || rc < 0;
        *len = *garbled ? 0 : b.n;
        text = karena_strndup(c->scratch, *garbled ? "" : b.p, *len);
    }
    kbuf_release(&b);
    return text;
}

/* Makes a node for a scalar or collection event and hangs it in the tree. */
static kpi_status add_node(builder *b, struct fy_event *e, kynode **out)
{
    kyctx *c = b->c;
    kynode *n = karena_alloc(c->scratch, sizeof *n);
    if (!n)
        return ky_nomem(c);
    const struct fy_mark *m = fy_event_start_mark(e);
    if (m && m->line >= 0 && m->column >= 0) {
        b->line = (unsigned long)m->line + 1;
        b->column = (unsigned long)m->column + 1;
        b->pos = m->input_pos;
    }
    n->line = b->line;
    n->column = b->column;
    n->pos = b->pos;
    if (e->type == FYET_SCALAR) {
        size_t len = 0;
        bool garbled;
        const char *t = scalar_text(c, e->scalar.value, &len, &garbled);
        if (!t)
            return ky_nomem(c);
        if (garbled && !b->garbled)
            b->garbled = n; /* reported after the parse, unless it fails on a syntax error */
        enum fy_scalar_style st = fy_token_scalar_style(e->scalar.value);
        n->style = st == FYSS_SINGLE_QUOTED || st == FYSS_DOUBLE_QUOTED ? KYS_QUOTED
                   : st == FYSS_LITERAL || st == FYSS_FOLDED            ? KYS_BLOCK
                                                                        : KYS_PLAIN;
        /* libfyaml marks a quoted scalar at its text; errors point at the opening quote */
        const char *in = c->doc->text;
        if (n->style == KYS_QUOTED && m && n->pos > 0 && n->column > 1 &&
            (in[n->pos - 1] == '"' || in[n->pos - 1] == '\'')) {
            n->pos--;
            n->column--;
        }
        n->text = t;
        n->len = len;
        kstr s = {t, len};
        bool null =
            n->style == KYS_PLAIN && (len == 0 || kstr_eq_c(s, "~") || kstr_eq_c(s, "null") ||
                                      kstr_eq_c(s, "Null") || kstr_eq_c(s, "NULL"));
        n->type = null ? KY_NULL : KY_SCALAR;
    } else {
        n->type = e->type == FYET_MAPPING_START ? KY_MAP : KY_SEQ;
    }
    if (b->depth == 0) {
        b->root = n;
    } else {
        kynode *parent = b->stack[b->depth - 1];
        if (b->last[b->depth - 1])
            b->last[b->depth - 1]->next = n;
        else
            parent->child = n;
        b->last[b->depth - 1] = n;
        parent->nitems++;
    }
    *out = n;
    return KPI_OK;
}

/* Grows the tree by one parser event; refuses what kpi.yaml has no use for. */
static kpi_status on_event(builder *b, struct fy_event *e, int *ndocs)
{
    kyctx *c = b->c;
    kynode *n;
    kpi_status st;
    switch (e->type) {
    case FYET_DOCUMENT_START:
        if (++*ndocs > 1) {
            const struct fy_mark *m = fy_event_start_mark(e);
            return kerr_set_at(c->err, KPI_DEFINITION, c->doc->file,
                               m ? (unsigned long)m->line + 1 : b->line,
                               m ? (unsigned long)m->column + 1 : b->column,
                               "expected one yaml document, found a second one");
        }
        return KPI_OK;
    case FYET_ALIAS: {
        /* the mark is at the alias's name; point at its '*' */
        const struct fy_mark *m = fy_event_start_mark(e);
        unsigned long line = m ? (unsigned long)m->line + 1 : b->line;
        unsigned long column = m ? (unsigned long)m->column + 1 : b->column;
        if (m && m->input_pos > 0 && m->input_pos <= c->doc->len &&
            c->doc->text[m->input_pos - 1] == '*' && column > 1)
            column--;
        return kerr_set_at(c->err, KPI_DEFINITION, c->doc->file, line, column,
                           "yaml aliases (*name) are not supported in kpi.yaml");
    }
    case FYET_SCALAR:
        return add_node(b, e, &n);
    case FYET_MAPPING_START:
    case FYET_SEQUENCE_START:
        if ((st = add_node(b, e, &n)) != KPI_OK)
            return st;
        if (b->depth == KY_MAX_DEPTH)
            return ky_err(c, n, "too deeply nested (more than %d levels)", KY_MAX_DEPTH);
        b->stack[b->depth] = n;
        b->last[b->depth] = NULL;
        b->depth++;
        return KPI_OK;
    case FYET_MAPPING_END:
    case FYET_SEQUENCE_END:
        if (b->depth > 0)
            b->depth--;
        return KPI_OK;
    default:
        return KPI_OK;
    }
}

kpi_status ky_parse(kyctx *c, kydoc *doc)
{
    c->doc = doc;
    doc->root = NULL;
    kpi_status st = check_bytes(c, doc->text, doc->len);
    if (st == KPI_OK)
        st = check_explicit_keys(c, doc->text, doc->len);
    if (st != KPI_OK)
        return st;

    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = noop_output;
    dcfg.colorize = false;
    struct fy_diag *diag = fy_diag_create(&dcfg);
    if (!diag)
        return ky_nomem(c);
    fy_diag_set_collect_errors(diag, true);
    struct fy_parse_cfg pcfg = {.flags = FYPCF_QUIET | FYPCF_JSON_NONE, .diag = diag};
    struct fy_parser *p = fy_parser_create(&pcfg);
    if (!p) {
        st = ky_nomem(c);
        goto out_diag;
    }
    if (fy_parser_set_string(p, doc->text, doc->len) != 0) {
        st = ky_nomem(c);
        goto out_parser;
    }
    builder b = {.c = c, .line = 1, .column = 1};
    int ndocs = 0;
    struct fy_event *e;
    while ((e = fy_parser_parse(p))) {
        st = on_event(&b, e, &ndocs);
        fy_parser_event_free(p, e);
        if (st != KPI_OK)
            goto out_parser;
    }
    if (fy_parser_get_stream_error(p)) {
        st = syntax_error(c, diag, b.line, b.column);
        goto out_parser;
    }
    if (b.garbled) {
        st = ky_err(c, b.garbled,
                    "cannot read this value reliably (the yaml library mis-decodes its "
                    "layout); write it on one line");
        goto out_parser;
    }
    doc->root = b.root;
    st = KPI_OK;
out_parser:
    fy_parser_destroy(p);
out_diag:
    fy_diag_destroy(diag);
    return st;
}
