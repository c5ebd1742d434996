/*
 * fuzz_formula.c - libFuzzer target for the formula language: any bytes are parsed as a formula
 * and bound against a small fixed workspace (loaded once), and must give a tree or an error
 * with a message, never a crash, a leak or undefined behaviour. A tree is printed, the printed
 * text parsed again, and it must print the same and bind with the same status: the printer is
 * canonical and loses nothing.
 */
#include "formula/formula.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char workspace[] = "workspace:\n"
                                "  timezone: Europe/Berlin\n"
                                "streams:\n"
                                "  orders:\n"
                                "    time: at\n"
                                "    fields:\n"
                                "      at: time\n"
                                "      day: date\n"
                                "      revenue: number\n"
                                "      cost: {type: number, scale: 2}\n"
                                "      quantity: integer\n"
                                "      region: text\n"
                                "      paid: bool\n"
                                "      email: text\n"
                                "  leads:\n"
                                "    time: at\n"
                                "    fields:\n"
                                "      at: time\n"
                                "      email: text\n"
                                "kpis:\n"
                                "  revenue:\n"
                                "    formula: sum(orders.revenue)\n"
                                "  target:\n"
                                "    manual: true\n";

static kconfig *config(void)
{
    static kconfig *cfg;
    if (!cfg) {
        kpi_error err;
        if (kcfg_load_string(workspace, sizeof workspace - 1, "kpi.yaml", "/nonexistent", &cfg,
                             &err) != KPI_OK)
            __builtin_trap();
    }
    return cfg;
}

/* Parses and binds text as a KPI "fuzz"; the printed tree goes to out when parsing works. */
static kpi_status round_once(const char *text, karena *arena, kbuf *out, kpi_status *bound)
{
    kkpi self = {.id = "fuzz", .formula = text, .formula_loc = {"kpi.yaml", 3, 14}};
    kpi_error err;
    kpi_error_init(&err);
    kexpr *e = NULL;
    kpi_status st = kformula_parse(arena, text, self.formula_loc, &e, &err);
    if (st != KPI_OK) {
        if (e || !err.message[0] || err.line < 3)
            __builtin_trap(); /* a failure sets no tree and says where and why */
        return st;
    }
    kpi_error_init(&err);
    *bound = kformula_bind(config(), &self, e, &err);
    if (*bound != KPI_OK && !err.message[0])
        __builtin_trap();
    if (!kformula_print(e, out))
        __builtin_trap();
    return KPI_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    karena arena;
    karena_init(&arena, 0);
    kbuf first, second;
    kbuf_init(&first, 0);
    kbuf_init(&second, 0);
    kpi_status bound1 = KPI_OK, bound2 = KPI_OK;
    /* the canonical text may outgrow the length limit (stream names added to bare fields) */
    if (round_once(text, &arena, &first, &bound1) == KPI_OK && first.n <= 16384) {
        if (round_once(first.p, &arena, &second, &bound2) != KPI_OK)
            __builtin_trap(); /* the printed text must parse */
        if (strcmp(first.p, second.p) != 0 || bound1 != bound2)
            __builtin_trap(); /* ... to the same tree */
    }
    kbuf_release(&first);
    kbuf_release(&second);
    karena_release(&arena);
    free(text);
    return 0;
}
