/*
 * sqlite_scan.c - scans pushed down to SQLite as SQL. A request for many partial aggregates of
 * one stream becomes ONE statement with conditional aggregates (SUM(CASE WHEN cond THEN expr
 * END), ...) grouped by day and breakdown, reading only the days asked for through the primary
 * key (rows are clustered by day). Row expressions keep exact integer arithmetic while they can:
 * each value carries its decimal scale (numbers are stored scaled), so sums of money stay exact.
 */
#include "sqlite_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The SQL type of a generated expression: an exact integer with a decimal scale, or a REAL. */
typedef struct sqlt {
    bool real;
    int scale;
} sqlt;

#define MAX_EXACT_SCALE 12

static bool put_real(kbuf *b, const char *sql, sqlt t)
{
    if (t.real)
        return kbuf_appends(b, sql);
    if (t.scale == 0)
        return kbuf_printf(b, "CAST(%s AS REAL)", sql);
    return kbuf_printf(b, "(%s / 1e%d)", sql, t.scale);
}

static bool put_scaled(kbuf *b, const char *sql, int from, int to)
{
    if (from == to)
        return kbuf_appends(b, sql);
    long long mul = 1;
    for (int i = from; i < to; i++)
        mul *= 10;
    return kbuf_printf(b, "(%s * %lld)", sql, mul);
}

int ksql_field_scale(const kfield *f)
{
    switch (f->type) {
    case KPI_FIELD_NUMBER:
        return f->scale;
    case KPI_FIELD_TIME:
        return 6; /* microseconds: differences of times are seconds */
    default:
        return 0;
    }
}

/* Appends the SQL of a row expression and its type. */
static bool row_sql(const kstream *s, const krow *r, kbuf *b, sqlt *t)
{
    switch (r->kind) {
    case KROW_FIELD: {
        const kfield *f = &s->fields[r->field_index];
        *t = (sqlt){false, ksql_field_scale(f)};
        return kbuf_printf(b, "\"%s\"", f->name);
    }
    case KROW_NUM:
        if (r->num == floor(r->num) && fabs(r->num) < 1e15) {
            *t = (sqlt){false, 0};
            return kbuf_printf(b, "%lld", (long long)r->num);
        }
        *t = (sqlt){true, 0};
        return kbuf_printf(b, "%.17g", r->num);
    case KROW_NEG: {
        kbuf a;
        kbuf_init(&a, 0);
        bool ok = row_sql(s, r->a, &a, t) && kbuf_printf(b, "(-%s)", a.p);
        kbuf_release(&a);
        return ok;
    }
    case KROW_BIN:
        break;
    }
    kbuf a, c;
    sqlt ta, tc;
    kbuf_init(&a, 0);
    kbuf_init(&c, 0);
    bool ok = row_sql(s, r->a, &a, &ta) && row_sql(s, r->b, &c, &tc);
    bool exact = ok && !ta.real && !tc.real;
    if (ok && exact && (r->op == '+' || r->op == '-')) {
        int sc = ta.scale > tc.scale ? ta.scale : tc.scale;
        *t = (sqlt){false, sc};
        ok = kbuf_appendc(b, '(') && put_scaled(b, a.p, ta.scale, sc) &&
             kbuf_printf(b, " %c ", r->op) && put_scaled(b, c.p, tc.scale, sc) &&
             kbuf_appendc(b, ')');
    } else if (ok && exact && r->op == '*' && ta.scale + tc.scale <= MAX_EXACT_SCALE) {
        *t = (sqlt){false, ta.scale + tc.scale};
        ok = kbuf_printf(b, "(%s * %s)", a.p, c.p);
    } else if (ok) {
        /* division, or a mix with a REAL: the value is computed in floating point */
        *t = (sqlt){true, 0};
        ok = kbuf_appendc(b, '(') && put_real(b, a.p, ta) && kbuf_printf(b, " %c ", r->op) &&
             put_real(b, c.p, tc) && kbuf_appendc(b, ')');
    }
    kbuf_release(&a);
    kbuf_release(&c);
    return ok;
}

static bool put_text_literal(kbuf *b, const char *s)
{
    bool ok = kbuf_appendc(b, '\'');
    for (; ok && *s; s++)
        ok = *s == '\'' ? kbuf_appends(b, "''") : kbuf_appendc(b, *s);
    return ok && kbuf_appendc(b, '\'');
}

static bool put_literal(kbuf *b, const kfield *f, const klit *l)
{
    if (f->type == KPI_FIELD_TEXT)
        return put_text_literal(b, l->str ? l->str : "");
    return kbuf_printf(b, "%lld", (long long)l->stored);
}

