-- bench/report/sqlite.sql - the numbers of `kpi report --period 2026-10` for bench/report/kpi.yaml,
-- written by hand in the sqlite3 shell against the workspace's own kpi.db (docs/storage.md: one
-- table per stream, `_key >> 40` = the row's day in the workspace zone (UTC here), number
-- fields stored as integers scaled by 10^4).
--
-- The report shows every KPI for the 12 months 2025-11..2026-10, each with its previous month
-- and the same month last year, so the months 2024-11..2026-10 are computed: one GROUP BY month
-- for the aggregates and count(DISTINCT), one window query for the median (SQLite 3.40 has no
-- median()), then each month joined with the month before and the month a year before.
-- Output: CSV, one row per month, KPI, KPI_previous, KPI_last_year for each KPI.
.mode csv
.headers on
WITH
rows AS NOT MATERIALIZED (
    SELECT strftime('%Y-%m', (_key >> 40) * 86400, 'unixepoch') AS month, *
    FROM orders
    WHERE _key >= (unixepoch('2024-11-01') / 86400) << 40  -- days through the primary key
      AND _key <  (unixepoch('2026-11-01') / 86400) << 40
),
monthly AS (
    SELECT month,
           sum(revenue) / 1e4                                        AS revenue,
           count(*)                                                  AS orders,
           avg(revenue) / 1e4                                        AS average_order_value,
           (sum(revenue) - sum(cost)) * 100.0 / sum(revenue)         AS gross_margin,
           sum(quantity)                                             AS units,
           count(*) FILTER (WHERE status = 'cancelled') * 100.0 / count(*) AS cancelled_rate,
           total(revenue) FILTER (WHERE status = 'returned') / 1e4   AS returned_revenue,
           max(revenue) / 1e4                                        AS max_order,
           total(revenue) FILTER (WHERE region = 'West') * 100.0 / sum(revenue) AS west_share,
           count(DISTINCT customer)                                  AS active_customers
    FROM rows
    GROUP BY month
),
ranked AS (
    SELECT month, revenue,
           row_number() OVER (PARTITION BY month ORDER BY revenue) AS rn,
           count(*) OVER (PARTITION BY month)                      AS n
    FROM rows
    WHERE revenue IS NOT NULL
),
medians AS (
    SELECT month, avg(revenue) / 1e4 AS median_order_value
    FROM ranked
    WHERE rn IN ((n + 1) / 2, (n + 2) / 2)
    GROUP BY month
),
kpis AS (
    SELECT * FROM monthly LEFT JOIN medians USING (month)
)
-- a month without rows has no row above: its counts and sums are 0, everything else null
SELECT m.month,
       m.revenue, coalesce(p.revenue, 0) AS revenue_previous, coalesce(y.revenue, 0) AS revenue_last_year,
       m.orders, coalesce(p.orders, 0) AS orders_previous, coalesce(y.orders, 0) AS orders_last_year,
       m.average_order_value, p.average_order_value AS average_order_value_previous,
       y.average_order_value AS average_order_value_last_year,
       m.gross_margin, p.gross_margin AS gross_margin_previous,
       y.gross_margin AS gross_margin_last_year,
       m.units, coalesce(p.units, 0) AS units_previous, coalesce(y.units, 0) AS units_last_year,
       m.cancelled_rate, p.cancelled_rate AS cancelled_rate_previous,
       y.cancelled_rate AS cancelled_rate_last_year,
       m.returned_revenue, coalesce(p.returned_revenue, 0) AS returned_revenue_previous,
       coalesce(y.returned_revenue, 0) AS returned_revenue_last_year,
       m.max_order, p.max_order AS max_order_previous, y.max_order AS max_order_last_year,
       m.west_share, p.west_share AS west_share_previous, y.west_share AS west_share_last_year,
       m.active_customers, coalesce(p.active_customers, 0) AS active_customers_previous,
       coalesce(y.active_customers, 0) AS active_customers_last_year,
       m.median_order_value, p.median_order_value AS median_order_value_previous,
       y.median_order_value AS median_order_value_last_year
FROM kpis m
LEFT JOIN kpis p ON p.month = strftime('%Y-%m', m.month || '-01', '-1 month')
LEFT JOIN kpis y ON y.month = strftime('%Y-%m', m.month || '-01', '-1 year')
WHERE m.month >= '2025-11'
ORDER BY m.month;
