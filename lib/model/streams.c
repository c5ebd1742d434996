/*
 * streams.c - the `streams:` section of kpi.yaml: each stream's kind, time and id fields,
 * file options (encoding, delimiter) and typed fields with their parsing options, validated
 * so that the store and the importer can trust every name, type and option they are given.
 */
#include "model_int.h"
#include "../util/ktime.h"

#include <stdio.h>
#include <string.h>

enum { SK_KIND, SK_TIME, SK_ID, SK_ENCODING, SK_DELIMITER, SK_FIELDS, SK_N };
static const char *const stream_keys[SK_N] = {"kind",     "time",      "id",
                                              "encoding", "delimiter", "fields"};

enum {
    FK_TYPE,
    FK_COLUMN,
    FK_FORMAT,
    FK_TIMEZONE,
    FK_DECIMAL,
    FK_SCALE,
    FK_ROUND,
    FK_REQUIRED,
    FK_N
};
static const char *const field_keys[FK_N] = {"type",    "column", "format", "timezone",
                                             "decimal", "scale",  "round",  "required"};

/* Indexed by kpi_field_type. */
static const char *const type_names[] = {"time", "date", "number", "integer", "text", "bool"};
#define NTYPES (sizeof type_names / sizeof type_names[0])

/* Indexed by kstream_kind. */
static const char *const kind_names[] = {"events", "snapshots"};

/* The canonical spellings, for suggestions (kencoding_parse accepts a few more). */
static const char *const encoding_names[] = {"utf-8", "latin1", "windows-1252"};

#define DEFAULT_SCALE 4

/* Where the options of one field were written, for errors found after the field is read. */
typedef struct field_nodes {
    const kynode *column;   /* the node naming the column: `column:` value, else the key */
    const kynode *required; /* the `required:` value, or NULL */
} field_nodes;

/* Rejects names that are not identifiers or that the store keeps for itself. */
static kpi_status check_name(kyctx *c, const kynode *k, const char *noun, const char *where)
{
    kstr s = {k->text, k->len};
    if (!kident_valid(s))
        return ky_err(c, k,
                      "invalid %s name '%s'%s (expected lowercase letters, digits and '_', "
                      "not starting with a digit, at most 63 characters)",
                      noun, ky_show(c, k), where);
    if ((s.n >= 4 && memcmp(s.p, "kpi_", 4) == 0) || (s.n >= 7 && memcmp(s.p, "sqlite_", 7) == 0))
        return ky_err(c, k,
                      "%s name '%s'%s is reserved (names starting with 'kpi_' or 'sqlite_' "
                      "belong to the store)",
                      noun, ky_show(c, k), where);
    if (strcmp(noun, "field") == 0 && s.p[0] == '_')
        return ky_err(c, k,
                      "field name '%s'%s is reserved (names starting with '_' belong to the "
                      "store)",
                      ky_show(c, k), where);
    return KPI_OK;
}

/* `column`, `format`, `timezone`, `decimal`, `scale`, `round`, `required` of a field in map
 * form. */