static const char *const cmp_sql[] = {
    [KCMP_EQ] = "=",  [KCMP_NE] = "<>", [KCMP_LT] = "<",
    [KCMP_LE] = "<=", [KCMP_GT] = ">",  [KCMP_GE] = ">=",
};

/* Appends the SQL of a condition. */
static bool cond_sql(const kstream *s, const kcond *c, kbuf *b)
{
    const kfield *f = c->kind <= KCOND_NULL ? &s->fields[c->field_index] : NULL;
    switch (c->kind) {
    case KCOND_CMP:
        return kbuf_printf(b, "\"%s\" %s ", f->name, cmp_sql[c->cmp]) &&
               put_literal(b, f, &c->lits[0]);
    case KCOND_IN: {
        bool ok = kbuf_printf(b, "\"%s\" %sIN (", f->name, c->negate ? "NOT " : "");
        for (size_t i = 0; ok && i < c->nlits; i++)
            ok = (i == 0 || kbuf_appends(b, ", ")) && put_literal(b, f, &c->lits[i]);
        return ok && kbuf_appendc(b, ')');
    }
    case KCOND_NULL:
        return kbuf_printf(b, "\"%s\" IS %sNULL", f->name, c->negate ? "NOT " : "");
    case KCOND_AND:
    case KCOND_OR:
        return kbuf_appendc(b, '(') && cond_sql(s, c->a, b) &&
               kbuf_appends(b, c->kind == KCOND_AND ? " AND " : " OR ") && cond_sql(s, c->b, b) &&
               kbuf_appendc(b, ')');
    case KCOND_NOT:
        return kbuf_appends(b, "NOT (") && cond_sql(s, c->a, b) && kbuf_appendc(b, ')');
    }
    return false;
}

/* "CASE WHEN cond THEN x END", or just x without a condition. */
static bool when(const kstream *s, const kcond *where, const char *x, kbuf *b)
{
    if (!where)
        return kbuf_appends(b, x);
    return kbuf_appends(b, "CASE WHEN ") && cond_sql(s, where, b) &&
           kbuf_printf(b, " THEN %s END", x);
}

/* SELECT list head, FROM and WHERE shared by both kinds of scans. */
static bool range_head(const kscan_range *r, kbuf *b)
{
    bool ok = kbuf_printf(b, "SELECT _key >> %d", KSQL_SEQ_BITS);
    for (size_t g = 0; ok && g < r->ngroup; g++)
        ok = kbuf_printf(b, ", \"%s\"", r->stream->fields[r->group[g]].name);
    return ok;
}

static bool range_tail(const kscan_range *r, kbuf *b)
{
    bool ok = kbuf_printf(b, " FROM \"%s\" WHERE _key >= %lld AND _key < %lld", r->stream->name,
                          (long long)((uint64_t)r->day_lo << KSQL_SEQ_BITS),
                          (long long)((uint64_t)r->day_hi << KSQL_SEQ_BITS));
    if (ok && r->filter)
        ok = kbuf_appends(b, " AND (") && cond_sql(r->stream, r->filter, b) && kbuf_appendc(b, ')');
    return ok;
}

/* ---- kpi_sum(x): SUM in 128 bits ---------------------------------------------------------
 * SQLite's SUM stops a statement with "integer overflow" once a group's sum leaves int64, and
 * numbers are stored scaled (10^4 by default), so one day of a large business past 9.2e14
 * would break every query over that day. kpi_sum adds integers in 128 bits and answers an
 * INTEGER when the sum fits in int64, else a 16-byte BLOB of the 128-bit sum (read_value reads
 * it back as a wide value). Like SUM, a REAL among the inputs makes the result REAL; NULL when
 * every input is NULL. Past 128 bits (2^64 rows of int64) it fails with an error. */
typedef struct wide_sum {
    unsigned char i[sizeof(kwide)]; /* SQLite aligns the context to 8 bytes only: memcpy */
    double d;
    bool any, real, over;
} wide_sum;

static kwide wide_get(const wide_sum *s)
{
    kwide w;
    memcpy(&w, s->i, sizeof w);
    return w;
}

static void wide_sum_add(wide_sum *s, sqlite3_value *x)
{
    kwide w;
    switch (sqlite3_value_numeric_type(x)) {
    case SQLITE_NULL:
        return;
    case SQLITE_INTEGER:
        w = wide_get(s);
        s->over |= __builtin_add_overflow(w, (kwide)sqlite3_value_int64(x), &w);
        memcpy(s->i, &w, sizeof w);
        break;
    default:
        s->real = true;
        s->d += sqlite3_value_double(x);
        break;
    }
    s->any = true;
}

