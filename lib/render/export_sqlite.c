/*
 * export_sqlite.c - `kpi export --format sqlite`: a new SQLite file with one plain table named
 * as the stream, a column per field, that the stock sqlite3 shell and any SQLite client read
 * (`select count(*), sum(revenue) from orders`). kpi.db's own layout (scaled integers, the day
 * key) is no promise; this file is: times and dates as ISO TEXT, numbers REAL, integers and
 * bools INTEGER, text TEXT, nulls NULL. It is written in one transaction through one prepared
 * insert, and an existing file is never touched: the export makes its file or fails.
 */
#include "export.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct out_db {
    sqlite3 *db;
    sqlite3_stmt *insert;
} out_db;

static const char *const column_type[] = {
    [KPI_FIELD_TIME] = "TEXT",       [KPI_FIELD_DATE] = "TEXT", [KPI_FIELD_NUMBER] = "REAL",
    [KPI_FIELD_INTEGER] = "INTEGER", [KPI_FIELD_TEXT] = "TEXT", [KPI_FIELD_BOOL] = "INTEGER",
};

static const double pow10_of[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

static kpi_status db_fail(kexport *x, const char *what, kpi_error *err)
{
    out_db *o = x->state;
    return kerr_set(err, KPI_IO, "cannot %s '%s': %s", what, x->path,
                    o->db ? sqlite3_errmsg(o->db) : "out of memory");
}

/* Creates the file, failing when it exists: SQLite would open (and add to) an existing one. */
static kpi_status create_new(const char *path, kpi_error *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0)
        return close(fd) == 0
                   ? KPI_OK
                   : kerr_set(err, KPI_IO, "cannot write '%s': %s", path, strerror(errno));
    if (errno == EEXIST)
        return kerr_set(err, KPI_CONFLICT,
                        "'%s' already exists: an sqlite export writes a new file", path);
    return kerr_set(err, KPI_IO, "cannot create '%s': %s", path, strerror(errno));
}

/* "CREATE TABLE "s"(...)" and "INSERT INTO "s" VALUES(?, ...)". */
static bool table_sql(const kstream *s, kbuf *create, kbuf *insert)
{
    bool ok = kbuf_printf(create, "BEGIN; CREATE TABLE \"%s\"(", s->name) &&
              kbuf_printf(insert, "INSERT INTO \"%s\" VALUES(", s->name);
    for (size_t i = 0; ok && i < s->nfields; i++)
        ok = kbuf_printf(create, "%s\"%s\" %s", i ? ", " : "", s->fields[i].name,
                         column_type[s->fields[i].type]) &&
             kbuf_appends(insert, i ? ", ?" : "?");
    return ok && kbuf_appends(create, ")") && kbuf_appends(insert, ")");
}

static kpi_status open_table(kexport *x, out_db *o, kpi_error *err)
{
    kbuf create, insert;
    kbuf_init(&create, 0);
    kbuf_init(&insert, 0);
    kpi_status rc = KPI_OK;
    if (!table_sql(x->stream, &create, &insert))
        rc = kerr_set(err, KPI_NOMEM, "out of memory");
    else if (sqlite3_open_v2(x->path, &o->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
             sqlite3_exec(o->db, create.p, NULL, NULL, NULL) != SQLITE_OK ||
             sqlite3_prepare_v2(o->db, insert.p, (int)insert.n, &o->insert, NULL) != SQLITE_OK)
        rc = db_fail(x, "write", err);
    kbuf_release(&create);
    kbuf_release(&insert);
    return rc;
}

static kpi_status sqlite_begin(kexport *x, kpi_error *err)
{
    out_db *o = calloc(1, sizeof *o);
    if (!o)
        return kerr_set(err, KPI_NOMEM, "out of memory");
    kpi_status rc = create_new(x->path, err);
    if (rc != KPI_OK) {
        free(o);
        return rc;
    }
    x->state = o;
    return open_table(x, o, err);
}

static void bind(sqlite3_stmt *st, int col, const kfield *f, const kscan_value *v)
{
    char tmp[64];
    if (v->null) {
        sqlite3_bind_null(st, col);
    } else if (f->type == KPI_FIELD_TEXT) {
        sqlite3_bind_text(st, col, v->text.p, (int)v->text.n, SQLITE_STATIC);
    } else if (f->type == KPI_FIELD_TIME || f->type == KPI_FIELD_DATE) {
        size_t n = kexport_value(f, v, tmp, sizeof tmp);
        sqlite3_bind_text(st, col, tmp, (int)n, SQLITE_TRANSIENT);
    } else if (f->type == KPI_FIELD_NUMBER) {
        sqlite3_bind_double(st, col, (double)v->i / pow10_of[f->scale]);
    } else {
        sqlite3_bind_int64(st, col, v->i);
    }
}

static kpi_status sqlite_row(kexport *x, const kscan_value *vals, kpi_error *err)
{
    out_db *o = x->state;
    for (size_t i = 0; i < x->stream->nfields; i++)
        bind(o->insert, (int)i + 1, &x->stream->fields[i], &vals[i]);
    int step = sqlite3_step(o->insert);
    sqlite3_reset(o->insert);
    return step == SQLITE_DONE ? KPI_OK : db_fail(x, "write", err);
}

/* Removes the file a failed export made, and its journal. */
static void remove_file(const char *path)
{
    size_t n = strlen(path) + sizeof "-journal";
    char *journal = malloc(n);
    if (journal) {
        memcpy(journal, path, strlen(path));
        memcpy(journal + strlen(path), "-journal", sizeof "-journal");
        unlink(journal);
        free(journal);
    }
    unlink(path);
}

static kpi_status sqlite_end(kexport *x, bool ok, kpi_error *err)
{
    out_db *o = x->state;
    if (!o)
        return KPI_OK; /* begin failed before making the file */
    kpi_status rc = KPI_OK;
    if (ok && sqlite3_exec(o->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = db_fail(x, "write", err);
    sqlite3_finalize(o->insert);
    if (sqlite3_close(o->db) != SQLITE_OK && rc == KPI_OK)
        rc = db_fail(x, "close", err);
    if (!ok || rc != KPI_OK)
        remove_file(x->path);
    free(o);
    x->state = NULL;
    return rc;
}

const kexport_format kexport_sqlite = {
    .id = KPI_EXPORT_SQLITE,
    .name = "sqlite",
    .begin = sqlite_begin,
    .row = sqlite_row,
    .end = sqlite_end,
};