static kpi_status field_options(kyctx *c, const kstream *s, kfield *f, const kynode **keys,
                                const kynode **vals, field_nodes *nodes)
{
    char where[160], what[200];
    snprintf(where, sizeof where, "in field '%s' of stream '%s'", f->name, s->name);
    kpi_status st;
#define WHAT(key) (snprintf(what, sizeof what, "'%s' %s", key, where), what)
    if (vals[FK_COLUMN]) {
        if ((st = ky_str(c, vals[FK_COLUMN], WHAT("column"), &f->column)) != KPI_OK)
            return st;
        nodes->column = vals[FK_COLUMN];
    }
    if (vals[FK_FORMAT]) {
        if (f->type != KPI_FIELD_TIME && f->type != KPI_FIELD_DATE)
            return ky_err(c, keys[FK_FORMAT],
                          "'format' applies only to time and date fields, and field '%s' of "
                          "stream '%s' is %s",
                          f->name, s->name, type_names[f->type]);
        if ((st = ky_str(c, vals[FK_FORMAT], WHAT("format"), &f->format)) != KPI_OK)
            return st;
        char why[256];
        if (!ktime_format_check(f->format, why, sizeof why))
            return ky_err(c, vals[FK_FORMAT], "invalid format for field '%s' of stream '%s': %s",
                          f->name, s->name, why);
    }
    if (vals[FK_TIMEZONE]) {
        if (f->type != KPI_FIELD_TIME)
            return ky_err(c, keys[FK_TIMEZONE],
                          "'timezone' applies only to time fields, and field '%s' of stream "
                          "'%s' is %s",
                          f->name, s->name, type_names[f->type]);
        if ((st = ky_str(c, vals[FK_TIMEZONE], WHAT("timezone"), &f->timezone)) != KPI_OK)
            return st;
    }
    if (vals[FK_DECIMAL]) {
        if (f->type != KPI_FIELD_NUMBER && f->type != KPI_FIELD_INTEGER)
            return ky_err(c, keys[FK_DECIMAL],
                          "'decimal' applies only to number and integer fields, and field '%s' "
                          "of stream '%s' is %s",
                          f->name, s->name, type_names[f->type]);
        const char *d;
        if ((st = ky_str(c, vals[FK_DECIMAL], WHAT("decimal"), &d)) != KPI_OK)
            return st;
        if (strcmp(d, ".") != 0 && strcmp(d, ",") != 0)
            return ky_err(c, vals[FK_DECIMAL], "expected '.' or ',' for %s, not '%s'",
                          WHAT("decimal"), ky_show(c, vals[FK_DECIMAL]));
        f->decimal = d[0];
    }
    if (vals[FK_SCALE]) {
        if (f->type != KPI_FIELD_NUMBER)
            return ky_err(c, keys[FK_SCALE],
                          "'scale' applies only to number fields, and field '%s' of stream '%s' "
                          "is %s",
                          f->name, s->name, type_names[f->type]);
        if ((st = ky_int(c, vals[FK_SCALE], WHAT("scale"), 0, 9, &f->scale)) != KPI_OK)
            return st;
    }
    if (vals[FK_ROUND]) {
        if (f->type != KPI_FIELD_NUMBER)
            return ky_err(c, keys[FK_ROUND],
                          "'round' applies only to number fields, and field '%s' of stream '%s' "
                          "is %s",
                          f->name, s->name, type_names[f->type]);
        if ((st = ky_bool(c, vals[FK_ROUND], WHAT("round"), &f->round)) != KPI_OK)
            return st;
    }
    if (vals[FK_REQUIRED]) {
        if ((st = ky_bool(c, vals[FK_REQUIRED], WHAT("required"), &f->required)) != KPI_OK)
            return st;
        nodes->required = vals[FK_REQUIRED];
    }
#undef WHAT
    return KPI_OK;
}

