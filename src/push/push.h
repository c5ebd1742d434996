/*
 * push.h - `kpi push`: the agent on workstations and servers that sends events to a kpi
 * server (POST /api/v1/streams/STREAM/events). A file is sent as one streamed request; what
 * cannot be sent now is kept in a spool directory and sent first by the next push, so that
 * nothing is lost when the server is down, and nothing is doubled when it comes back: the
 * stream's id field makes a batch sent twice count its rows as duplicates.
 */
#ifndef KPI_PUSH_H
#define KPI_PUSH_H

#include <stdbool.h>
#include <stddef.h>

typedef struct kpush_options {
    const char *server;     /* http://host:port */
    const char *token;      /* bearer token, or NULL */
    const char *stream;
    const char *spool;      /* spool directory (default: ~/.kpi/spool or ./.kpi-spool) */
    double retry_for_s;     /* keep retrying a batch this long (with backoff) before spooling */
    bool quiet;
} kpush_options;

/* Sends the spooled batches of the stream, then files (NULL-terminated; "-" is standard
 * input, spooled first since it cannot be read twice). Returns an exit code: 0 when all were
 * delivered, 3 when the server rejected rows, 1 when batches stay spooled or a request was
 * refused (the reason printed). */
int kpush_run(const kpush_options *o, char *const *files);

#endif
