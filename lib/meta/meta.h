/*
 * meta.h - kpi.db, the workspace's metadata and its one commit point: the stream registry
 * (kpi_streams, kpi_fields), the import ledger, targets and manual values, API tokens. The
 * event stores (lib/store) keep the events; an import commits through one kpi.db transaction
 * (kmeta_begin / kmeta_commit), so that what a store wrote for it and its ledger row are
 * stored together or not at all.
 *
 * One kmeta is one SQLite connection (WAL: readers never wait for a writer), used by one
 * thread at a time. Opening never writes to an existing kpi.db (a reader must not wait for a
 * running import); tables for targets, values and tokens are created with their first row.
 */
#ifndef KPI_META_H
#define KPI_META_H

#include "kpi.h"
#include "../util/util.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct kmeta kmeta;

/* Opens (creating when absent) the database at path; *out is NULL on failure. */
kpi_status kmeta_open(const char *path, kmeta **out, kpi_error *err);
/* Closes it, after a passive checkpoint. Accepts NULL. */
void kmeta_close(kmeta *m);

/* The one transaction of an import, a targets file...: begin takes the write lock. */
kpi_status kmeta_begin(kmeta *m, kpi_error *err);
kpi_status kmeta_commit(kmeta *m, kpi_error *err);
/* Rolls back the open transaction, if any. */
void kmeta_rollback(kmeta *m);

/* A number that changes whenever another connection commits (new events, targets, values,
 * tokens): what a cache of answers is keyed on. */
kpi_status kmeta_data_version(kmeta *m, int64_t *version, kpi_error *err);

/* Records one finished import in the ledger (kpi_imports). */
kpi_status kmeta_log_import(kmeta *m, const char *stream, const char *source,
                            const kpi_import_result *r, const char *status, kpi_error *err);

/* ---- what people enter: targets and manual values (targets.c) ---- */

/* Stores a target (replacing one for the same KPI, period and dimension values). period ""
 * means every period; dims is "" or "dim=value" pairs joined by "&", sorted by dim. */
kpi_status kmeta_target_put(kmeta *m, const char *kpi, const char *period, const char *dims,
                            double value, kpi_error *err);
/* Deletes the stored target of exactly that KPI, period and dims; *deleted is 0 or 1. */
kpi_status kmeta_target_delete(kmeta *m, const char *kpi, const char *period, const char *dims,
                               int *deleted, kpi_error *err);
/* Calls fn for every stored target. */
kpi_status kmeta_targets_each(kmeta *m,
                              kpi_status (*fn)(void *ctx, const char *kpi, const char *period,
                                               const char *dims, double value),
                              void *ctx, kpi_error *err);
/* Records a value of a manual KPI for a period (dims as for targets). Earlier values are kept:
 * the latest wins, the rest is the KPI's history. */
kpi_status kmeta_value_put(kmeta *m, const char *kpi, const char *period, const char *dims,
                           double value, const char *note, kpi_error *err);
/* Calls fn for every recorded value, oldest first (set_at: ISO 8601 UTC). */
kpi_status kmeta_values_each(kmeta *m,
                             kpi_status (*fn)(void *ctx, const char *kpi, const char *period,
                                              const char *dims, double value, const char *note,
                                              const char *set_at),
                             void *ctx, kpi_error *err);

/* ---- API tokens (tokens.c) ---- */

/* One API token as stored: the hash of the token (hex), never the token itself. */
typedef struct ktoken_row {
    int64_t id;
    const char *hash, *name, *role;
    const char *departments, *streams;   /* "" or comma-separated */
    const char *self;                    /* "" or "dimension=value" */
    const char *created_at, *revoked_at; /* revoked_at NULL while valid */
} ktoken_row;

/* Stores a token (by hash, with role and scope); *id is its id. */
kpi_status kmeta_token_put(kmeta *m, const ktoken_row *t, int64_t *id, kpi_error *err);
/* Calls fn for every token (hash NULL) or the one with that hash. */
kpi_status kmeta_tokens_each(kmeta *m, const char *hash,
                             kpi_status (*fn)(void *ctx, const ktoken_row *t), void *ctx,
                             kpi_error *err);
/* Marks token id revoked; *found false when there is none. */
kpi_status kmeta_token_revoke(kmeta *m, int64_t id, bool *found, kpi_error *err);

/* ---- text dictionaries (dict.c) ---- */

/*
 * The dictionary of one text field of one stream: the columnar store keeps text as codes, so
 * that group keys are small integers (DESIGN §5). Codes are given in order of first sight and
 * never remapped; kpi.db keeps them (kpi_dict), saved in the transaction of the batch that
 * first used them.
 */
typedef struct kdict {
    kmap codes;          /* value -> code */
    const char **values; /* code -> value (NUL-terminated, in text) */
    uint32_t *lens;      /* code -> its length in bytes */
    size_t n, cap;
    size_t stored; /* codes below are in kpi.db; the others wait for kmeta_dict_save */
    karena text;
} kdict;

void kdict_init(kdict *d);
void kdict_release(kdict *d);
/* The code of v; a new one (the next) when v is new. UINT32_MAX when out of memory or when the
 * field has 2^32 - 1 distinct values. */
uint32_t kdict_code(kdict *d, kstr v);
/* The value of a code (NULL when there is none). */
const char *kdict_value(const kdict *d, uint32_t code, size_t *len);
/* Forgets the codes added since the last load or save (their transaction rolled back); false
 * when out of memory (the dictionary is then empty: load it again). */
bool kdict_rollback(kdict *d);
/* Reads the stored dictionary of stream.field into d (emptied first). */
kpi_status kmeta_dict_load(kmeta *m, const char *stream, const char *field, kdict *d,
                           kpi_error *err);
/* Stores the codes added since the last load or save, inside the open transaction. */
kpi_status kmeta_dict_save(kmeta *m, const char *stream, const char *field, kdict *d,
                           kpi_error *err);

#endif
