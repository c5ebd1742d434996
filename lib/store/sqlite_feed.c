/*
 * sqlite_feed.c - how a batch reaches SQLite: a virtual table module ("kpi_feed") whose rows are
 * the cells of the batch being appended, so that one statement per batch,
 * INSERT OR IGNORE INTO stream SELECT * FROM temp.kpi_feed_N, stores every row.
 *
 * Why not bound parameters: binding costs SQLite a parameter reset, a copy into the statement
 * and another into the VALUES co-routine for each cell, and a statement step per 32 rows; the
 * virtual table hands each cell over once (xColumn) and steps once per batch. Over a 10-column
 * orders file that is about 1,600 fewer instructions per row on the writer thread, the thread
 * that bounds an import's speed (bench/README.md).
 *
 * One feed table per field count, in the connection's temp schema (never in kpi.db, so the
 * file's schema stays what docs/storage.md describes and the sqlite3 shell never sees it).
 *
 * Appending: a row whose key is the table's largest key plus one (the next row of the same
 * day, in a file in time order: nearly every row) is handed over with a NULL key, so that
 * SQLite assigns max(_key) + 1 itself (the same value) and appends at the end of the table,
 * where an explicit key costs a binary search down the B-tree and a uniqueness check, about
 * 1,500 instructions a row. The cursor follows the table's largest key as rows are stored
 * (see feed_next); a row the insert ignored (a known id) stores nothing, so the next row is
 * keyed explicitly again.
 */
#include "sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct feed_vtab {
    sqlite3_vtab base;
    ksql *q;
} feed_vtab;

typedef struct feed_cursor {
    sqlite3_vtab_cursor base;
    const ksql_feed *f;
    sqlite3 *db;
    size_t row;
    int64_t max; /* the table's largest key so far (when has_max) */
    bool has_max;
    int64_t last_seen; /* sqlite3_last_insert_rowid when the current row was reached */
} feed_cursor;

/* CREATE VIRTUAL TABLE temp.x USING kpi_feed(n): columns c0 (the row key) .. cn (the fields). */
static int feed_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                        sqlite3_vtab **out, char **errmsg)
{
    (void)errmsg;
    long n = argc > 3 ? strtol(argv[3], NULL, 10) : -1;
    if (n < 0 || n > 2000)
        return SQLITE_ERROR;
    kbuf ddl;
    kbuf_init(&ddl, 0);
    bool ok = kbuf_appends(&ddl, "CREATE TABLE x(c0");
    for (long i = 1; i <= n; i++)
        ok = ok && kbuf_printf(&ddl, ",c%ld", i);
    ok = ok && kbuf_appendc(&ddl, ')');
    int rc = ok ? sqlite3_declare_vtab(db, ddl.p) : SQLITE_NOMEM;
    kbuf_release(&ddl);
    if (rc != SQLITE_OK)
        return rc;
    feed_vtab *v = sqlite3_malloc(sizeof *v);
    if (!v)
        return SQLITE_NOMEM;
    memset(v, 0, sizeof *v);
    v->q = aux;
    *out = &v->base;
    return SQLITE_OK;
}

static int feed_disconnect(sqlite3_vtab *v)
{
    sqlite3_free(v);
    return SQLITE_OK;
}

static int feed_best_index(sqlite3_vtab *v, sqlite3_index_info *info)
{
    (void)v;
    info->estimatedCost = 1e6;
    return SQLITE_OK;
}

static int feed_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out)
{
    feed_cursor *c = sqlite3_malloc(sizeof *c);
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    c->f = &((feed_vtab *)v)->q->feed;
    c->db = ((feed_vtab *)v)->q->db;
    *out = &c->base;
    return SQLITE_OK;
}

static int feed_close(sqlite3_vtab_cursor *c)
{
    sqlite3_free(c);
    return SQLITE_OK;
}

static int feed_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxstr, int argc,
                       sqlite3_value **argv)
{
    (void)idx, (void)idxstr, (void)argc, (void)argv;
    feed_cursor *c = (feed_cursor *)cur;
    c->row = 0;
    c->max = c->f->max;
    c->has_max = c->f->has_max;
    c->last_seen = sqlite3_last_insert_rowid(c->db);
    return SQLITE_OK;
}

/* The current row has been stored or ignored by now: SQLite reads the next row only after
 * the insert of this one. Stored, it changed the last insert rowid (ksql_feed_rows sets it to
 * a value no key takes before the statement) to its key, which may be the new largest. */
static int feed_next(sqlite3_vtab_cursor *cur)
{
    feed_cursor *c = (feed_cursor *)cur;
    int64_t last = sqlite3_last_insert_rowid(c->db);
    if (last != c->last_seen) {
        c->last_seen = last;
        if (!c->has_max || last > c->max)
            c->max = last, c->has_max = true;
    }
    c->row++;
    return SQLITE_OK;
}

static int feed_eof(sqlite3_vtab_cursor *cur)
{
    const feed_cursor *c = (const feed_cursor *)cur;
    return !c->f->batch || c->row >= c->f->batch->n;
}

static int feed_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
    const feed_cursor *c = (const feed_cursor *)cur;
    const kbatch *b = c->f->batch;
    size_t r = c->row;
    if (col == 0) {
        int64_t seq = c->f->seq0 + (int64_t)r;
        int64_t key = (int64_t)((uint64_t)b->day[r] << KSQL_SEQ_BITS) | seq;
        if (c->has_max && c->max < INT64_MAX && key == c->max + 1)
            sqlite3_result_null(ctx); /* SQLite's next rowid: this very key, appended */
        else
            sqlite3_result_int64(ctx, key);
        return SQLITE_OK;
    }
    const kcell *cell = &b->cells[r * b->nfields + (size_t)(col - 1)];
    if (cell->null)
        sqlite3_result_null(ctx);
    else if (b->stream->fields[col - 1].type == KPI_FIELD_TEXT)
        sqlite3_result_text(ctx, b->text.p + cell->i, (int)cell->len, SQLITE_STATIC);
    else
        sqlite3_result_int64(ctx, cell->i);
    return SQLITE_OK;
}

