/*
 * suggest.c - "did you mean" for misspelt keys, streams, fields and KPIs: the nearest candidate
 * by edit distance, offered only when it is close enough to be a typo.
 */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

size_t kedit_distance(const char *a, size_t an, const char *b, size_t bn, size_t max)
{
    if (an > bn ? an - bn > max : bn - an > max)
        return max + 1;
    if (bn > 255)
        return max + 1; /* names are short; longer words are never suggestions */
    size_t row[256];
    for (size_t j = 0; j <= bn; j++)
        row[j] = j;
    for (size_t i = 1; i <= an; i++) {
        size_t diag = row[0], best = row[0] = i;
        for (size_t j = 1; j <= bn; j++) {
            size_t up = row[j];
            size_t cost = lower((unsigned char)a[i - 1]) == lower((unsigned char)b[j - 1]) ? 0 : 1;
            size_t v = diag + cost;
            if (up + 1 < v)
                v = up + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
            diag = up;
            if (v < best)
                best = v;
        }
        if (best > max)
            return max + 1;
    }
    return row[bn];
}

const char *ksuggest(kstr word, const char *const *candidates, size_t n)
{
    size_t max = word.n / 3;
    if (max < 1)
        max = 1;
    const char *best = NULL;
    size_t best_d = max + 1;
    for (size_t i = 0; i < n; i++) {
        if (!candidates[i])
            continue;
        size_t d = kedit_distance(word.p, word.n, candidates[i], strlen(candidates[i]), max);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best;
}

void ksuggest_hint(kstr word, const char *const *candidates, size_t n, char *buf, size_t cap)
{
    const char *s = ksuggest(word, candidates, n);
    if (cap)
        buf[0] = '\0';
    if (s)
        snprintf(buf, cap, " (did you mean '%s'?)", s);
}