static void sum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    wide_sum *s = sqlite3_aggregate_context(ctx, sizeof *s);
    if (!s)
        sqlite3_result_error_nomem(ctx);
    else
        wide_sum_add(s, argv[0]);
}

static void sum_final(sqlite3_context *ctx)
{
    wide_sum *s = sqlite3_aggregate_context(ctx, 0);
    kwide w = s ? wide_get(s) : 0;
    if (!s || !s->any)
        sqlite3_result_null(ctx);
    else if (s->over)
        sqlite3_result_error(ctx, "a sum is past the 128-bit integer range", -1);
    else if (s->real)
        sqlite3_result_double(ctx, (double)w + s->d);
    else if (w >= INT64_MIN && w <= INT64_MAX)
        sqlite3_result_int64(ctx, (int64_t)w);
    else
        sqlite3_result_blob(ctx, s->i, sizeof s->i, SQLITE_TRANSIENT);
}

kpi_status ksql_scan_register(ksql *q, kpi_error *err)
{
    if (sqlite3_create_function(q->db, "kpi_sum", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, NULL,
                                sum_step, sum_final) != SQLITE_OK)
        return ksql_fail(q, "cannot register kpi_sum", err);
    return KPI_OK;
}

static const char *const part_fn[] = {
    [KPART_COUNT] = "COUNT", [KPART_SUM] = "kpi_sum", [KPART_MIN] = "MIN", [KPART_MAX] = "MAX"};

/*
 * Builds the aggregate scan and the types of its columns: COUNT(*), the breakdown fields, then
 * the aggregates, over the rows of ONE day (?1 <= _key < ?2), grouped by the breakdown. The scan
 * runs it once per day: rows are clustered by day, so each run reads just that day's rows, and
 * no sorter ever holds more than one day (a GROUP BY over the whole range would make SQLite
 * sort every row, since it cannot know that _key >> 40 follows the key's order).
 */
static bool aggs_sql(const kscan_range *r, const kscan_agg *aggs, size_t n, kbuf *b, sqlt *types)
{
    bool ok = kbuf_appends(b, "SELECT COUNT(*)");
    for (size_t g = 0; ok && g < r->ngroup; g++)
        ok = kbuf_printf(b, ", \"%s\"", r->stream->fields[r->group[g]].name);
    kbuf x;
    kbuf_init(&x, 0);
    for (size_t i = 0; ok && i < n; i++) {
        kbuf_reset(&x);
        sqlt t = {false, 0};
        if (aggs[i].expr)
            ok = row_sql(r->stream, aggs[i].expr, &x, &t);
        else
            ok = kbuf_appends(&x, "1");
        if (aggs[i].part == KPART_COUNT)
            t = (sqlt){false, 0};
        types[i] = t;
        ok = ok && kbuf_printf(b, ", %s(", part_fn[aggs[i].part]) &&
             when(r->stream, aggs[i].where, x.p, b) && kbuf_appendc(b, ')');
    }
    kbuf_release(&x);
    ok = ok && kbuf_printf(b, " FROM \"%s\" WHERE _key >= ?1 AND _key < ?2", r->stream->name);
    if (ok && r->filter)
        ok = kbuf_appends(b, " AND (") && cond_sql(r->stream, r->filter, b) && kbuf_appendc(b, ')');
    for (size_t g = 0; ok && g < r->ngroup; g++)
        ok = kbuf_printf(b, "%s%zu", g ? ", " : " GROUP BY ", g + 2);
    return ok;
}

static bool values_sql(const kscan_range *r, const krow *expr, const kcond *where, bool want_time,
                       kbuf *b, sqlt *type)
{
    kbuf x;
    kbuf_init(&x, 0);
    bool ok = range_head(r, b) && row_sql(r->stream, expr, &x, type) && kbuf_printf(b, ", %s", x.p);
    if (ok && want_time)
        ok = kbuf_printf(b, ", \"%s\"", r->stream->time_field);
    ok = ok && range_tail(r, b) && kbuf_printf(b, " AND %s IS NOT NULL", x.p);
    if (ok && where)
        ok = kbuf_appends(b, " AND ") && cond_sql(r->stream, where, b);
    kbuf_release(&x);
    return ok;
}