static int feed_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
    *rowid = (sqlite3_int64)((const feed_cursor *)cur)->row;
    return SQLITE_OK;
}

static const sqlite3_module feed_module = {
    .iVersion = 1,
    .xCreate = feed_connect,
    .xConnect = feed_connect,
    .xBestIndex = feed_best_index,
    .xDisconnect = feed_disconnect,
    .xDestroy = feed_disconnect,
    .xOpen = feed_open,
    .xClose = feed_close,
    .xFilter = feed_filter,
    .xNext = feed_next,
    .xEof = feed_eof,
    .xColumn = feed_column,
    .xRowid = feed_rowid,
};

kpi_status ksql_feed_register(ksql *q, kpi_error *err)
{
    if (sqlite3_create_module(q->db, "kpi_feed", &feed_module, q) != SQLITE_OK)
        return ksql_fail(q, "cannot register the batch feed", err);
    return KPI_OK;
}

static void free_insert(ksql_insert *ins)
{
    sqlite3_finalize(ins->stmt);
    sqlite3_finalize(ins->max);
    free(ins);
}

void ksql_forget_inserts(ksql *q, const char *stream)
{
    for (ksql_insert **p = &q->inserts; *p;) {
        if (!stream || strcmp((*p)->stream, stream) == 0) {
            ksql_insert *dead = *p;
            *p = dead->next;
            free_insert(dead);
        } else {
            p = &(*p)->next;
        }
    }
}

/* Prepares sql as the insert of a stream (its feed table exists); false with err set. */
static bool prepare(ksql *q, const kbuf *sql, bool built, sqlite3_stmt **out, kpi_error *err)
{
    if (!built) {
        kerr_set(err, KPI_NOMEM, "out of memory");
        return false;
    }
    if (sqlite3_prepare_v3(q->db, sql->p, (int)sql->n, SQLITE_PREPARE_PERSISTENT, out, NULL) !=
        SQLITE_OK) {
        ksql_fail(q, "cannot prepare insert", err);
        return false;
    }
    return true;
}

/*
 * The insert statement of a stream, prepared on first use. The feed table it reads holds no
 * state of its own (the cells come from q->feed), so streams with as many fields share one,
 * named by that count; a stream whose fields changed gets a new statement.
 */
static ksql_insert *get_insert(ksql *q, const kstream *s, kpi_error *err)
{
    for (ksql_insert *i = q->inserts; i; i = i->next)
        if (strcmp(i->stream, s->name) == 0 && i->nfields == s->nfields)
            return i;
    ksql_forget_inserts(q, s->name);
    char feed[96];
    snprintf(feed, sizeof feed,
             "CREATE VIRTUAL TABLE IF NOT EXISTS temp.kpi_feed_%zu"
             " USING kpi_feed(%zu)",
             s->nfields, s->nfields);
    if (ksql_exec(q, feed, err) != KPI_OK)
        return NULL;
    ksql_insert *ins = calloc(1, sizeof *ins);
    if (!ins) {
        kerr_set(err, KPI_NOMEM, "out of memory");
        return NULL;
    }
    snprintf(ins->stream, sizeof ins->stream, "%s", s->name);
    ins->nfields = s->nfields;
    kbuf sql;
    kbuf_init(&sql, 0);
    bool built = kbuf_printf(&sql, "INSERT OR IGNORE INTO main.\"%s\"(_key", s->name);
    for (size_t f = 0; f < s->nfields; f++)
        built = built && kbuf_printf(&sql, ", \"%s\"", s->fields[f].name);
    built = built && kbuf_printf(&sql, ") SELECT * FROM temp.kpi_feed_%zu", s->nfields);
    bool ok = prepare(q, &sql, built, &ins->stmt, err);
    kbuf_reset(&sql);
    built = kbuf_printf(&sql, "SELECT ifnull(max(_key), %lld) FROM main.\"%s\"",
                        (long long)INT64_MIN, s->name);
    ok = ok && prepare(q, &sql, built, &ins->max, err);
    kbuf_release(&sql);
    if (!ok) {
        free_insert(ins);
        return NULL;
    }
    ins->next = q->inserts;
    q->inserts = ins;
    return ins;
}

kpi_status ksql_feed_rows(ksql *q, const kbatch *b, int64_t seq0, uint64_t *inserted,
                          kpi_error *err)
{
    ksql_insert *ins = get_insert(q, b->stream, err);
    if (!ins)
        return err ? err->status : KPI_DB;
    int rc = sqlite3_step(ins->max);
    int64_t max = sqlite3_column_int64(ins->max, 0);
    sqlite3_reset(ins->max);
    if (rc != SQLITE_ROW)
        return ksql_fail(q, "cannot read the stream's last key", err);
    q->feed = (ksql_feed){b, seq0, max, max != INT64_MIN};
    /* no key is INT64_MIN (a day 23 million years back), so any change is a stored row */
    sqlite3_set_last_insert_rowid(q->db, INT64_MIN);
    rc = sqlite3_step(ins->stmt);
    q->feed = (ksql_feed){0};
    *inserted = rc == SQLITE_DONE ? (uint64_t)sqlite3_changes64(q->db) : 0;
    sqlite3_reset(ins->stmt);
    return rc == SQLITE_DONE ? KPI_OK : ksql_fail(q, "cannot store rows", err);
}
