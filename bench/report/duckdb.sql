-- bench/report/duckdb.sql - the same numbers as bench/report/sqlite.sql (those of
-- `kpi report --period 2026-10` for bench/report/kpi.yaml), in DuckDB, over the table that
-- bench/report/duckdb.js loads from the orders CSV (revenue and cost DECIMAL(18,2), ordered_at
-- TIMESTAMPTZ read in the session time zone, UTC like the workspace).
--
-- Months 2024-11..2026-10 in one GROUP BY (DuckDB has median() and a fast count(DISTINCT)),
-- then each of the 12 reported months joined with the month before and a year before.
WITH
monthly AS (
    SELECT date_trunc('month', ordered_at)                                AS month,
           sum(revenue)                                                   AS revenue,
           count(*)                                                       AS orders,
           avg(revenue)                                                   AS average_order_value,
           (sum(revenue) - sum(cost)) * 100 / sum(revenue)                AS gross_margin,
           sum(quantity)                                                  AS units,
           count(*) FILTER (WHERE status = 'cancelled') * 100 / count(*)  AS cancelled_rate,
           coalesce(sum(revenue) FILTER (WHERE status = 'returned'), 0)   AS returned_revenue,
           max(revenue)                                                   AS max_order,
           coalesce(sum(revenue) FILTER (WHERE region = 'West'), 0) * 100 / sum(revenue)
                                                                          AS west_share,
           count(DISTINCT customer)                                       AS active_customers,
           median(revenue::DOUBLE)  -- median(DECIMAL(18,2)) would round the mean of two cents
                                                                          AS median_order_value
    FROM orders
    WHERE ordered_at >= TIMESTAMPTZ '2024-11-01 00:00:00+00'
      AND ordered_at <  TIMESTAMPTZ '2026-11-01 00:00:00+00'
    GROUP BY ALL
)
-- a month without rows has no row above: its counts and sums are 0, everything else null
SELECT strftime(m.month, '%Y-%m') AS month,
       m.revenue, coalesce(p.revenue, 0) AS revenue_previous,
       coalesce(y.revenue, 0) AS revenue_last_year,
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
FROM monthly m
LEFT JOIN monthly p ON p.month = m.month - INTERVAL 1 MONTH
LEFT JOIN monthly y ON y.month = m.month - INTERVAL 1 YEAR
WHERE m.month >= TIMESTAMPTZ '2025-11-01 00:00:00+00'
ORDER BY m.month;
