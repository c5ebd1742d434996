/*
 * input.h - the buffered byte source under both readers (private to lib/ingest). It reads from a
 * kpi_read_fn into one buffer, skips a UTF-8 byte order mark at the very start, converts latin1 /
 * windows-1252 to UTF-8 as it reads, and lets a reader keep the incomplete record at the end of
 * the buffer while it reads more, growing the buffer up to the record limit and no further.
 *
 * A reader scans in->buf[in->start .. in->end). When it reaches in->end inside a record it sets
 * in->start to the record's first byte and calls kinput_fill(): the kept bytes move to the front
 * of the buffer (so the reader keeps offsets relative to the record start, never pointers) and
 * new bytes follow them. in->buf[in->end] is always '\0', a sentinel that lets scanners run
 * without checking the end on every byte (they check it when they stop on a NUL).
 */
#ifndef KPI_INGEST_INPUT_H
#define KPI_INGEST_INPUT_H

#include "../util/util.h"

typedef struct kinput {
    kpi_read_fn read;
    void *ctx;
    kencoding enc;
    char *buf; /* cap + 1 bytes */
    size_t cap;
    size_t start;      /* first byte the reader still needs */
    size_t end;        /* end of the bytes read so far */
    size_t max_record; /* a record (or line) longer than this is an error */
    size_t tail;       /* terminator bytes a kept record may still end with (NDJSON's CR) */
    size_t max_cap;    /* the buffer never grows past this */
    char *stage;       /* raw bytes waiting for transcoding (non-UTF-8 encodings only) */
    size_t stage_cap;
    uint64_t bytes_read; /* from read(), before transcoding, BOM included */
    bool eof;
    bool filled;   /* the last read filled all the room offered: a bigger buffer may pay */
    bool at_start; /* nothing read yet: the BOM check is still to do */
    bool lines;    /* limit errors say "line N" rather than "record at line N" */
} kinput;

/*
 * Sets up in over read/ctx. max_record 0 means 64 MiB. lines selects the wording of the limit
 * error (NDJSON counts lines, CSV records). Returns KPI_NOMEM with err set when the first buffer
 * cannot be allocated; kinput_release() is safe either way.
 */
kpi_status kinput_init(kinput *in, kpi_read_fn read, void *ctx, kencoding enc, size_t max_record,
                       bool lines, kpi_error *err);
void kinput_release(kinput *in);

/*
 * Reads more input after in->end, keeping in->buf[in->start .. in->end) (moved to the front).
 * Returns 1 when at least one byte was added, 0 at the end of input, -1 with err set on a read
 * error (KPI_IO), when the kept bytes already exceed max_record (KPI_LIMIT; `line` is the line
 * where the record starts, for the message) or when out of memory.
 */
int kinput_fill(kinput *in, unsigned long line, kpi_error *err);

/* NDJSON lines may end with CRLF: a kept line of max_record + 1 bytes may still be within the
 * limit once its CR is dropped. Sets how many such terminator bytes fill() tolerates. */
static inline void kinput_set_tail(kinput *in, size_t tail)
{
    in->tail = tail;
}

/* The KPI_LIMIT error for a record of `line` longer than max_record; returns -1. */
int kinput_limit_error(const kinput *in, unsigned long line, kpi_error *err);

#endif
