/*
 * push.h - `kpi push`: the agent on workstations and servers that sends events to a kpi
 * server (POST /api/v1/streams/STREAM/events). A file is sent as one streamed request; what
 * cannot be sent now is kept in a spool directory and sent first by the next push, so that
 * nothing is lost when the server is down, and nothing is doubled when it comes back: a file
 * goes in pieces that the server stores whole or not at all, and the push resumes after the
 * last piece acknowledged (on a stream with an id, a piece sent twice counts as duplicates).
 */
#ifndef KPI_PUSH_H
#define KPI_PUSH_H

#include <stdbool.h>
#include <stddef.h>

typedef struct kpush_options {
    const char *server; /* http://host:port */
    const char *token;  /* bearer token, or NULL */
    const char *stream;
    const char *spool;  /* spool directory (default: ~/.kpi/spool or ./.kpi-spool) */
    double retry_for_s; /* keep retrying a batch this long (with backoff) before spooling */
    size_t batch_rows;  /* rows per request (0: 32768; below the server's batch, so that
                           each request is stored whole or not at all) */
    bool quiet;
} kpush_options;

/* Sends the spooled batches of the stream, then files (NULL-terminated; "-" is standard
 * input, spooled first since it cannot be read twice), each in requests of batch_rows rows.
 * When a request is interrupted, the push resumes at the first one the server did not
 * acknowledge; on a stream without an id, a request whose connection broke after it was sent
 * is not sent again (it may be stored) but set aside in SPOOL/STREAM/failed/ with a .reason
 * file, as is a spooled file whose rows the server refuses (400, 413, 415), so that it never
 * blocks the spool. Returns an exit code: 0 when all were delivered, 3 when the server
 * rejected rows, 1 when batches stay spooled, were set aside or a request was refused (the
 * reason printed). */
int kpush_run(const kpush_options *o, char *const *files);

#endif
