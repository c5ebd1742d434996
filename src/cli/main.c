/*
 * main.c - entry point of the `kpi` tool: global options (-w DIR), then dispatch through the
 * command table. Each command lives in its own cmd_*.c file.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const cli_command cli_commands[] = {
    {"init", cmd_init, "create a workspace: a commented kpi.yaml and an empty kpi.db",
     "kpi init [DIR] [--catalog]",
     "Creates DIR (default: the workspace directory) with a commented kpi.yaml template and an\n"
     "empty kpi.db (SQLite, WAL mode). With --catalog, the standard KPI catalog instead: one\n"
     "kpis/<department>.yaml per department with its KPIs and stream schemas.\n"
     "Refuses when DIR already holds a kpi.yaml.\n"},
    {"import", cmd_import, "load events from CSV or NDJSON files into a stream",
     "kpi import STREAM FILE... [--format csv|ndjson] [--rejects FILE] [--as-of DATE]\n"
     "           [--batch N] [--quiet]",
     "Loads each FILE (- reads standard input) into STREAM. Columns are matched to fields by\n"
     "name (a field's `column:`), in any order; extra columns are ignored with a warning, and\n"
     "a missing required column stops the import before any row is loaded.\n"
     "A row that fails validation goes to the reject file with its line, column, field, value\n"
     "and reason; the import goes on. Rows commit in batches (--batch, default 65536), each in\n"
     "one transaction: Ctrl-C leaves whole batches only. With an `id:` field, rows already\n"
     "stored count as duplicates, so importing a file again adds nothing.\n"
     "  --format F     csv or ndjson (default: .ndjson/.jsonl/.json files are NDJSON, else CSV)\n"
     "  --rejects FILE where rejected rows go (default: <workspace>/rejects/STREAM-TIME.csv)\n"
     "  --as-of DATE   stamp DATE into the time field of every row, for a file without a\n"
     "                 column for it (a monthly export of customers is a snapshot)\n"
     "  --quiet        no progress bar and no warnings\n"
     "Exit status: 0 when every row was accepted, 3 when rows were rejected, 1 when the\n"
     "import failed, 2 for a usage or definition error.\n"},
    {"export", cmd_export, "write a stream's events out: CSV, NDJSON or a new SQLite file",
     "kpi export STREAM [--from DATE] [--to DATE] [--format csv|ndjson|sqlite] [--output FILE]",
     "Writes the events of STREAM stored on the days --from to --to (inclusive, in the\n"
     "workspace time zone, as every period is cut; default: all of them), in time order, to\n"
     "standard output or --output FILE. Values are exact: times ISO 8601 in UTC\n"
     "(2026-10-05T10:00:00Z, with .ffffff when there are microseconds), dates 2026-10-05,\n"
     "numbers as stored (12.5, -0.0001), bools true/false, text as is; a null is empty (CSV)\n"
     "or null (NDJSON). `kpi import` of the CSV into a workspace with the same kpi.yaml stores\n"
     "the same rows (when the stream reads its fields by name, with no format, decimal,\n"
     "delimiter or encoding of its own).\n"
     "  --format F     csv (default: a header of the field names, RFC 4180 quoting), ndjson\n"
     "                 (an object per line, typed values), or sqlite (a new SQLite file with\n"
     "                 one table named STREAM: times and dates TEXT, numbers REAL, integers and\n"
     "                 bools INTEGER, text TEXT; needs --output and never overwrites a file)\n"
     "  --from DATE    the first day (YYYY-MM-DD)\n"
     "  --to DATE      the last day\n"
     "  --output FILE  where to write (default: standard output; - is standard output)\n"
     "This, not kpi.db's tables, is the way to take events elsewhere: their storage changes.\n"},
    {"streams", cmd_streams, "list streams with row counts and time range; drop a stream's data",
     "kpi streams [--format table|json] | kpi streams drop STREAM --yes",
     "Lists every stream of kpi.yaml with its kind, fields, id, row count and the first and last\n"
     "event time (in the workspace time zone).\n"
     "`kpi streams drop STREAM --yes` deletes every stored event of STREAM, so that its\n"
     "schema can change freely (kpi refuses to retype or remove a field that holds data).\n"},
    {"query", cmd_query, "KPI values per period and group, with comparisons, targets and status",
     "kpi query KPI[,KPI...] [--period P | --from DATE --to DATE] [--grain G] [--by DIM[,DIM]]"
     " [--where COND] [--format table|csv|json|markdown]",
     "Computes each KPI per period (and per group with --by): the value, the previous period,\n"
     "the change, the same period last year, the target, attainment and status. An open\n"
     "(unfinished) period also gets the expected-to-date value and a projection, and its\n"
     "status follows the projection.\n"
     "  --period P     one period: 2026-10-05, 2026-W41, 2026-10, 2026-Q4, 2026, FY2027, "
     "FY2027-Q3,\n"
     "                 or relative: this-week, last-week, this-month, last-month, this-quarter,\n"
     "                 last-quarter, this-year, last-year\n"
     "  --from/--to    a date range (inclusive), cut into periods of the grain\n"
     "  --grain G      day week month quarter year fiscal_quarter fiscal_year all\n"
     "                 (default: the KPI's own; with --period, the period's)\n"
     "  --by DIM       break down by a dimension the KPI declares\n"
     "  --where COND   only rows matching, as in region = \"West\" and channel in (\"web\")\n"
     "  --format F     table (default), csv, json (the documented contract), markdown\n"
     "Without a period, the last 12 periods up to today. Set KPI_NOW=2026-11-23T12:00:00Z to\n"
     "pin today.\n"},
    {"explain", cmd_explain, "the plan of a query: shared scans and their SQL",
     "kpi explain KPI[,KPI...] [same options as query]",
     "Prints each KPI's formula, how their aggregates are shared into one scan per stream, and\n"
     "the SQL each scan runs, with the days it reads.\n"},
    {"report", cmd_report, "the review table: every KPI for a period, status, change, sparkline",
     "kpi report [--period P] [--department D] [--format table|csv|json|markdown]",
     "Every computed KPI (of one department with --department) for the period under review\n"
     "(default: the last complete month), with target, status, change against the previous\n"
     "period and a sparkline of the 12 periods up to it.\n"},
    {"top", cmd_top, "a leaderboard: a KPI by a dimension, best first",
     "kpi top KPI --by DIM [--period P] [-n N] [--format F]",
     "Breaks KPI down by DIM for one period (default: the current one) and lists the groups\n"
     "best first (highest for KPIs where up is better, lowest otherwise), N of them (default\n"
     "10; 0 lists them all).\n"},
    {"list", cmd_list, "the KPIs defined in the workspace", "kpi list [--department D]",
     "Lists each KPI with its name, department, unit, review grain and direction. When the\n"
     "definitions have mistakes, each is printed on standard error and the exit status is 2\n"
     "(as for 'kpi check').\n"},
    {"check", cmd_check, "validate kpi.yaml and every formula, listing every mistake", "kpi check",
     "Reads kpi.yaml, the files it includes and every KPI formula, without touching data, and\n"
     "prints every mistake as file:line:column with what is wrong (and the nearest name when\n"
     "one is misspelt). A KPI that uses a broken KPI is reported too. Exit status: 0 when\n"
     "the definitions are valid, 2 when there are mistakes.\n"
     "A broken KPI does not stop the others: query, report and the dashboard answer for\n"
     "them and show the broken one as broken, in its place.\n"},
    {"targets", cmd_targets, "set, list and remove targets and quotas, or import them from a CSV",
     "kpi targets set KPI VALUE [--period P] [--by DIM=VALUE]... |"
     " kpi targets unset KPI [--period P] [--by DIM=VALUE]... | kpi targets list [KPI] |"
     " kpi targets import FILE.csv",
     "Targets live in kpi.db next to those of kpi.yaml, and win over them for the same scope.\n"
     "A target is for every period (no --period) or one period of any grain; a quarterly\n"
     "target of a KPI that adds up (sums, counts) is spread over its days, so each month gets\n"
     "its share. --by sets a quota for a dimension value the KPI declares (--by rep=Ana).\n"
     "A relative period (last-month, this-quarter...) is stored as the period it is today.\n"
     "set echoes the period and group it set; unset removes a stored target of exactly that\n"
     "scope (those of kpi.yaml are edited there); list shows every target, of kpi.yaml and\n"
     "stored, with where it is set.\n"
     "A targets CSV has the columns kpi and value, optionally period, and one column per\n"
     "dimension (empty cells: not set). The import is all or nothing.\n"},
    {"values", cmd_values, "enter the values of manual (qualitative) KPIs, and their history",
     "kpi values set KPI PERIOD VALUE [--by DIM=VALUE]... [--note TEXT] |"
     " kpi values list [KPI] [--format table|csv]",
     "A KPI with 'manual: true' in kpi.yaml (a qualitative rating, a panel's score) takes its\n"
     "values from people: `kpi values set` enters one for a period (2026-Q3, 2026-10, FY2027)\n"
     "and, optionally, breakdown values (each DIM one of the KPI's dimensions). Every value is\n"
     "kept: the latest for a period and group is the KPI's value, and holds in the shorter\n"
     "periods within it. `kpi query` and `kpi report` show manual KPIs like the others, and\n"
     "formulas may use them. `kpi values list` prints the history, newest first.\n"},
    {"catalog", cmd_catalog, "the standard KPI catalog, by department",
     "kpi catalog [--department D] [-v]",
     "Lists the standard KPIs shipped with kpi (what 'kpi init --catalog' sets up), by\n"
     "department; -v adds each KPI's description and formula.\n"},
    {"demo", cmd_demo, "build the demo company's workspace and show its report",
     "kpi demo [DIR] [--seed N] [--scale X] [--months N] [--keep-csv] [--quiet]",
     "Creates DIR (default ./demo) with the standard catalog for Alder & Finch Outdoor, a\n"
     "fictional maker and retailer of outdoor gear: the raw events of every catalog stream from\n"
     "the first day of the month N months ago (default 24) up to now, imported through the\n"
     "normal import path, and targets for every KPI (company-wide, per rep and per store).\n"
     "Then prints the report of the last complete month. The same seed on the same day gives\n"
     "the same data and the same report (set KPI_NOW to pin the day).\n"
     "  --seed N     the random seed (default 1)\n"
     "  --scale X    event volumes times X (default 1: about 2.5 million events)\n"
     "  --months N   complete months of history before the current one (default 24)\n"
     "  --keep-csv   keep the generated CSV files in DIR/data\n"
     "  --quiet      no progress, no report\n"},
    {"serve", cmd_serve, "the HTTP API: KPIs, queries, reports and Prometheus metrics",
     "kpi serve [--listen ADDR:PORT] [--threads N] [--max-body BYTES] [--access-log FILE|-]"
     " [--tls-cert PEM --tls-key PEM] [--metrics-refresh SECONDS]",
     "Serves the workspace over HTTP (default 127.0.0.1:8080) until SIGTERM or Ctrl-C, then\n"
     "lets the requests in flight finish. GET / is the dashboard. GET /api/v1/kpis lists the KPIs; "
     "/api/v1/query takes\n"
     "kpi, period, from, to, grain, by and where as `kpi query` does and answers its JSON, byte\n"
     "for byte; /api/v1/report (period, department), /api/v1/top (kpi, by, period, n) and\n"
     "/api/v1/streams likewise. POST /api/v1/streams/STREAM/events imports a CSV (text/csv) or\n"
     "NDJSON (application/x-ndjson) body as `kpi import` does, streamed, and answers the counts\n"
     "and the first rejected rows. GET /metrics (kpi, department) is the current period of\n"
     "every KPI in the Prometheus text format (value, target, attainment, status, pacing;\n"
     "company-wide and per breakdown of its metrics: key), computed in the background after\n"
     "each change to the data; see docs/metrics.md. GET /healthz says the server is up.\n"
     "Errors are JSON: {\"error\": \"...\"}.\n"
     "  --listen ADDR:PORT  where to listen (:8080 for every address)\n"
     "  --threads N         worker threads (default: two per core, at least 4)\n"
     "  --max-body BYTES    the largest upload (default 1 GiB)\n"
     "  --tls-cert PEM, --tls-key PEM  serve HTTPS with this certificate (chain) and key\n"
     "  --access-log FILE   one line per request (- for standard error)\n"
     "  --metrics-refresh SECONDS  recompute /metrics this often besides after each change\n"
     "                      to the data (default 60: the open period moves with the clock)\n"},
    {"token", cmd_token, "API tokens for kpi serve: create, list, revoke",
     "kpi token create --role admin|editor|viewer|ingest|self [--departments D,...]"
     " [--streams S,...] [--self DIM=VALUE] [--name NAME] | kpi token list |"
     " kpi token revoke ID",
     "Once a workspace has a token, every API call needs 'Authorization: Bearer TOKEN'.\n"
     "Roles: admin (everything), editor (reads everything; writes targets and values), viewer\n"
     "(reads; with --departments, only those departments' KPIs), ingest (writes events into\n"
     "--streams only), self (reads only the rows of --self DIM=VALUE, e.g. rep=Ana).\n"
     "create prints the new token alone on the last line of standard output: it is stored\n"
     "hashed and never shown again. list shows ids, roles and scopes; revoke ID ends a token.\n"},
    {"push", cmd_push, "send events to a kpi server; spool what cannot be sent now",
     "kpi push --server URL [--token T] STREAM [FILE...] [--spool DIR] [--retry-for SECONDS]"
     " [--quiet]",
     "Sends each FILE (- reads standard input; .ndjson/.jsonl/.json files are NDJSON, else\n"
     "CSV) to POST URL/api/v1/streams/STREAM/events, streamed. When the server cannot be\n"
     "reached (or answers 5xx), a batch is retried with backoff for --retry-for seconds\n"
     "(default 30), then kept in the spool (--spool, default ~/.kpi/spool) and sent first by the\n"
     "next push, in order; without FILEs, push only sends the spool. With an id field in the\n"
     "stream, a batch sent twice adds nothing: nothing is lost or doubled. The token comes from\n"
     "--token or $KPI_TOKEN.\n"
     "Exit status: 0 all delivered, 3 the server rejected rows, 1 batches remain spooled.\n"},
    {"completion", cmd_completion, "print the bash or zsh completion script",
     "kpi completion bash|zsh",
     "Prints a completion script for bash or zsh, generated from kpi's own command table (so\n"
     "it knows every command, subcommand and option of this version). 'make install' installs\n"
     "both; by hand: kpi completion bash > /etc/bash_completion.d/kpi, or\n"
     "kpi completion zsh > ~/.zsh/functions/_kpi (a directory in $fpath).\n"},
    {"help", cmd_help, "show help for a command", "kpi help [COMMAND]", ""},
    {NULL, NULL, NULL, NULL, NULL},
};

static void usage_all(FILE *f)
{
    fprintf(f, "usage: kpi [-w DIR] COMMAND [ARGS]\n\n"
               "kpi turns raw business events into key performance indicators.\n"
               "The workspace is -w DIR, else $KPI_WORKSPACE, else the current directory.\n\n"
               "commands:\n");
    for (const cli_command *c = cli_commands; c->name; c++)
        fprintf(f, "  %-10s %s\n", c->name, c->summary);
    fprintf(f, "\n'kpi help COMMAND' tells more about a command. 'man kpi' has it all.\n");
}

int cmd_help(cli *c, int argc, char **argv)
{
    (void)c;
    if (argc < 2) {
        usage_all(stdout);
        return EXIT_OK;
    }
    for (const cli_command *k = cli_commands; k->name; k++) {
        if (strcmp(k->name, argv[1]) == 0) {
            printf("usage: %s\n\n%s", k->usage, k->help);
            return EXIT_OK;
        }
    }
    return cli_usage(NULL, "unknown command '%s'", argv[1]);
}

int main(int argc, char **argv)
{
    cli c = {.workspace = getenv("KPI_WORKSPACE"), .prog = "kpi"};
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *v;
        if (cli_opt_value(argc, argv, &i, "-w", &v) ||
            cli_opt_value(argc, argv, &i, "--workspace", &v)) {
            c.workspace = v;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage_all(stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--version")) {
            printf("kpi %s\n", KPI_VERSION);
            return EXIT_OK;
        } else {
            return cli_usage(NULL, "unknown option '%s'", argv[i]);
        }
    }
    if (i >= argc) {
        usage_all(stderr);
        return EXIT_USAGE;
    }
    if (!c.workspace || !*c.workspace)
        c.workspace = ".";
    for (const cli_command *k = cli_commands; k->name; k++) {
        if (strcmp(k->name, argv[i]) != 0)
            continue;
        for (int j = i + 1; j < argc; j++) /* `kpi query --help`: the command's help */
            if (!strcmp(argv[j], "--help") || !strcmp(argv[j], "-h"))
                return cmd_help(&c, 2, (char *[]){"help", argv[i], NULL});
        return k->run(&c, argc - i, argv + i);
    }
    const char *best = NULL;
    size_t best_d = 3;
    for (const cli_command *k = cli_commands; k->name; k++) {
        /* a cheap prefix/typo check: shared prefix of 3+ characters */
        size_t d = strncmp(k->name, argv[i], 3) == 0 ? 1 : 3;
        if (d < best_d) {
            best_d = d;
            best = k->name;
        }
    }
    if (best)
        return cli_usage(NULL, "unknown command '%s' (did you mean '%s'?)", argv[i], best);
    return cli_usage(NULL, "unknown command '%s'", argv[i]);
}
