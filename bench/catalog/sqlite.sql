-- bench/catalog/sqlite.sql - every number of `kpi report --period 2026-10` for the demo
-- workspace (the standard catalog: 79 KPIs over 33 streams, catalog/*.yaml), written by hand in
-- the sqlite3 shell against the workspace's own kpi.db (docs/storage.md: one table per stream,
-- `_key >> 40` = the row's day in the workspace zone, America/Chicago; `number` fields stored as
-- integers scaled by 10^4, `time` as microseconds since 1970 UTC, `date` as days since 1970,
-- bool as 0/1).
--
-- The report needs each KPI for the 12 months 2025-11..2026-10 (the sparkline), the month
-- before 2026-10 (in the sparkline) and the same month last year, 2025-10: so every KPI is
-- computed for the 13 months 2025-10..2026-10, month grain, by the catalog's definitions and
-- docs/engine.md (count and sum of no rows are 0; avg, median, first, last of no rows are null;
-- a division by zero or a null operand is null). One aggregate query per stream, each reading
-- the 13 months through the primary key (months joined on `_key` ranges), then the formulas.
-- Output: CSV, one row per month, one column per KPI id.
.mode csv
.headers on
WITH RECURSIVE
months(month, lo, hi) AS (              -- local days [lo, hi) of each month, as _key bounds
    SELECT '2025-10', unixepoch('2025-10-01') / 86400 << 40, unixepoch('2025-11-01') / 86400 << 40
    UNION ALL
    SELECT strftime('%Y-%m', (hi >> 40) * 86400, 'unixepoch'), hi,
           unixepoch((hi >> 40) * 86400, 'unixepoch', '+1 month') / 86400 << 40
    FROM months WHERE month < '2026-10'
),
-- ---- sales ----------------------------------------------------------------------------------
orders_m AS (
    SELECT m.month,
           sum(o.revenue)                                             AS revenue,
           sum(o.quantity)                                            AS quantity,
           sum(o.cost)                                                AS cost,
           count(DISTINCT o.order_id)                                 AS orders,
           count(DISTINCT o.customer)                                 AS customers,
           count(DISTINCT o.rep)                                      AS reps,
           count(DISTINCT CASE WHEN o.is_upsell = 1 THEN o.customer END)     AS upsell_orders,
           count(DISTINCT CASE WHEN o.is_cross_sell = 1 THEN o.customer END) AS cross_sell_orders,
           sum(o.revenue) FILTER (WHERE o.rep IS NOT NULL)            AS rep_revenue,
           sum(o.revenue) FILTER (WHERE o.sales_channel = 'store')    AS store_revenue,
           avg((o.revenue - o.cost) * 100.0 / o.revenue) FILTER (WHERE o.revenue > 0)
                                                                      AS line_margin
    FROM months m JOIN orders o ON o._key >= m.lo AND o._key < m.hi
    GROUP BY m.month
),
revenue_before AS (                     -- 2025-09, for the growth of 2025-10
    SELECT sum(revenue) AS revenue FROM orders
    WHERE _key >= unixepoch('2025-09-01') / 86400 << 40
      AND _key <  unixepoch('2025-10-01') / 86400 << 40
),
-- conversion(leads, orders, on: customer, within: "90d"): the customers of the month's leads,
-- each from their first lead of the month, and those who ordered within 90 days of it: one pass
-- over the orders from 2025-10 on, looking each order's customer up among the leads (CROSS JOIN
-- keeps orders the outer loop: SQLite indexes lead_firsts by customer on the fly; the other way
-- round it would read every order once per lead)
lead_firsts AS MATERIALIZED (
    SELECT m.month, l.customer, min(l.created_at) AS at
    FROM months m JOIN leads l ON l._key >= m.lo AND l._key < m.hi
    WHERE l.customer IS NOT NULL
    GROUP BY m.month, l.customer
),
converted_m AS (
    SELECT f.month, count(DISTINCT f.customer) AS converted
    FROM orders o CROSS JOIN lead_firsts f ON f.customer = o.customer
    WHERE o._key >= (SELECT min(lo) FROM months)
      AND o.ordered_at BETWEEN f.at AND f.at + 90 * 86400000000
    GROUP BY f.month
),
conversion_m AS (
    SELECT month, count(*) AS customers, coalesce(max(c.converted), 0) AS converted
    FROM lead_firsts LEFT JOIN converted_m c USING (month)
    GROUP BY month
),
opportunities_m AS (
    SELECT m.month,
           count(*) FILTER (WHERE p.stage = 'qualified')              AS qualified,
           count(*) FILTER (WHERE p.stage = 'won')                    AS won,
           count(*) FILTER (WHERE p.stage = 'won' AND p.deal_type = 'new_business') AS won_new,
           count(*) FILTER (WHERE p.stage IN ('won', 'lost'))         AS decided,
           avg(p.amount) FILTER (WHERE p.stage = 'won') / 1e4         AS won_amount,
           avg(p.changed_at - p.created_at) FILTER (WHERE p.stage = 'won') / 1e6 AS cycle
    FROM months m JOIN opportunities p ON p._key >= m.lo AND p._key < m.hi
    GROUP BY m.month
),
quotes_m AS (
    SELECT m.month, count(*) AS quotes
    FROM months m JOIN quotes q ON q._key >= m.lo AND q._key < m.hi
    GROUP BY m.month
),
activities_m AS (
    SELECT m.month,
           count(*) FILTER (WHERE a.type IN ('call', 'email', 'visit')) AS touches,
           count(DISTINCT a.rep)                                       AS reps
    FROM months m JOIN activities a ON a._key >= m.lo AND a._key < m.hi
    GROUP BY m.month
),
quotas_m AS (
    SELECT m.month, sum(q.amount) AS amount
    FROM months m JOIN quotas q ON q._key >= m.lo AND q._key < m.hi
    GROUP BY m.month
),
subscriptions_m AS (
    SELECT m.month,
           count(*) FILTER (WHERE s.event = 'started')                AS started,
           count(*) FILTER (WHERE s.event = 'cancelled')              AS cancelled,
           count(*) FILTER (WHERE s.event = 'cancelled' AND s.churn_type = 'voluntary')
                                                                      AS voluntary,
           count(*) FILTER (WHERE s.event = 'cancelled' AND s.churn_type = 'involuntary')
                                                                      AS involuntary,
           avg(s.mrr) FILTER (WHERE s.event = 'started') / 1e4        AS started_mrr
    FROM months m JOIN subscriptions s ON s._key >= m.lo AND s._key < m.hi
    GROUP BY m.month
),
receipts_m AS (
    SELECT m.month, sum(r.quantity) AS quantity
    FROM months m JOIN receipts r ON r._key >= m.lo AND r._key < m.hi
    GROUP BY m.month
),
-- snapshots: first()/last() = the total of the rows of the month's first/last snapshot day
-- (rows with a value only). Daily totals first, then the first and last day of each month.
pipeline_d AS (
    SELECT m.month, p.as_of AS day, sum(p.open_amount) AS open_amount
    FROM months m JOIN pipeline p ON p._key >= m.lo AND p._key < m.hi
    WHERE p.open_amount IS NOT NULL
    GROUP BY m.month, p.as_of
),
customer_counts_d AS (
    SELECT m.month, c.as_of AS day, sum(c.active) AS active
    FROM months m JOIN customer_counts c ON c._key >= m.lo AND c._key < m.hi
    WHERE c.active IS NOT NULL
    GROUP BY m.month, c.as_of
),
stores_d AS (
    SELECT m.month, s.as_of AS day, sum(s.floor_area) AS floor_area
    FROM months m JOIN stores s ON s._key >= m.lo AND s._key < m.hi
    WHERE s.floor_area IS NOT NULL
    GROUP BY m.month, s.as_of
),
inventory_d AS MATERIALIZED (
    SELECT m.month, i.as_of AS day, sum(i.value) AS value
    FROM months m JOIN inventory i ON i._key >= m.lo AND i._key < m.hi
    WHERE i.value IS NOT NULL
    GROUP BY m.month, i.as_of
),
-- ---- finance --------------------------------------------------------------------------------
expenses_m AS (
    SELECT m.month,
           sum(e.amount)                                              AS amount,
           sum(e.amount) FILTER (WHERE e.type = 'operating')          AS operating,
           sum(e.amount) FILTER (WHERE e.department = 'it')           AS it,
           sum(e.amount) FILTER (WHERE e.department = 'support')      AS support,
           sum(e.amount) FILTER (WHERE e.type = 'operating'
                                   AND e.department IN ('sales', 'marketing')) AS sales_marketing
    FROM months m JOIN expenses e ON e._key >= m.lo AND e._key < m.hi
    GROUP BY m.month
),
balances_d AS MATERIALIZED (
    SELECT m.month, b.as_of AS day,
           sum(b.current_assets) AS current_assets, count(b.current_assets) AS n_assets,
           sum(b.current_liabilities) AS current_liabilities,
           count(b.current_liabilities) AS n_liabilities
    FROM months m JOIN balances b ON b._key >= m.lo AND b._key < m.hi
    GROUP BY m.month, b.as_of
),
forecasts_m AS (
    SELECT m.month, sum(f.revenue) FILTER (WHERE f.scenario = 'forecast') AS forecast
    FROM months m JOIN forecasts f ON f._key >= m.lo AND f._key < m.hi
    GROUP BY m.month
),
investments_m AS (
    SELECT m.month,
           sum(i.amount) FILTER (WHERE i.flow = 'return')             AS returns,
           sum(i.amount) FILTER (WHERE i.flow = 'cost')               AS costs
    FROM months m JOIN investments i ON i._key >= m.lo AND i._key < m.hi
    GROUP BY m.month
),
-- ---- hr -------------------------------------------------------------------------------------
hr_events_m AS (
    SELECT m.month, count(*) FILTER (WHERE h.event = 'termination') AS terminations
    FROM months m JOIN hr_events h ON h._key >= m.lo AND h._key < m.hi
    GROUP BY m.month
),
headcount_d AS MATERIALIZED (
    SELECT m.month, h.as_of AS day, sum(h.employees) AS employees
    FROM months m JOIN headcount h ON h._key >= m.lo AND h._key < m.hi
    WHERE h.employees IS NOT NULL
    GROUP BY m.month, h.as_of
),
absences_m AS (
    SELECT m.month, sum(a.hours) FILTER (WHERE a.planned = 0) AS unplanned_hours
    FROM months m JOIN absences a ON a._key >= m.lo AND a._key < m.hi
    GROUP BY m.month
),
work_schedules_m AS (
    SELECT m.month, sum(w.scheduled_hours) AS scheduled_hours
    FROM months m JOIN work_schedules w ON w._key >= m.lo AND w._key < m.hi
    GROUP BY m.month
),
requisitions_m AS (
    SELECT m.month,
           avg(r.accepted_on - r.applied_on) * 86400                  AS time_to_hire,
           avg(r.accepted_on - r.opened_on) * 86400                   AS time_to_fill
    FROM months m JOIN requisitions r ON r._key >= m.lo AND r._key < m.hi
    GROUP BY m.month
),
-- ---- it -------------------------------------------------------------------------------------
tickets_m AS (
    SELECT m.month,
           count(*) FILTER (WHERE t.event = 'opened')                 AS opened,
           count(*) FILTER (WHERE t.event = 'reopened')               AS reopened,
           count(*) FILTER (WHERE t.event = 'resolved')               AS resolved,
           avg(t.occurred_at - t.opened_at) FILTER (WHERE t.event = 'resolved') / 1e6
                                                                      AS resolution
    FROM months m JOIN tickets t ON t._key >= m.lo AND t._key < m.hi
    GROUP BY m.month
),
resolutions AS (                        -- SQLite 3.40 has no median(): rank the resolutions
    SELECT m.month, (t.occurred_at - t.opened_at) / 1e6 AS secs,
           row_number() OVER (PARTITION BY m.month ORDER BY t.occurred_at - t.opened_at) AS rn,
           count(*) OVER (PARTITION BY m.month)                       AS n
    FROM months m JOIN tickets t ON t._key >= m.lo AND t._key < m.hi
    WHERE t.event = 'resolved' AND t.occurred_at - t.opened_at IS NOT NULL
),
resolution_medians AS (
    SELECT month, avg(secs) AS median_resolution
    FROM resolutions WHERE rn IN ((n + 1) / 2, (n + 2) / 2)
    GROUP BY month
),
ticket_backlog_d AS (
    SELECT m.month, b.as_of AS day, sum(b.open_tickets) AS open_tickets
    FROM months m JOIN ticket_backlog b ON b._key >= m.lo AND b._key < m.hi
    WHERE b.open_tickets IS NOT NULL
    GROUP BY m.month, b.as_of
),
incidents_m AS (
    SELECT m.month,
           count(*)                                                   AS incidents,
           count(i.restored_at)                                       AS restored,
           sum(i.restored_at - i.started_at)                          AS repair,
           sum(i.restored_at - i.started_at) FILTER (WHERE i.cause = 'security') AS security
    FROM months m JOIN incidents i ON i._key >= m.lo AND i._key < m.hi
    GROUP BY m.month
),
service_uptime_m AS (
    SELECT m.month,
           sum(u.monitored_seconds)                                   AS monitored,
           sum(u.downtime_seconds)                                    AS downtime,
           sum(u.monitored_seconds - u.downtime_seconds)              AS operating
    FROM months m JOIN service_uptime u ON u._key >= m.lo AND u._key < m.hi
    GROUP BY m.month
),
-- ---- manufacturing --------------------------------------------------------------------------
production_runs_m AS (
    SELECT m.month,
           sum(r.planned_seconds)                                     AS planned,
           sum(r.run_seconds)                                         AS run,
           sum(r.ideal_cycle_seconds * r.total_count) / 1e4           AS ideal,
           sum(r.total_count)                                         AS total,
           sum(r.good_count)                                          AS good,
           sum(r.scrap_count)                                         AS scrap
    FROM months m JOIN production_runs r ON r._key >= m.lo AND r._key < m.hi
    GROUP BY m.month
),
machine_calendar_m AS (
    SELECT m.month, sum(c.calendar_seconds) AS calendar
    FROM months m JOIN machine_calendar c ON c._key >= m.lo AND c._key < m.hi
    GROUP BY m.month
),
-- ---- marketing ------------------------------------------------------------------------------
leads_m AS (
    SELECT m.month, count(*) AS leads, count(*) FILTER (WHERE l.origin = 'inbound') AS inbound,
           count(*) FILTER (WHERE l.channel IN ('paid_search', 'paid_social', 'display', 'video')) AS paid_leads
    FROM months m JOIN leads l ON l._key >= m.lo AND l._key < m.hi
    GROUP BY m.month
),
lead_stages_m AS (
    SELECT m.month,
           count(*) FILTER (WHERE s.stage = 'mql')                    AS mql,
           count(*) FILTER (WHERE s.stage = 'sql')                    AS sql
    FROM months m JOIN lead_stages s ON s._key >= m.lo AND s._key < m.hi
    GROUP BY m.month
),
ad_spend_m AS (
    SELECT m.month, sum(a.spend) AS spend, sum(a.conversion_value) AS conversion_value
    FROM months m JOIN ad_spend a ON a._key >= m.lo AND a._key < m.hi
    GROUP BY m.month
),
web_sessions_m AS (
    SELECT m.month,
           count(*)                                                   AS sessions,
           sum(w.goal_completions)                                    AS goals,
           count(*) FILTER (WHERE w.converted = 1)                    AS converted
    FROM months m JOIN web_sessions w ON w._key >= m.lo AND w._key < m.hi
    GROUP BY m.month
),
social_m AS (
    SELECT m.month, sum(s.attributed_revenue) AS attributed_revenue, sum(s.spend) AS spend
    FROM months m JOIN social s ON s._key >= m.lo AND s._key < m.hi
    GROUP BY m.month
),
-- ---- support --------------------------------------------------------------------------------
conversations_m AS (
    SELECT m.month,
           count(*)                                                   AS conversations,
           avg(c.first_response_at - c.created_at) / 1e6              AS first_response,
           avg(c.handle_seconds)                                      AS handling,
           count(*) FILTER (WHERE c.resolved = 1)                     AS resolved,
           count(*) FILTER (WHERE c.resolved = 1 AND c.contacts = 1)  AS first_contact,
           count(*) FILTER (WHERE c.agent IS NOT NULL)                AS with_agent
    FROM months m JOIN conversations c ON c._key >= m.lo AND c._key < m.hi
    GROUP BY m.month
),
surveys_m AS (
    SELECT m.month,
           avg(s.score) FILTER (WHERE s.survey = 'ces')               AS ces,
           count(*) FILTER (WHERE s.survey = 'csat' AND s.score >= 4) AS satisfied,
           count(s.score) FILTER (WHERE s.survey = 'csat')            AS csat,
           count(*) FILTER (WHERE s.survey = 'nps' AND s.score >= 9)  AS promoters,
           count(*) FILTER (WHERE s.survey = 'nps' AND s.score <= 6)  AS detractors,
           count(s.score) FILTER (WHERE s.survey = 'nps')             AS nps
    FROM months m JOIN surveys s ON s._key >= m.lo AND s._key < m.hi
    GROUP BY m.month
),
-- ---- the first and last snapshot of each month: SQLite's min()/max() take the bare columns
-- of the query from the row holding the minimum/maximum (the first/last day's total) ----------
pipeline_m AS (
    SELECT month, open_amount / 1e4 AS pipeline_last, max(day) FROM pipeline_d GROUP BY month
),
customer_counts_m AS (
    SELECT month, active AS active_first, min(day) FROM customer_counts_d GROUP BY month
),
stores_m AS (
    SELECT month, floor_area / 1e4 AS floor_area_last, max(day) FROM stores_d GROUP BY month
),
inventory_first AS (
    SELECT month, value / 1e4 AS inventory_first, min(day) FROM inventory_d GROUP BY month
),
inventory_last AS (
    SELECT month, value / 1e4 AS inventory_last, max(day) FROM inventory_d GROUP BY month
),
assets_m AS (
    SELECT month, current_assets / 1e4 AS assets_last, max(day)
    FROM balances_d WHERE n_assets > 0 GROUP BY month
),
liabilities_m AS (
    SELECT month, current_liabilities / 1e4 AS liabilities_last, max(day)
    FROM balances_d WHERE n_liabilities > 0 GROUP BY month
),
headcount_first AS (
    SELECT month, employees AS employees_first, min(day) FROM headcount_d GROUP BY month
),
headcount_last AS (
    SELECT month, employees AS employees_last, max(day) FROM headcount_d GROUP BY month
),
ticket_backlog_m AS (
    SELECT month, open_tickets AS backlog_last, max(day) FROM ticket_backlog_d GROUP BY month
),
-- ---- every month's aggregates in one row: sums and counts of no rows are 0 -------------------
a AS (
    SELECT m.month,
           coalesce(o.revenue, 0) / 1e4 AS revenue, coalesce(o.quantity, 0) AS quantity,
           coalesce(o.cost, 0) / 1e4 AS cost, coalesce(o.orders, 0) AS orders,
           coalesce(o.customers, 0) AS customers, coalesce(o.reps, 0) AS order_reps,
           coalesce(o.upsell_orders, 0) AS upsell_orders,
           coalesce(o.cross_sell_orders, 0) AS cross_sell_orders,
           coalesce(o.rep_revenue, 0) / 1e4 AS rep_revenue,
           coalesce(o.store_revenue, 0) / 1e4 AS store_revenue, o.line_margin,
           cv.customers AS lead_customers, cv.converted AS converted_customers,
           coalesce(p.qualified, 0) AS qualified, coalesce(p.won, 0) AS won,
           coalesce(p.won_new, 0) AS won_new,
           coalesce(p.decided, 0) AS decided, p.won_amount, p.cycle,
           coalesce(q.quotes, 0) AS quotes,
           coalesce(ac.touches, 0) AS touches, coalesce(ac.reps, 0) AS activity_reps,
           coalesce(qu.amount, 0) / 1e4 AS quota,
           coalesce(s.started, 0) AS started, coalesce(s.cancelled, 0) AS cancelled,
           coalesce(s.voluntary, 0) AS voluntary, coalesce(s.involuntary, 0) AS involuntary,
           s.started_mrr,
           coalesce(r.quantity, 0) AS received,
           coalesce(e.amount, 0) / 1e4 AS expenses, coalesce(e.operating, 0) / 1e4 AS opex,
           coalesce(e.it, 0) / 1e4 AS it_expenses, coalesce(e.support, 0) / 1e4 AS support_expenses,
           coalesce(e.sales_marketing, 0) / 1e4 AS sales_marketing_expenses,
           coalesce(f.forecast, 0) / 1e4 AS forecast,
           coalesce(i.returns, 0) / 1e4 AS investment_returns,
           coalesce(i.costs, 0) / 1e4 AS investment_costs,
           coalesce(h.terminations, 0) AS terminations,
           coalesce(ab.unplanned_hours, 0) / 1e4 AS unplanned_hours,
           coalesce(ws.scheduled_hours, 0) / 1e4 AS scheduled_hours,
           rq.time_to_hire, rq.time_to_fill,
           coalesce(t.opened, 0) AS tickets_opened, coalesce(t.reopened, 0) AS tickets_reopened,
           coalesce(t.resolved, 0) AS tickets_resolved, t.resolution, rm.median_resolution,
           coalesce(inc.incidents, 0) AS incidents, coalesce(inc.restored, 0) AS restored,
           coalesce(inc.repair, 0) / 1e6 AS repair, coalesce(inc.security, 0) / 1e6 AS security,
           coalesce(su.monitored, 0) AS monitored, coalesce(su.downtime, 0) AS downtime,
           coalesce(su.operating, 0) AS operating,
           coalesce(pr.planned, 0) AS planned, coalesce(pr.run, 0) AS run,
           coalesce(pr.ideal, 0) AS ideal, coalesce(pr.total, 0) AS produced,
           coalesce(pr.good, 0) AS good, coalesce(pr.scrap, 0) AS scrap,
           coalesce(mc.calendar, 0) AS calendar,
           coalesce(l.leads, 0) AS leads, coalesce(l.inbound, 0) AS inbound,
           coalesce(l.paid_leads, 0) AS paid_leads,
           coalesce(ls.mql, 0) AS mql, coalesce(ls.sql, 0) AS sql,
           coalesce(ad.spend, 0) / 1e4 AS ad_spend,
           coalesce(ad.conversion_value, 0) / 1e4 AS ad_value,
           coalesce(w.sessions, 0) AS sessions, coalesce(w.goals, 0) AS goals,
           coalesce(w.converted, 0) AS converted_sessions,
           coalesce(so.attributed_revenue, 0) / 1e4 AS social_revenue,
           coalesce(so.spend, 0) / 1e4 AS social_spend,
           coalesce(c.conversations, 0) AS conversations, c.first_response, c.handling,
           coalesce(c.resolved, 0) AS resolved_conversations,
           coalesce(c.first_contact, 0) AS first_contact, coalesce(c.with_agent, 0) AS with_agent,
           sv.ces, coalesce(sv.satisfied, 0) AS satisfied, coalesce(sv.csat, 0) AS csat,
           coalesce(sv.promoters, 0) AS promoters, coalesce(sv.detractors, 0) AS detractors,
           coalesce(sv.nps, 0) AS nps_answers,
           pl.pipeline_last, cc.active_first, st.floor_area_last, i0.inventory_first,
           i1.inventory_last, ba.assets_last, bl.liabilities_last, hf.employees_first,
           hl.employees_last, tb.backlog_last
    FROM months m
    LEFT JOIN orders_m o USING (month)
    LEFT JOIN conversion_m cv USING (month)
    LEFT JOIN opportunities_m p USING (month)
    LEFT JOIN quotes_m q USING (month)
    LEFT JOIN activities_m ac USING (month)
    LEFT JOIN quotas_m qu USING (month)
    LEFT JOIN subscriptions_m s USING (month)
    LEFT JOIN receipts_m r USING (month)
    LEFT JOIN expenses_m e USING (month)
    LEFT JOIN forecasts_m f USING (month)
    LEFT JOIN investments_m i USING (month)
    LEFT JOIN hr_events_m h USING (month)
    LEFT JOIN absences_m ab USING (month)
    LEFT JOIN work_schedules_m ws USING (month)
    LEFT JOIN requisitions_m rq USING (month)
    LEFT JOIN tickets_m t USING (month)
    LEFT JOIN resolution_medians rm USING (month)
    LEFT JOIN incidents_m inc USING (month)
    LEFT JOIN service_uptime_m su USING (month)
    LEFT JOIN production_runs_m pr USING (month)
    LEFT JOIN machine_calendar_m mc USING (month)
    LEFT JOIN leads_m l USING (month)
    LEFT JOIN lead_stages_m ls USING (month)
    LEFT JOIN ad_spend_m ad USING (month)
    LEFT JOIN web_sessions_m w USING (month)
    LEFT JOIN social_m so USING (month)
    LEFT JOIN conversations_m c USING (month)
    LEFT JOIN surveys_m sv USING (month)
    LEFT JOIN pipeline_m pl USING (month)
    LEFT JOIN customer_counts_m cc USING (month)
    LEFT JOIN stores_m st USING (month)
    LEFT JOIN inventory_first i0 USING (month)
    LEFT JOIN inventory_last i1 USING (month)
    LEFT JOIN assets_m ba USING (month)
    LEFT JOIN liabilities_m bl USING (month)
    LEFT JOIN headcount_first hf USING (month)
    LEFT JOIN headcount_last hl USING (month)
    LEFT JOIN ticket_backlog_m tb USING (month)
),
-- ---- the KPIs that read streams only (x / 0 is null in SQLite) ------------------------------
k1 AS (
    SELECT month,
           -- sales
           revenue,
           quantity                                         AS sales_volume,
           revenue / orders                                 AS average_order_value,
           inbound                                          AS new_inbound_leads,
           qualified                                        AS new_qualified_opportunities,
           pipeline_last                                    AS total_pipeline_value,
           converted_customers * 100.0 / lead_customers     AS lead_to_customer_rate,
           won_new * 100.0 / leads                          AS end_to_end_conversion,
           won_amount                                       AS average_deal_size,
           cycle                                            AS sales_cycle_length,
           won * 100.0 / quotes                             AS sales_closing_ratio,
           won * 100.0 / decided                            AS win_rate,
           rep_revenue / order_reps                         AS revenue_per_rep,
           rep_revenue * 100 / quota                        AS sales_target_attainment,
           upsell_orders * 100.0 / customers                AS upsell_rate,
           cross_sell_orders * 100.0 / customers            AS cross_sell_rate,
           orders * 1.0 / customers                         AS purchase_frequency,
           started                                          AS new_customers,
           cancelled * 100.0 / active_first                 AS customer_churn_rate,
           voluntary * 100.0 / active_first                 AS voluntary_churn_rate,
           involuntary * 100.0 / active_first               AS involuntary_churn_rate,
           (started - cancelled) * 100.0 / active_first     AS customer_growth_rate,
           touches * 1.0 / activity_reps                    AS sales_activities_per_rep,
           quantity * 100.0 / received                      AS sell_through_rate,
           store_revenue / floor_area_last                  AS sales_per_square_foot,
           cost / ((inventory_first + inventory_last) / 2)  AS inventory_turnover,
           -- finance
           (revenue - cost) * 100 / revenue                 AS gross_profit_margin,
           (revenue - cost - opex) * 100 / revenue          AS operating_profit_margin,
           (revenue - cost - expenses) * 100 / revenue      AS net_profit_margin,
           line_margin                                      AS average_product_margin,
           opex * 100 / revenue                             AS operating_expense_ratio,
           assets_last / liabilities_last                   AS working_capital_ratio,
           (investment_returns - investment_costs) * 100 / investment_costs
                                                            AS return_on_investment,
           revenue * 100 / forecast                         AS revenue_vs_forecast,
           -- hr
           terminations * 100.0 / ((employees_first + employees_last) / 2.0)
                                                            AS employee_turnover_rate,
           unplanned_hours * 100 / scheduled_hours          AS absenteeism_rate,
           time_to_hire, time_to_fill,
           -- it
           tickets_opened                                   AS total_support_tickets,
           backlog_last                                     AS open_tickets,
           tickets_reopened * 100.0 / tickets_resolved      AS reopened_ticket_rate,
           resolution                                       AS mean_resolution_time,
           median_resolution                                AS median_resolution_time,
           it_expenses * 100 / revenue                      AS it_costs_vs_revenue,
           security                                         AS security_downtime,
           (monitored - downtime) * 100.0 / monitored       AS uptime,
           repair / restored                                AS mean_time_to_repair,
           operating * 1.0 / incidents                      AS mean_time_between_failures,
           -- manufacturing
           run * 100.0 / planned                            AS availability,
           ideal * 100 / run                                AS performance,
           good * 100.0 / produced                          AS quality,
           planned * 100.0 / calendar                       AS loading,
           scrap * 100.0 / produced                         AS scrap_rate,
           good                                             AS throughput,
           good * 3600.0 / run                              AS throughput_per_hour,
           -- marketing
           leads                                            AS new_leads,
           mql                                              AS marketing_qualified_leads,
           sql                                              AS sales_qualified_leads,
           ad_spend / paid_leads                            AS cost_per_lead,
           (social_revenue - social_spend) * 100 / social_spend AS social_media_roi,
           goals * 100.0 / sessions                         AS goal_conversion_rate,
           converted_sessions * 100.0 / sessions            AS conversion_rate,
           ad_value / ad_spend                              AS return_on_ad_spend,
           sales_marketing_expenses / started               AS customer_acquisition_cost,
           sessions                                         AS website_traffic,
           -- support
           first_response                                   AS first_response_time,
           handling                                         AS average_handling_time,
           support_expenses / conversations                 AS cost_per_conversation,
           first_contact * 100.0 / conversations            AS first_contact_resolution,
           with_agent                                       AS most_active_agents,
           ces                                              AS customer_effort_score,
           satisfied * 100.0 / csat                         AS customer_satisfaction,
           (promoters - detractors) * 100.0 / nps_answers   AS net_promoter_score,
           started_mrr,
           active_first
    FROM a
),
-- ---- the KPIs that read other KPIs ----------------------------------------------------------
k2 AS (
    SELECT k1.*,
           (revenue - coalesce(lag(revenue) OVER (ORDER BY month),
                               (SELECT coalesce(revenue, 0) / 1e4 FROM revenue_before)))
               * 100 / abs(coalesce(lag(revenue) OVER (ORDER BY month),
                                    (SELECT coalesce(revenue, 0) / 1e4 FROM revenue_before)))
                                                            AS sales_growth,
           revenue / active_first * 100 / customer_churn_rate
                                                            AS customer_lifetime_value,
           100 - customer_churn_rate                        AS customer_retention_rate,
           customer_acquisition_cost / (started_mrr * gross_profit_margin / 100)
                                                            AS cac_payback_months,
           availability * performance * quality / 10000     AS oee
    FROM k1
)
SELECT month,
       gross_profit_margin, operating_profit_margin, net_profit_margin, average_product_margin,
       operating_expense_ratio, working_capital_ratio, return_on_investment, revenue_vs_forecast,
       employee_turnover_rate, absenteeism_rate, time_to_hire, time_to_fill,
       total_support_tickets, open_tickets, reopened_ticket_rate, mean_resolution_time,
       median_resolution_time, it_costs_vs_revenue, security_downtime, uptime,
       mean_time_to_repair, mean_time_between_failures,
       availability, performance, quality, oee, loading, oee * loading / 100 AS teep, scrap_rate,
       throughput, throughput_per_hour,
       new_leads, marketing_qualified_leads, sales_qualified_leads, cost_per_lead,
       social_media_roi, goal_conversion_rate, conversion_rate, return_on_ad_spend,
       customer_acquisition_cost, cac_payback_months, website_traffic,
       revenue, sales_volume, average_order_value, new_inbound_leads,
       new_qualified_opportunities, total_pipeline_value, sales_growth, lead_to_customer_rate,
       end_to_end_conversion, average_deal_size, sales_cycle_length, sales_closing_ratio,
       win_rate, revenue_per_rep, sales_target_attainment, upsell_rate, cross_sell_rate,
       purchase_frequency, customer_lifetime_value, new_customers, customer_churn_rate,
       voluntary_churn_rate, involuntary_churn_rate, customer_retention_rate,
       customer_growth_rate, sales_activities_per_rep, sell_through_rate, sales_per_square_foot,
       inventory_turnover,
       first_response_time, average_handling_time, cost_per_conversation,
       first_contact_resolution, most_active_agents, customer_effort_score,
       customer_satisfaction, net_promoter_score
FROM k2
ORDER BY month;