/* One entry of `fields:`: `name: type` or `name: {type: ..., column: ..., ...}`. */
static kpi_status load_field(kyctx *c, const kstream *s, const kynode *k, const kynode *v,
                             kfield *f, field_nodes *nodes)
{
    char where[160];
    snprintf(where, sizeof where, " in stream '%s'", s->name);
    kpi_status st = check_name(c, k, "field", where);
    if (st != KPI_OK)
        return st;
    if (!(f->name = karena_strndup(&c->cfg->arena, k->text, k->len)))
        return ky_nomem(c);
    f->loc = ky_loc(c, k);
    f->decimal = '.';
    f->scale = DEFAULT_SCALE;
    nodes->column = k;
    nodes->required = NULL;

    char for_field[96];
    snprintf(for_field, sizeof for_field, "for field '%s'", f->name);
    size_t type;
    if (v->type == KY_SCALAR || v->type == KY_NULL) {
        if ((st = ky_enum(c, v, "type", for_field, type_names, NTYPES, &type)) != KPI_OK)
            return st;
        f->type = (kpi_field_type)type;
    } else if (v->type == KY_MAP) {
        char in_field[160];
        snprintf(in_field, sizeof in_field, "in field '%s' of stream '%s'", f->name, s->name);
        const kynode *keys[FK_N], *vals[FK_N];
        if ((st = ky_keys(c, v, field_keys, FK_N, in_field, keys, vals)) != KPI_OK)
            return st;
        if (!vals[FK_TYPE])
            return ky_err(c, k,
                          "missing 'type' %s (expected one of time, date, number, "
                          "integer, text, bool)",
                          in_field);
        if ((st = ky_enum(c, vals[FK_TYPE], "type", for_field, type_names, NTYPES, &type)) !=
            KPI_OK)
            return st;
        f->type = (kpi_field_type)type;
        if ((st = field_options(c, s, f, keys, vals, nodes)) != KPI_OK)
            return st;
    } else {
        return ky_err(c, v, "expected a type or a map for field '%s' in stream '%s', not a list",
                      f->name, s->name);
    }
    if (!f->column)
        f->column = f->name;
    return KPI_OK;
}

/* The `fields:` map: every field, names and columns unique. */
static kpi_status load_fields(kyctx *c, kstream *s, const kynode *k, const kynode *fields,
                              field_nodes **nodes_out)
{
    char what[128];
    snprintf(what, sizeof what, "'fields' in stream '%s'", s->name);
    if (!fields)
        return ky_err(c, k, "missing 'fields' in stream '%s' (a map of field names to types)",
                      s->name);
    kpi_status st = ky_expect_map(c, fields, what);
    if (st != KPI_OK)
        return st;
    size_t n = fields->nitems / 2;
    if (n == 0)
        return ky_err(c, fields, "%s must name at least one field", what);
    s->fields = karena_alloc(&c->cfg->arena, n * sizeof *s->fields);
    field_nodes *nodes = karena_alloc(c->scratch, n * sizeof *nodes);
    if (!s->fields || !nodes)
        return ky_nomem(c);
    kyset names, columns;
    kyset_init(&names, c->scratch);
    kyset_init(&columns, c->scratch);
    KY_FOR_PAIRS(fields, fk, fv)
    {
        char where[128];
        snprintf(where, sizeof where, "in 'fields' of stream '%s'", s->name);
        if ((st = ky_key_name(c, fk, where)) != KPI_OK)
            return st;
        kfield *f = &s->fields[s->nfields];
        if ((st = load_field(c, s, fk, fv, f, &nodes[s->nfields])) != KPI_OK)
            return st;
        const kfield *prev = kyset_put(&names, f->name, strlen(f->name), f);
        if (prev == f)
            return ky_nomem(c);
        if (prev)
            return ky_err(c, fk, "duplicate field '%s' in stream '%s' (first at line %lu)", f->name,
                          s->name, prev->loc.line);
        prev = kyset_put(&columns, f->column, strlen(f->column), f);
        if (prev == f)
            return ky_nomem(c);
        if (prev)
            return ky_err(c, nodes[s->nfields].column,
                          "column '%s' of field '%s' is already the column of field '%s' in "
                          "stream '%s'",
                          f->column, f->name, prev->name, s->name);
        s->nfields++;
    }
    *nodes_out = nodes;
    return KPI_OK;
}

