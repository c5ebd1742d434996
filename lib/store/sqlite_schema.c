/*
 * sqlite_schema.c - keeps kpi.db's tables in line with kpi.yaml without losing data: new
 * streams and fields are created, and changes that would drop or reinterpret stored values are
 * refused with a message that says what holds the data and how to proceed (the rules are in
 * store.h). The stored schema lives in kpi_streams / kpi_fields so changes can be detected.
 */
#include "sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One field as the store knows it. */
typedef struct stored_field {
    char name[64];
    char type[16];
    int scale;
    bool seen; /* still defined in kpi.yaml */
} stored_field;

typedef struct stored_stream {
    bool exists;
    char kind[16];
    char time_field[64];
    char id_field[64]; /* "" when none */
    stored_field *fields;
    size_t nfields;
} stored_stream;

static void copy_text(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

/* Reads the stored schema of stream `name` into *out (out->exists false when it has none); the
 * caller frees out->fields. On failure *out holds nothing to free. */
static kpi_status load_stored(ksql *q, const char *name, stored_stream *out, kpi_error *err)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT kind, time_field, coalesce(id_field, '') FROM kpi_streams"
                           " WHERE name = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return ksql_fail(q, "cannot read stored schema", err);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        out->exists = true;
        copy_text(out->kind, sizeof out->kind, st, 0);
        copy_text(out->time_field, sizeof out->time_field, st, 1);
        copy_text(out->id_field, sizeof out->id_field, st, 2);
    }
    if (sqlite3_finalize(st) != SQLITE_OK) /* a failed step (out of memory...) is not "absent" */
        return ksql_fail(q, "cannot read stored schema", err);
    if (!out->exists)
        return KPI_OK;
    if (sqlite3_prepare_v2(q->db,
                           "SELECT name, type, scale FROM kpi_fields WHERE stream = ?"
                           " ORDER BY position",
                           -1, &st, NULL) != SQLITE_OK)
        return ksql_fail(q, "cannot read stored schema", err);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    kpi_status rc = KPI_OK;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (!KRESIZE(out->fields, out->nfields + 1)) {
            rc = kerr_set(err, KPI_NOMEM, "out of memory");
            break;
        }
        stored_field *f = out->fields + out->nfields++;
        memset(f, 0, sizeof *f);
        copy_text(f->name, sizeof f->name, st, 0);
        copy_text(f->type, sizeof f->type, st, 1);
        f->scale = sqlite3_column_int(st, 2);
    }
    if (sqlite3_finalize(st) != SQLITE_OK && rc == KPI_OK)
        rc = ksql_fail(q, "cannot read stored schema", err);
    if (rc != KPI_OK) { /* nothing to free on failure */
        free(out->fields);
        out->fields = NULL;
        out->nfields = 0;
    }
    return rc;
}

static const char *sql_type(kpi_field_type t)
{
    return t == KPI_FIELD_TEXT ? "TEXT" : "INTEGER";
}

static kpi_status put_field_meta(ksql *q, const kstream *s, size_t i, kpi_error *err)
{
    const kfield *f = &s->fields[i];
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT OR REPLACE INTO kpi_fields(stream, name, type, scale, position)"
             " VALUES ('%s', '%s', '%s', %d, %zu)",
             s->name, f->name, kpi_field_type_name(f->type),
             f->type == KPI_FIELD_NUMBER ? f->scale : 0, i);
    return ksql_exec(q, sql, err);
}

static kpi_status put_stream_meta(ksql *q, const kstream *s, bool exists, kpi_error *err)
{
    char sql[512];
    if (exists)
        snprintf(sql, sizeof sql,
                 "UPDATE kpi_streams SET kind = '%s', time_field = '%s', id_field = %s%s%s"
                 " WHERE name = '%s'",
                 kstream_kind_name(s->kind), s->time_field, s->id_field ? "'" : "",
                 s->id_field ? s->id_field : "NULL", s->id_field ? "'" : "", s->name);
    else
        snprintf(sql, sizeof sql,
                 "INSERT INTO kpi_streams(name, kind, time_field, id_field)"
                 " VALUES ('%s', '%s', '%s', %s%s%s)",
                 s->name, kstream_kind_name(s->kind), s->time_field, s->id_field ? "'" : "",
                 s->id_field ? s->id_field : "NULL", s->id_field ? "'" : "");
    return ksql_exec(q, sql, err);
}

