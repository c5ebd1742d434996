/*
 * sparkline.c - a series' values as one line of block characters ("▁▃▅█"), the trend column of
 * `kpi report`. Values are scaled between the smallest and the largest defined value of the
 * series; undefined values leave a gap, and a flat series sits at the middle level so that it
 * reads as "steady" rather than "at the bottom".
 */
#include "render.h"

#include <math.h>

static const char *const blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
static const char *const ascii[] = {"_", ".", "-", "^"};

bool krender_sparkline(kbuf *b, const kpi_point *points, size_t n, bool unicode)
{
    const char *const *levels = unicode ? blocks : ascii;
    size_t nlevels = unicode ? sizeof blocks / sizeof blocks[0] : sizeof ascii / sizeof ascii[0];
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double v = points[i].value;
        if (krender_defined(v)) {
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    }
    double span = hi - lo; /* inf or NaN when nothing is defined: then no value is drawn */
    for (size_t i = 0; i < n; i++) {
        double v = points[i].value;
        const char *c = " ";
        if (krender_defined(v)) {
            size_t level = unicode ? 3 : 2; /* "▄" or "-": half height, for a flat series */
            if (span > 0 && krender_defined(span))
                level = (size_t)lround((v - lo) / span * (double)(nlevels - 1));
            c = levels[level < nlevels ? level : nlevels - 1];
        }
        if (!kbuf_appends(b, c))
            return false;
    }
    return true;
}
