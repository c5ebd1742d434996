/*
 * checkpoint.c - WAL checkpoints mostly off the committing thread. SQLite's automatic
 * checkpoint runs inside the COMMIT that crosses the threshold: the writer then copies 64 MiB of
 * WAL into kpi.db and waits for two fsyncs before it can store the next batch, and during an
 * import that thread bounds the speed. Here a WAL hook replaces the automatic checkpoint:
 *
 *   1. past WAL_THRESHOLD frames it wakes a checkpointer thread (its own connection, PASSIVE:
 *      it never blocks the writer or readers), which copies the bulk and fsyncs, while the
 *      writer goes on appending to the WAL;
 *   2. at the first commit after that checkpoint finished, the writer checkpoints the few
 *      frames written meanwhile itself, so that the WAL is wholly copied and SQLite starts it
 *      again from the beginning at the next transaction: the WAL stays bounded (a checkpointer
 *      alone never catches up with a busy writer, and the WAL would grow with the import).
 *
 * If the checkpointer falls far behind (WAL_LIMIT frames), the writer waits for it.
 */
#include "meta_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define WAL_THRESHOLD 1024 /* frames (64 KiB pages): 64 MiB, SQLite's autocheckpoint here */
#define WAL_LIMIT (8 * WAL_THRESHOLD)
#define WAL_LEFT 32 /* frames the checkpointer may leave to the writer's catch-up */

struct kmeta_checkpointer {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool started, quit;
    bool wanted;   /* the writer asked for a checkpoint, not yet taken by the thread */
    bool running;  /* the thread is checkpointing */
    bool finished; /* a checkpoint finished since the writer last caught up */
    char *path;    /* the database file, for the thread's own connection */
};

/* Syncs kpi.db's data through SQLite's own file handle. Never open and close the database file
 * beside SQLite: closing any descriptor of a file drops every POSIX lock the process holds on
 * it, and another process would then delete the WAL under this one (SQLite's "how to corrupt"). */
static void sync_database(sqlite3 *db)
{
    sqlite3_file *f = NULL;
    if (db && sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &f) == SQLITE_OK && f &&
        f->pMethods)
        f->pMethods->xSync(f, SQLITE_SYNC_NORMAL | SQLITE_SYNC_DATAONLY);
}

static void *run(void *arg)
{
    kmeta_checkpointer *c = arg;
    sqlite3 *db = NULL;
    /* a connection sees the WAL only once it has read the database: read the schema first */
    if (sqlite3_open_v2(c->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        db = NULL;
    }
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->wanted && !c->quit)
            pthread_cond_wait(&c->cv, &c->mu);
        if (c->quit)
            break;
        c->wanted = false;
        c->running = true;
        pthread_mutex_unlock(&c->mu);
        /* Again while a round copied much (the writer appended meanwhile): each round is
         * shorter, copying being faster than inserting, so the writer's catch-up is left a few
         * frames. SQLite syncs kpi.db only after a checkpoint that copied the whole WAL, which
         * the catch-up is: the file is synced here first so that its sync finds little to do.
         * A failed or partial checkpoint is caught up by the writer; the WAL keeps the data. */
        int log = 0, done = 0, before = 0;
        for (int round = 0; db && round < 8; round++) {
            if (sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done) !=
                    SQLITE_OK ||
                done - before <= WAL_LEFT)
                break;
            before = done;
        }
        sync_database(db);
        pthread_mutex_lock(&c->mu);
        c->running = false;
        c->finished = true;
        pthread_cond_broadcast(&c->cv);
    }
    pthread_mutex_unlock(&c->mu);
    sqlite3_close(db);
    return NULL;
}

/* The WAL hook: called by SQLite after each commit of this connection, with the WAL's size. */
static int on_commit(void *arg, sqlite3 *db, const char *schema, int frames)
{
    kmeta_checkpointer *c = arg;
    if (frames < WAL_THRESHOLD || strcmp(schema, "main") != 0)
        return SQLITE_OK;
    pthread_mutex_lock(&c->mu);
    if (!c->started)
        c->started = pthread_create(&c->thread, NULL, run, c) == 0;
    if (c->started && frames >= WAL_LIMIT)
        while (c->wanted || c->running)
            pthread_cond_wait(&c->cv, &c->mu);
    bool catch_up = !c->started || c->finished;
    if (catch_up)
        c->finished = false;
    else if (!c->running)
        c->wanted = true;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    if (catch_up)
        sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return SQLITE_OK;
}

kpi_status kmeta_checkpointer_attach(kmeta *m, const char *path, kpi_error *err)
{
    kmeta_checkpointer *c = calloc(1, sizeof *c);
    if (!c || !(c->path = strdup(path))) {
        free(c);
        return kerr_set(err, KPI_NOMEM, "out of memory");
    }
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    m->checkpointer = c;
    sqlite3_wal_hook(m->db, on_commit, c);
    return KPI_OK;
}

void kmeta_checkpointer_detach(kmeta *m)
{
    kmeta_checkpointer *c = m->checkpointer;
    if (!c)
        return;
    sqlite3_wal_hook(m->db, NULL, NULL);
    pthread_mutex_lock(&c->mu);
    c->quit = true;
    pthread_cond_broadcast(&c->cv);
    bool started = c->started;
    pthread_mutex_unlock(&c->mu);
    if (started)
        pthread_join(c->thread, NULL);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    free(c->path);
    free(c);
    m->checkpointer = NULL;
}