static void read_value(sqlite3_stmt *st, int col, sqlt t, bool text, kscan_value *v)
{
    memset(v, 0, sizeof *v);
    int type = sqlite3_column_type(st, col);
    if (type == SQLITE_NULL) {
        v->null = true;
    } else if (text) {
        v->text = (kstr){(const char *)sqlite3_column_text(st, col),
                         (size_t)sqlite3_column_bytes(st, col)};
    } else if (type == SQLITE_INTEGER && !t.real) {
        v->is_int = true;
        v->i = sqlite3_column_int64(st, col);
        v->scale = t.scale;
        v->d = (double)v->i / pow(10, t.scale);
    } else if (type == SQLITE_BLOB && sqlite3_column_bytes(st, col) == (int)sizeof(kwide)) {
        kwide w; /* kpi_sum past int64 */
        memcpy(&w, sqlite3_column_blob(st, col), sizeof w);
        v->is_int = v->wide = true;
        v->i = (int64_t)(uint64_t)w;
        v->hi = (int64_t)((kuwide)w >> 64);
        v->scale = t.scale;
        v->d = (double)w / pow(10, t.scale);
    } else {
        v->d = sqlite3_column_double(st, col);
        if (!t.real && t.scale)
            v->d /= pow(10, t.scale);
    }
}

static void read_groups(sqlite3_stmt *st, size_t n, kstr *group)
{
    for (size_t g = 0; g < n; g++)
        group[g] = (kstr){sqlite3_column_type(st, (int)g + 1) == SQLITE_NULL
                              ? ""
                              : (const char *)sqlite3_column_text(st, (int)g + 1),
                          (size_t)sqlite3_column_bytes(st, (int)g + 1)};
}

/* The error of a day's scan, naming the stream and the day. */
static kpi_status scan_failed(ksql *q, const kscan_range *r, int64_t day, kpi_error *err)
{
    int64_t y;
    int m, d;
    kcivil_from_days(day, &y, &m, &d);
    return kerr_set(err, KPI_DB, "cannot scan stream '%s' on %04lld-%02d-%02d: %s", r->stream->name,
                    (long long)y, m, d, sqlite3_errmsg(q->db));
}

kpi_status ksql_scan_aggs(kstore *store, const kscan_range *r, const kscan_agg *aggs, size_t n,
                          kscan_agg_fn fn, void *ctx, kpi_error *err)
{
    ksql *q = (ksql *)store;
    kbuf sql;
    kbuf_init(&sql, 0);
    sqlt *types = calloc(n ? n : 1, sizeof *types);
    kscan_value *vals = calloc(n ? n : 1, sizeof *vals);
    kstr *group = calloc(r->ngroup ? r->ngroup : 1, sizeof *group);
    sqlite3_stmt *st = NULL;
    kpi_status rc = KPI_OK;
    if (!types || !vals || !group || !aggs_sql(r, aggs, n, &sql, types)) {
        rc = kerr_set(err, KPI_NOMEM, "out of memory");
        goto out;
    }
    if (sqlite3_prepare_v2(q->db, sql.p, (int)sql.n, &st, NULL) != SQLITE_OK) {
        rc = ksql_fail(q, "cannot prepare scan", err);
        goto out;
    }
    for (int64_t day = r->day_lo; rc == KPI_OK && day < r->day_hi; day++) {
        sqlite3_bind_int64(st, 1, (int64_t)((uint64_t)day << KSQL_SEQ_BITS));
        sqlite3_bind_int64(st, 2, (int64_t)((uint64_t)(day + 1) << KSQL_SEQ_BITS));
        int step;
        while (rc == KPI_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
            if (sqlite3_column_int64(st, 0) == 0)
                continue; /* no rows that day (an ungrouped aggregate still answers) */
            read_groups(st, r->ngroup, group);
            for (size_t i = 0; i < n; i++)
                read_value(st, (int)(1 + r->ngroup + i), types[i], false, &vals[i]);
            rc = fn(ctx, day, group, vals);
        }
        if (rc == KPI_OK && step != SQLITE_DONE)
            rc = scan_failed(q, r, day, err);
        sqlite3_reset(st);
    }
out:
    sqlite3_finalize(st);
    kbuf_release(&sql);
    free(types);
    free(vals);
    free(group);
    return rc;
}

