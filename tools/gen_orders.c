/*
 * gen_orders.c - writes a deterministic orders CSV (10 columns, the shape of an ERP export) for
 * benchmarks, crash tests and the quick-start demo: same arguments, same bytes.
 *
 *   gen_orders ROWS [SEED] > orders.csv
 *
 * Columns: order_id, ordered_at (ISO 8601 with offset), customer, region, rep, product,
 * quantity, revenue, cost (two decimals), status. Times advance through 2025 and 2026.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng_state;

/* splitmix64: tiny, fast and fully determined by the seed */
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static const char *const regions[] = {"North", "South", "East", "West",
                                      "Central", "Alpine", "Coast", "Metro"};
static const char *const statuses[] = {"shipped", "shipped", "shipped", "returned", "cancelled"};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: gen_orders ROWS [SEED]\n");
        return 2;
    }
    long long rows = atoll(argv[1]);
    rng_state = argc > 2 ? strtoull(argv[2], NULL, 10) : 42;
    static char out[1 << 16];
    setvbuf(stdout, out, _IOFBF, sizeof out);
    printf("order_id,ordered_at,customer,region,rep,product,quantity,revenue,cost,status\n");
    /* 2025-01-01T00:00:00Z plus a step that spreads rows over two years */
    int64_t t0 = 1735689600, span = 2 * 365 * 86400;
    for (long long i = 0; i < rows; i++) {
        int64_t t = t0 + (rows > 1 ? (int64_t)((double)span * (double)i / (double)rows) : 0);
        int64_t days = t / 86400, secs = t % 86400;
        /* civil date from days since 1970 (Gregorian) */
        int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
        int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
        int64_t y = yoe + era * 400 + (m <= 2);
        uint64_t r = rnd();
        int qty = 1 + (int)(r % 9);
        long long price = 500 + (long long)((r >> 8) % 20000); /* cents */
        long long revenue = price * qty, cost = revenue * (40 + (long long)((r >> 24) % 35)) / 100;
        printf("SO-%09lld,%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ,C%05d,%s,rep%02d,P%03d,%d,"
               "%lld.%02lld,%lld.%02lld,%s\n",
               i + 1, y, m, d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60),
               (int)((r >> 32) % 20000), regions[(r >> 40) % 8], (int)((r >> 44) % 45),
               (int)((r >> 50) % 300), qty, revenue / 100, revenue % 100, cost / 100, cost % 100,
               statuses[(r >> 58) % 5]);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
