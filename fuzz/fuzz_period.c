/*
 * fuzz_period.c - libFuzzer target for period names (lib/calendar/period_names.c): every
 * --period, target period and manual value's period goes through kperiod_parse, now with the
 * relative names (last-month...) read against today. Besides crashes and sanitizer reports,
 * a name that parses must name a non-empty range, and a single period's own name (as
 * kperiod_name writes it) must parse back to the same period.
 *
 * Input layout: byte 0 picks the calendar (low 3 bits: week_start 0..7, next 4 bits:
 * fiscal_year_start 1..12 by modulo, top bit: today is known); bytes 1-2 a day offset for
 * today around 2026-11-23; the rest is the name.
 */
#include "calendar/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    kcalendar cal = {.week_start = data[0] & 7,
                     .fiscal_year_start = 1 + ((data[0] >> 3) & 15) % 12,
                     .has_today = (data[0] & 0x80) != 0,
                     .today = 20780 + (int64_t)((data[1] << 8) | data[2]) - 32768};
    kperiod p;
    char why[256], name[128];
    if (!kperiod_parse(&cal, (kstr){(const char *)data + 3, size - 3}, &p, why, sizeof why)) {
        if (!why[0])
            abort(); /* a refusal always says why */
        return 0;
    }
    if (p.end <= p.first)
        abort();
    kperiod_name(&cal, p, name, sizeof name);
    kperiod q;
    if (!kperiod_parse(&cal, kstr_c(name), &q, why, sizeof why) || q.first != p.first ||
        q.end != p.end || q.grain != p.grain) {
        fprintf(stderr, "'%s' does not read back: %s\n", name, why);
        abort();
    }
    return 0;
}