/* "unknown time field 'x'", with the nearest name or else the fields that would do. */
static kpi_status unknown_role_field(kyctx *c, const kstream *s, const kynode *v, const char *role,
                                     kpi_field_type t1, kpi_field_type t2)
{
    const char **cands = karena_alloc(c->scratch, s->nfields * sizeof *cands);
    if (!cands)
        return ky_nomem(c);
    for (size_t i = 0; i < s->nfields; i++)
        cands[i] = s->fields[i].name;
    char hint[256];
    ksuggest_hint((kstr){v->text, v->len}, cands, s->nfields, hint, sizeof hint);
    if (!hint[0]) {
        size_t n = 0;
        for (size_t i = 0; i < s->nfields; i++) {
            const kfield *f = &s->fields[i];
            if ((f->type == t1 || f->type == t2) && n + strlen(f->name) + 8 < sizeof hint)
                n += (size_t)snprintf(hint + n, sizeof hint - n, "%s'%s'",
                                      n ? ", " : " (expected one of its fields: ", f->name);
        }
        if (n)
            snprintf(hint + n, sizeof hint - n, ")");
        else
            snprintf(hint, sizeof hint, " (it has no field of type %s or %s)", type_names[t1],
                     type_names[t2]);
    }
    return ky_err(c, v, "unknown %s field '%s' in stream '%s'%s", role, ky_show(c, v), s->name,
                  hint);
}

/*
 * `time:` or `id:` of a stream: the name of one of its fields, of an allowed type. The field
 * becomes required; saying `required: false` on it is a contradiction worth reporting.
 */
static kpi_status role_field(kyctx *c, kstream *s, const kynode *v, field_nodes *nodes,
                             const char *role, kpi_field_type t1, kpi_field_type t2, size_t *index,
                             const char **name)
{
    char what[128];
    snprintf(what, sizeof what, "'%s' in stream '%s'", role, s->name);
    kpi_status st = ky_str(c, v, what, name);
    if (st != KPI_OK)
        return st;
    const kfield *f = kstream_field(s, kstr_c(*name));
    if (!f)
        return unknown_role_field(c, s, v, role, t1, t2);
    if (f->type != t1 && f->type != t2)
        return ky_err(c, v, "%s field '%s' of stream '%s' must be of type %s or %s, not %s", role,
                      f->name, s->name, type_names[t1], type_names[t2], type_names[f->type]);
    *index = (size_t)(f - s->fields);
    *name = f->name;
    if (nodes[*index].required && !f->required)
        return ky_err(c, nodes[*index].required,
                      "field '%s' is the %s field of stream '%s' and cannot be optional", f->name,
                      role, s->name);
    s->fields[*index].required = true;
    return KPI_OK;
}

/* A delimiter as written: one printable ASCII character, or a tab as "\t", \t or tab. */
static kpi_status delimiter(kyctx *c, kstream *s, const kynode *v)
{
    char what[128];
    snprintf(what, sizeof what, "'delimiter' in stream '%s'", s->name);
    const char *d;
    if (v->type != KY_SCALAR || v->len == 0)
        return ky_str(c, v, what, &d); /* fails with the right message */
    kstr t = {v->text, v->len};
    if (kstr_eq_c(t, "\t") || kstr_eq_c(t, "\\t") || kstr_ieq_c(t, "tab")) {
        s->delimiter = '\t';
        return KPI_OK;
    }
    if (t.n == 1 && t.p[0] >= 0x20 && t.p[0] < 0x7f && t.p[0] != '"') {
        s->delimiter = t.p[0];
        return KPI_OK;
    }
    return ky_err(c, v, "expected a single character for %s, like ',' or ';' or tab, not '%s'",
                  what, ky_show(c, v));
}