kpi_status ksql_scan_values(kstore *store, const kscan_range *r, const krow *expr,
                            const kcond *where, bool want_time, kscan_row_fn fn, void *ctx,
                            kpi_error *err)
{
    ksql *q = (ksql *)store;
    kbuf sql;
    kbuf_init(&sql, 0);
    sqlt type;
    kstr *group = calloc(r->ngroup ? r->ngroup : 1, sizeof *group);
    sqlite3_stmt *st = NULL;
    kpi_status rc = KPI_OK;
    bool text =
        expr->kind == KROW_FIELD && r->stream->fields[expr->field_index].type == KPI_FIELD_TEXT;
    if (!group || !values_sql(r, expr, where, want_time, &sql, &type)) {
        rc = kerr_set(err, KPI_NOMEM, "out of memory");
        goto out;
    }
    if (sqlite3_prepare_v2(q->db, sql.p, (int)sql.n, &st, NULL) != SQLITE_OK) {
        rc = ksql_fail(q, "cannot prepare scan", err);
        goto out;
    }
    int step;
    int vcol = (int)(1 + r->ngroup);
    while (rc == KPI_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        kscan_value v;
        read_groups(st, r->ngroup, group);
        read_value(st, vcol, type, text, &v);
        int64_t t = want_time ? sqlite3_column_int64(st, vcol + 1) : 0;
        rc = fn(ctx, sqlite3_column_int64(st, 0), group, &v, t);
    }
    if (rc == KPI_OK && step != SQLITE_DONE)
        rc = ksql_fail(q, "scan failed", err);
out:
    sqlite3_finalize(st);
    kbuf_release(&sql);
    free(group);
    return rc;
}

/*
 * count(DISTINCT expr) over the rows of the range matching where, in SQL: SQLite's own distinct
 * set, without handing every value to C (the report's distinct counts of orders and customers
 * are its heaviest value leaves). The total first (group NULL), then, with a breakdown, one
 * count per group.
 */
kpi_status ksql_count_distinct(kstore *store, const kscan_range *r, const krow *expr,
                               const kcond *where, kscan_count_fn fn, void *ctx, kpi_error *err)
{
    ksql *q = (ksql *)store;
    kpi_status rc = KPI_OK;
    kstr *group = calloc(r->ngroup ? r->ngroup : 1, sizeof *group);
    kbuf x, sql;
    kbuf_init(&x, 0);
    kbuf_init(&sql, 0);
    sqlt type;
    if (!group || !row_sql(r->stream, expr, &x, &type))
        rc = kerr_set(err, KPI_NOMEM, "out of memory");
    for (int pass = 0; rc == KPI_OK && pass < (r->ngroup ? 2 : 1); pass++) {
        kscan_range flat = *r;
        if (pass == 0)
            flat.ngroup = 0; /* the total: distinct over every group */
        kbuf_reset(&sql);
        bool ok = kbuf_appends(&sql, "SELECT count(DISTINCT ") && kbuf_appends(&sql, x.p) &&
                  kbuf_appendc(&sql, ')');
        for (size_t g = 0; ok && g < flat.ngroup; g++)
            ok = kbuf_printf(&sql, ", \"%s\"", r->stream->fields[r->group[g]].name);
        ok = ok && range_tail(&flat, &sql);
        if (ok && where)
            ok = kbuf_appends(&sql, " AND ") && cond_sql(r->stream, where, &sql);
        for (size_t g = 0; ok && g < flat.ngroup; g++)
            ok = kbuf_printf(&sql, "%s\"%s\"", g ? ", " : " GROUP BY ",
                             r->stream->fields[r->group[g]].name);
        sqlite3_stmt *st = NULL;
        if (!ok) {
            rc = kerr_set(err, KPI_NOMEM, "out of memory");
        } else if (sqlite3_prepare_v2(q->db, sql.p, (int)sql.n, &st, NULL) != SQLITE_OK) {
            rc = ksql_fail(q, "cannot prepare scan", err);
        } else {
            int step;
            while (rc == KPI_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
                /* read_groups reads columns 1..n: the count is column 0 */
                read_groups(st, flat.ngroup, group);
                rc = fn(ctx, pass ? group : NULL, sqlite3_column_int64(st, 0));
            }
            if (rc == KPI_OK && step != SQLITE_DONE)
                rc = ksql_fail(q, "scan failed", err);
        }
        sqlite3_finalize(st);
    }
    kbuf_release(&x);
    kbuf_release(&sql);
    free(group);
    return rc;
}

bool ksql_explain_aggs(kstore *st, const kscan_range *r, const kscan_agg *aggs, size_t n, kbuf *out)
{
    (void)st;
    sqlt *types = calloc(n ? n : 1, sizeof *types);
    bool ok = types && aggs_sql(r, aggs, n, out, types) &&
              kbuf_printf(out, "\n  -- run once per day: ?1 = day << %d, ?2 = (day + 1) << %d",
                          KSQL_SEQ_BITS, KSQL_SEQ_BITS);
    free(types);
    return ok;
}

bool ksql_explain_values(kstore *st, const kscan_range *r, const krow *expr, const kcond *where,
                         bool want_time, kbuf *out)
{
    (void)st;
    sqlt t;
    return values_sql(r, expr, where, want_time, out, &t);
}