static kpi_status create_id_index(ksql *q, const kstream *s, kpi_error *err)
{
    char sql[256];
    snprintf(sql, sizeof sql, "CREATE UNIQUE INDEX \"%s__id\" ON \"%s\"(\"%s\")", s->name, s->name,
             s->id_field);
    char *msg = NULL;
    if (sqlite3_exec(q->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return KPI_OK;
    sqlite3_free(msg);
    if (sqlite3_errcode(q->db) == SQLITE_CONSTRAINT)
        return kerr_set_at(err, KPI_CONFLICT, s->loc.file, s->loc.line, s->loc.column,
                           "cannot make '%s' the id of stream '%s': stored rows repeat some of"
                           " its values",
                           s->id_field, s->name);
    return ksql_fail(q, "cannot create id index", err);
}

static kpi_status create_stream(ksql *q, const kstream *s, kpi_error *err)
{
    kbuf sql;
    kbuf_init(&sql, 0);
    bool ok = kbuf_printf(&sql, "CREATE TABLE \"%s\"(_key INTEGER PRIMARY KEY", s->name);
    for (size_t i = 0; i < s->nfields; i++)
        ok = ok && kbuf_printf(&sql, ", \"%s\" %s", s->fields[i].name, sql_type(s->fields[i].type));
    ok = ok && kbuf_appendc(&sql, ')');
    kpi_status rc = ok ? ksql_exec(q, sql.p, err) : kerr_set(err, KPI_NOMEM, "out of memory");
    kbuf_release(&sql);
    if (rc == KPI_OK && s->id_field)
        rc = create_id_index(q, s, err);
    if (rc == KPI_OK)
        rc = put_stream_meta(q, s, false, err);
    for (size_t i = 0; rc == KPI_OK && i < s->nfields; i++)
        rc = put_field_meta(q, s, i, err);
    return rc;
}

/* Non-null values stored in a column (capped: only "none" versus "some" matters). */
static kpi_status column_values(ksql *q, const char *stream, const char *col, int64_t *n,
                                kpi_error *err)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM (SELECT 1 FROM \"%s\" WHERE \"%s\" IS NOT NULL"
             " LIMIT 1)",
             stream, col);
    return ksql_int(q, sql, n, err);
}

/* A field removed from kpi.yaml: dropped when empty, refused when it holds data. */
static kpi_status drop_field(ksql *q, const kstream *s, const stored_field *f,
                             const stored_stream *old, kpi_error *err)
{
    int64_t n = 0;
    kpi_status rc = column_values(q, s->name, f->name, &n, err);
    if (rc != KPI_OK)
        return rc;
    if (n)
        return kerr_set_at(err, KPI_CONFLICT, s->loc.file, s->loc.line, s->loc.column,
                           "field '%s' of stream '%s' holds data but is no longer in kpi.yaml;"
                           " put it back, or delete the stream's data with 'kpi streams drop %s'",
                           f->name, s->name, s->name);
    char sql[512];
    if (strcmp(old->id_field, f->name) == 0) {
        snprintf(sql, sizeof sql, "DROP INDEX IF EXISTS \"%s__id\"", s->name);
        if ((rc = ksql_exec(q, sql, err)) != KPI_OK)
            return rc;
    }
    snprintf(sql, sizeof sql,
             "ALTER TABLE \"%s\" DROP COLUMN \"%s\"; DELETE FROM kpi_fields WHERE stream = '%s'"
             " AND name = '%s'",
             s->name, f->name, s->name, f->name);
    return ksql_exec(q, sql, err);
}

/* A field present in both: a type or scale change is allowed only while the column is empty. */
static kpi_status change_field(ksql *q, const kstream *s, size_t i, stored_field *old,
                               kpi_error *err)
{
    const kfield *f = &s->fields[i];
    int scale = f->type == KPI_FIELD_NUMBER ? f->scale : 0;
    bool same = strcmp(old->type, kpi_field_type_name(f->type)) == 0 && old->scale == scale;
    if (same)
        return put_field_meta(q, s, i, err); /* keeps the position current */
    int64_t n = 0;
    kpi_status rc = column_values(q, s->name, f->name, &n, err);
    if (rc != KPI_OK)
        return rc;
    if (n) {
        if (strcmp(old->type, kpi_field_type_name(f->type)) != 0)
            return kerr_set_at(err, KPI_CONFLICT, f->loc.file, f->loc.line, f->loc.column,
                               "cannot change field '%s' of stream '%s' from %s to %s: it holds"
                               " data; use a new field name, or delete the stream's data with"
                               " 'kpi streams drop %s'",
                               f->name, s->name, old->type, kpi_field_type_name(f->type), s->name);
        return kerr_set_at(err, KPI_CONFLICT, f->loc.file, f->loc.line, f->loc.column,
                           "cannot change the scale of field '%s' of stream '%s' from %d to %d:"
                           " it holds data; use a new field name, or delete the stream's data"
                           " with 'kpi streams drop %s'",
                           f->name, s->name, old->scale, scale, s->name);
    }
    return put_field_meta(q, s, i, err);
}

static const stored_field *find_stored(stored_stream *old, const char *name)
{
    for (size_t i = 0; i < old->nfields; i++)
        if (strcmp(old->fields[i].name, name) == 0)
            return &old->fields[i];
    return NULL;
}

static kpi_status update_stream(ksql *q, const kstream *s, stored_stream *old, kpi_error *err)
{
    char sql[512];
    int64_t rows = 0;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM (SELECT 1 FROM \"%s\" LIMIT 1)", s->name);
    kpi_status rc = ksql_int(q, sql, &rows, err);
    if (rc != KPI_OK)
        return rc;
    if (strcmp(old->time_field, s->time_field) != 0 && rows)
        return kerr_set_at(err, KPI_CONFLICT, s->loc.file, s->loc.line, s->loc.column,
                           "cannot change the time field of stream '%s' from '%s' to '%s' while"
                           " it holds rows; delete them first with 'kpi streams drop %s'",
                           s->name, old->time_field, s->time_field, s->name);
    for (size_t i = 0; rc == KPI_OK && i < s->nfields; i++) {
        stored_field *f = (stored_field *)find_stored(old, s->fields[i].name);
        if (f) {
            f->seen = true;
            rc = change_field(q, s, i, f, err);
            continue;
        }
        snprintf(sql, sizeof sql, "ALTER TABLE \"%s\" ADD COLUMN \"%s\" %s", s->name,
                 s->fields[i].name, sql_type(s->fields[i].type));
        rc = ksql_exec(q, sql, err);
        if (rc == KPI_OK)
            rc = put_field_meta(q, s, i, err);
    }
    for (size_t i = 0; rc == KPI_OK && i < old->nfields; i++)
        if (!old->fields[i].seen)
            rc = drop_field(q, s, &old->fields[i], old, err);
    const char *new_id = s->id_field ? s->id_field : "";
    if (rc == KPI_OK && strcmp(old->id_field, new_id) != 0) {
        snprintf(sql, sizeof sql, "DROP INDEX IF EXISTS \"%s__id\"", s->name);
        rc = ksql_exec(q, sql, err);
        if (rc == KPI_OK && s->id_field)
            rc = create_id_index(q, s, err);
    }
    if (rc == KPI_OK)
        rc = put_stream_meta(q, s, true, err);
    return rc;
}

/* Re-buckets every row of the streams whose time field is a time after the zone changed. */
static kpi_status rebucket(ksql *q, const kconfig *cfg, kpi_error *err)
{
    for (size_t i = 0; i < cfg->nstreams; i++) {
        const kstream *s = &cfg->streams[i];
        if (s->fields[s->time_index].type != KPI_FIELD_TIME)
            continue;
        char sql[512];
        snprintf(sql, sizeof sql,
                 "UPDATE \"%s\" SET _key = (kpi_day(\"%s\") << %d) | (_key & %lld)"
                 " WHERE (_key >> %d) <> kpi_day(\"%s\")",
                 s->name, s->time_field, KSQL_SEQ_BITS, (long long)KSQL_SEQ_MASK, KSQL_SEQ_BITS,
                 s->time_field);
        kpi_status rc = ksql_exec(q, sql, err);
        if (rc != KPI_OK)
            return rc;
    }
    return KPI_OK;
}

static kpi_status sync_zone(ksql *q, const kconfig *cfg, kpi_error *err)
{
    sqlite3_stmt *st;
    char stored[128] = "";
    if (sqlite3_prepare_v2(q->db, "SELECT value FROM kpi_meta WHERE key = 'timezone'", -1, &st,
                           NULL) != SQLITE_OK)
        return ksql_fail(q, "cannot read stored schema", err);
    if (sqlite3_step(st) == SQLITE_ROW)
        copy_text(stored, sizeof stored, st, 0);
    sqlite3_finalize(st);
    if (strcmp(stored, cfg->timezone) == 0)
        return KPI_OK;
    kpi_status rc = stored[0] ? rebucket(q, cfg, err) : KPI_OK;
    if (rc != KPI_OK)
        return rc;
    if (sqlite3_prepare_v2(q->db, "INSERT OR REPLACE INTO kpi_meta VALUES('timezone', ?)", -1, &st,
                           NULL) != SQLITE_OK)
        return ksql_fail(q, "cannot store time zone", err);
    sqlite3_bind_text(st, 1, cfg->timezone, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? KPI_OK : ksql_fail(q, "cannot store time zone", err);
}

/* True when the stored schema already matches cfg exactly, so that opening a workspace takes
 * no write lock (a query must not wait for an import in progress). */
static bool schema_matches(ksql *q, const kconfig *cfg)
{
    sqlite3_stmt *st;
    bool same = false;
    if (sqlite3_prepare_v2(q->db, "SELECT value FROM kpi_meta WHERE key = 'timezone'", -1, &st,
                           NULL) != SQLITE_OK)
        return false;
    if (sqlite3_step(st) == SQLITE_ROW)
        same = strcmp((const char *)sqlite3_column_text(st, 0), cfg->timezone) == 0;
    sqlite3_finalize(st);
    for (size_t i = 0; same && i < cfg->nstreams; i++) {
        const kstream *s = &cfg->streams[i];
        stored_stream old;
        if (load_stored(q, s->name, &old, NULL) != KPI_OK)
            return false;
        same = old.exists && old.nfields == s->nfields &&
               strcmp(old.kind, kstream_kind_name(s->kind)) == 0 &&
               strcmp(old.time_field, s->time_field) == 0 &&
               strcmp(old.id_field, s->id_field ? s->id_field : "") == 0;
        for (size_t f = 0; same && f < s->nfields; f++) {
            const kfield *d = &s->fields[f];
            same = strcmp(old.fields[f].name, d->name) == 0 &&
                   strcmp(old.fields[f].type, kpi_field_type_name(d->type)) == 0 &&
                   old.fields[f].scale == (d->type == KPI_FIELD_NUMBER ? d->scale : 0);
        }
        free(old.fields);
    }
    return same;
}

kpi_status ksql_sync(kstore *store, const kconfig *cfg, kpi_error *err)
{
    ksql *q = (ksql *)store;
    ktz_close(q->tz);
    q->tz = NULL;
    kpi_status rc = ktz_open(cfg->timezone, &q->tz, err);
    if (rc != KPI_OK || schema_matches(q, cfg))
        return rc;
    if ((rc = ksql_exec(q, "BEGIN IMMEDIATE", err)) != KPI_OK)
        return rc;
    for (size_t i = 0; rc == KPI_OK && i < cfg->nstreams; i++) {
        const kstream *s = &cfg->streams[i];
        stored_stream old;
        rc = load_stored(q, s->name, &old, err);
        if (rc == KPI_OK)
            rc = old.exists ? update_stream(q, s, &old, err) : create_stream(q, s, err);
        free(old.fields);
        ksql_forget_inserts(q, s->name);
    }
    if (rc == KPI_OK)
        rc = sync_zone(q, cfg, err); /* after the loop: every stream's table exists by now */
    if (rc == KPI_OK)
        return ksql_exec(q, "COMMIT", err);
    sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}