static kpi_status load_stream(kyctx *c, const kynode *k, const kynode *v)
{
    kpi_status st = check_name(c, k, "stream", "");
    if (st != KPI_OK)
        return st;
    if (c->cfg->nstreams >= c->streams_cap)
        return ky_nomem(c); /* cannot happen: room was counted before */
    kstream *s = &c->cfg->streams[c->cfg->nstreams];
    if (!(s->name = karena_strndup(&c->cfg->arena, k->text, k->len)))
        return ky_nomem(c);
    s->loc = ky_loc(c, k);
    s->kind = KSTREAM_EVENTS;
    s->encoding = KENC_UTF8;
    s->delimiter = ',';
    const kstream *prev = kyset_put(&c->stream_names, s->name, k->len, s);
    if (prev == s)
        return ky_nomem(c);
    if (prev)
        return ky_err(c, k, "duplicate stream '%s' (first defined at %s:%lu:%lu)", s->name,
                      prev->loc.file, prev->loc.line, prev->loc.column);

    char where[96], what[128];
    snprintf(where, sizeof where, "in stream '%s'", s->name);
    snprintf(what, sizeof what, "stream '%s'", s->name);
    if ((st = ky_expect_map(c, v, what)) != KPI_OK)
        return st;
    const kynode *keys[SK_N], *vals[SK_N];
    if ((st = ky_keys(c, v, stream_keys, SK_N, where, keys, vals)) != KPI_OK)
        return st;
    field_nodes *nodes = NULL;
    if ((st = load_fields(c, s, k, vals[SK_FIELDS], &nodes)) != KPI_OK)
        return st;
    c->cfg->nstreams++;

    char for_stream[96];
    snprintf(for_stream, sizeof for_stream, "for stream '%s'", s->name);
    if (vals[SK_KIND]) {
        size_t kind;
        if ((st = ky_enum(c, vals[SK_KIND], "kind", for_stream, kind_names, 2, &kind)) != KPI_OK)
            return st;
        s->kind = (kstream_kind)kind;
    }
    if (vals[SK_ENCODING]) {
        const char *e;
        snprintf(what, sizeof what, "'encoding' in stream '%s'", s->name);
        if ((st = ky_str(c, vals[SK_ENCODING], what, &e)) != KPI_OK)
            return st;
        if (!kencoding_parse(kstr_c(e), &s->encoding)) {
            char hint[128];
            ksuggest_hint(kstr_c(e), encoding_names, 3, hint, sizeof hint);
            if (!hint[0])
                snprintf(hint, sizeof hint, " (expected utf-8, latin1 or windows-1252)");
            return ky_err(c, vals[SK_ENCODING], "unknown encoding '%s' %s%s",
                          ky_show(c, vals[SK_ENCODING]), for_stream, hint);
        }
    }
    if (vals[SK_DELIMITER] && (st = delimiter(c, s, vals[SK_DELIMITER])) != KPI_OK)
        return st;
    if (!vals[SK_TIME])
        return ky_err(c, k,
                      "missing 'time' in stream '%s' (the field that places each event in a "
                      "period)",
                      s->name);
    if ((st = role_field(c, s, vals[SK_TIME], nodes, "time", KPI_FIELD_TIME, KPI_FIELD_DATE,
                         &s->time_index, &s->time_field)) != KPI_OK)
        return st;
    if (vals[SK_ID] && (st = role_field(c, s, vals[SK_ID], nodes, "id", KPI_FIELD_TEXT,
                                        KPI_FIELD_INTEGER, &s->id_index, &s->id_field)) != KPI_OK)
        return st;
    return KPI_OK;
}

const char *kpi_field_type_name(kpi_field_type type)
{
    return (unsigned)type < NTYPES ? type_names[type] : "unknown";
}

kpi_status kmodel_load_streams(kyctx *c, const kynode *section)
{
    if (section->type == KY_NULL)
        return KPI_OK;
    kpi_status st = ky_expect_map(c, section, "'streams'");
    if (st != KPI_OK)
        return st;
    KY_FOR_PAIRS(section, k, v)
    {
        if ((st = ky_key_name(c, k, "in 'streams'")) == KPI_OK)
            st = load_stream(c, k, v);
        if (st == KPI_DEFINITION) { /* noted; the next streams are read, for `kpi check` */
            st = ky_problem(c, NULL);
            if (c->cfg->nstreams < c->streams_cap) /* its slot is the next stream's: clean */
                memset(&c->cfg->streams[c->cfg->nstreams], 0, sizeof(kstream));
        }
        if (st != KPI_OK)
            return st;
    }
    return KPI_OK;
}
