/*
 * fuzz_config.c - libFuzzer target for kpi.yaml loading: any bytes go through the YAML parser,
 * the tree builder and every validation rule, and must give either a config or an error with a
 * message, never a crash, a leak or undefined behaviour. Includes resolve against a directory
 * that does not exist, so the input alone decides what happens. A KPI with a mistake is kept,
 * marked broken with its mistake listed; every formula is then compiled, the broken ones set
 * aside with a reason.
 */
#include "formula/formula.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kpi_error err;
    kpi_error_init(&err);
    kconfig *cfg = NULL;
    kpi_status st =
        kcfg_load_string((const char *)data, size, "kpi.yaml", "/nonexistent/kpi-fuzz", &cfg, &err);
    if (st == KPI_OK) {
        /* walk what was loaded so that bad pointers show up here */
        size_t sum = strlen(cfg->name) + strlen(cfg->timezone);
        for (size_t i = 0; i < cfg->nstreams; i++) {
            const kstream *s = &cfg->streams[i];
            sum += strlen(s->name) + strlen(s->time_field) + s->time_index;
            if (s->time_index >= s->nfields || (s->id_field && s->id_index >= s->nfields))
                __builtin_trap();
            for (size_t j = 0; j < s->nfields; j++)
                sum += strlen(s->fields[j].name) + strlen(s->fields[j].column);
            if (kcfg_stream(cfg, kstr_c(s->name)) != s)
                __builtin_trap();
        }
        for (size_t i = 0; i < cfg->nkpis; i++) {
            const kkpi *k = &cfg->kpis[i];
            sum += strlen(k->id) + strlen(k->name) + strlen(k->grain);
            if (k->broken) { /* kept, marked, never computed: its mistake is listed */
                bool listed = false;
                for (size_t p = 0; p < cfg->nproblems; p++)
                    listed |= cfg->problems[p] == k->broken;
                if (!listed || k->formula || k->manual || !k->broken->message[0])
                    __builtin_trap();
                continue;
            }
            if (!k->formula == !k->manual || !(k->at_risk > 0 && k->at_risk <= k->on_track))
                __builtin_trap();
            for (size_t j = 0; j < k->ntargets; j++)
                for (size_t d = 0; d < k->targets[j].ndims; d++)
                    sum += strlen(k->targets[j].dim_names[d]) + strlen(k->targets[j].dim_values[d]);
        }
        (void)sum;
        /* every formula compiled, the broken ones set aside with a reason */
        karena arena;
        karena_init(&arena, 0);
        kexpr **trees;
        const kpi_error **broken;
        if (kformula_compile_each(cfg, &arena, &trees, &broken, &err) == KPI_OK)
            for (size_t i = 0; i < cfg->nkpis; i++)
                if ((broken[i] != NULL) != (trees[i] == NULL && !cfg->kpis[i].manual) ||
                    (broken[i] && !broken[i]->message[0]))
                    __builtin_trap();
        karena_release(&arena);
        kcfg_free(cfg);
    } else if (cfg || !err.message[0]) {
        __builtin_trap(); /* a failure sets no config and always says why */
    }
    return 0;
}
