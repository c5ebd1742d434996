/*
 * kjson.h - writing a jansson document into a kbuf, all or nothing. Apart from util.h so that
 * only the files that write JSON include jansson.
 */
#ifndef KPI_KJSON_H
#define KPI_KJSON_H

#include "util.h"

#include <jansson.h>

/*
 * Appends doc as JSON (jansson's dump flags) to b. Returns false when a write failed (out of
 * memory, b's limit); b then holds a cut document, which the caller drops. jansson 2.14 ignores
 * a failed write of an object's key and reports success, so the failure is kept here.
 */
bool kjson_append(kbuf *b, const json_t *doc, size_t flags);

#endif
