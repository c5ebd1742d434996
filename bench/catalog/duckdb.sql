-- bench/catalog/duckdb.sql - the same numbers as bench/catalog/sqlite.sql (every KPI of
-- `kpi report --period 2026-10` for the demo workspace, months 2025-10..2026-10), in DuckDB,
-- over the tables bench/catalog/duckdb.js loads from the workspace's CSVs with
-- bench/catalog/duckdb-load.sql (times TIMESTAMPTZ, dates DATE, numbers DECIMAL(18,2)).
--
-- Periods are cut in the workspace zone: a time's month is that of its local time
-- (`AT TIME ZONE 'America/Chicago'`); the range filters are instants, so that DuckDB can skip
-- row groups. Durations are in seconds (epoch differences; date - date is days). One GROUP BY
-- month per stream, DuckDB's median(), arg_min/arg_max for the first and last snapshot, then
-- the formulas; nullif() makes a division by zero null (DuckDB would give infinity), and
-- coalesce() makes the counts and sums of a month without rows 0.
WITH
months AS (
    SELECT unnest(generate_series(DATE '2025-10-01', DATE '2026-10-01', INTERVAL 1 MONTH))::DATE
               AS month
),
-- ---- sales ----------------------------------------------------------------------------------
orders_m AS (
    SELECT date_trunc('month', ordered_at AT TIME ZONE 'America/Chicago')::DATE AS month,
           sum(revenue)                                               AS revenue,
           sum(quantity)                                              AS quantity,
           sum(cost)                                                  AS cost,
           count(DISTINCT order_id)                                   AS orders,
           count(DISTINCT customer)                                   AS customers,
           count(DISTINCT rep)                                        AS reps,
           count(DISTINCT customer) FILTER (WHERE is_upsell)          AS upsell_orders,
           count(DISTINCT customer) FILTER (WHERE is_cross_sell)      AS cross_sell_orders,
           sum(revenue) FILTER (WHERE rep IS NOT NULL)                AS rep_revenue,
           sum(revenue) FILTER (WHERE sales_channel = 'store')        AS store_revenue,
           avg((revenue - cost)::DOUBLE / revenue::DOUBLE * 100) FILTER (WHERE revenue > 0)
                                                                      AS line_margin
    FROM orders
    WHERE ordered_at >= TIMESTAMPTZ '2025-10-01 00:00:00 America/Chicago'
      AND ordered_at <  TIMESTAMPTZ '2026-11-01 00:00:00 America/Chicago'
    GROUP BY ALL
),
revenue_before AS (                     -- 2025-09, for the growth of 2025-10
    SELECT coalesce(sum(revenue), 0)::DOUBLE AS revenue FROM orders
    WHERE ordered_at >= TIMESTAMPTZ '2025-09-01 00:00:00 America/Chicago'
      AND ordered_at <  TIMESTAMPTZ '2025-10-01 00:00:00 America/Chicago'
),
-- conversion(leads, orders, on: customer, within: "90d"): the customers of the month's leads,
-- each from their first lead of the month, and whether they ordered within 90 days (90 x 24
-- hours) of it
lead_firsts AS (
    SELECT date_trunc('month', created_at AT TIME ZONE 'America/Chicago')::DATE AS month,
           customer, min(created_at) AS at
    FROM leads
    WHERE created_at >= TIMESTAMPTZ '2025-10-01 00:00:00 America/Chicago'
      AND created_at <  TIMESTAMPTZ '2026-11-01 00:00:00 America/Chicago'
      AND customer IS NOT NULL
    GROUP BY ALL
),
conversion_m AS (
    SELECT month, count(*) AS customers,
           count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM orders o
               WHERE o.customer = f.customer
                 AND o.ordered_at BETWEEN f.at AND f.at + INTERVAL (90 * 24) HOUR)) AS converted
    FROM lead_firsts f
    GROUP BY month
),
opportunities_m AS (
    SELECT date_trunc('month', changed_at AT TIME ZONE 'America/Chicago')::DATE AS month,
           count(*) FILTER (WHERE stage = 'qualified')                AS qualified,
           count(*) FILTER (WHERE stage = 'won')                      AS won,
           count(*) FILTER (WHERE stage = 'won' AND deal_type = 'new_business') AS won_new,
           count(*) FILTER (WHERE stage IN ('won', 'lost'))           AS decided,
           avg(amount) FILTER (WHERE stage = 'won')                   AS won_amount,
           avg(epoch(changed_at) - epoch(created_at)) FILTER (WHERE stage = 'won') AS cycle
    FROM opportunities
    WHERE changed_at >= TIMESTAMPTZ '2025-10-01 00:00:00 America/Chicago'
      AND changed_at <  TIMESTAMPTZ '2026-11-01 00:00:00 America/Chicago'
    GROUP BY ALL
),
quotes_m AS (
    SELECT date_trunc('month', sent_at AT TIME ZONE 'America/Chicago')::DATE AS month,
           count(*) AS quotes
    FROM quotes
    WHERE sent_at >= TIMESTAMPTZ '2025-10-01 00:00:00 America/Chicago'
      AND sent_at <  TIMESTAMPTZ '2026-11-01 00:00:00 America/Chicago'
    GROUP BY ALL
),
activities_m AS (
    SELECT date_trunc('month', occurred_at AT TIME ZONE 'America/Chicago')::DATE AS month,
           count(*) FILTER (WHERE type IN ('call', 'email', 'visit'))  AS touches,
           count(DISTINCT rep)                                        AS reps
    FROM activities
    WHERE occurred_at >= TIMESTAMPTZ '2025-10-01 00:00:00 America/Chicago'
      AND occurred_at <  TIMESTAMPTZ '2026-11-01 00:00:00 America/Chicago'
    GROUP BY ALL
),
quotas_m AS (
    SELECT date_trunc('month', month)::DATE AS month, sum(amount) AS amount
    FROM quotas
    WHERE month >= DATE '2025-10-01' AND month < DATE '2026-11-01'
    GROUP BY ALL
),
subscriptions_m AS (
    SELECT date_trunc('month', occurred_at AT TIME ZONE 'America/Chicago')::DATE AS month,
           count(*) FILTER (WHERE event = 'started')                  AS started,
           count(*) FILTER (WHERE event = 'cancelled')                AS cancelled,
           count(*) FILTER (WHERE event = 'cancelled' AND churn_type = 'voluntary') AS voluntary,
           count(*) FILTER (WHERE event = 'cancelled' AND churn_type = 'involuntary')
                                                                      AS involuntary,
           avg(mrr) FILTER (WHERE event = 'started')                  AS started_mrr
    FROM subscriptions
    WHERE occurred_at >= TIMESTAMPTZ '2025-10-01 00:00:00 America/Chicago'
      AND occurred_at <  TIMESTAMPTZ '2026-11-01 00:00:00 America/Chicago'
    GROUP BY ALL
),
receipts_m AS (
    SELECT date_trunc('month', received_at AT TIME ZONE 'America/Chicago')::DATE AS month,
           sum(quantity) AS quantity
    FROM receipts
    WHERE received_at >= TIMESTAMPTZ '2025-10-01 00:00:00 America/Chicago'
      AND received_at <  TIMESTAMPTZ '2026-11-01 00:00:00 America/Chicago'
    GROUP BY ALL
),
-- snapshots: first()/last() = the total of the rows of the month's first/last snapshot day
-- (rows with a value only): daily totals, then arg_min / arg_max by day
pipeline_m AS (
    SELECT month, arg_max(open_amount, as_of) AS last_open_amount
    FROM (SELECT date_trunc('month', as_of)::DATE AS month, as_of, sum(open_amount) AS open_amount
          FROM pipeline
          WHERE as_of >= DATE '2025-10-01' AND as_of < DATE '2026-11-01'
            AND open_amount IS NOT NULL
          GROUP BY ALL)
    GROUP BY month
),
customer_counts_m AS (
    SELECT month, arg_min(active, as_of) AS first_active
    FROM (SELECT date_trunc('month', as_of)::DATE AS month, as_of, sum(active) AS active
          FROM customer_counts
          WHERE as_of >= DATE '2025-10-01' AND as_of < DATE '2026-11-01' AND active IS NOT NULL
          GROUP BY ALL)
    GROUP BY month
),
stores_m AS (
    SELECT month, arg_max(floor_area, as_of) AS last_floor_area
    FROM (SELECT date_trunc('month', as_of)::DATE AS month, as_of, sum(floor_area) AS floor_area
          FROM stores
          WHERE as_of >= DATE '2025-10-01' AND as_of < DATE '2026-11-01'
            AND floor_area IS NOT NULL
          GROUP BY ALL)
    GROUP BY month
),
inventory_m AS (
    SELECT month, arg_min(value, as_of) AS first_value, arg_max(value, as_of) AS last_value
    FROM (SELECT date_trunc('month', as_of)::DATE AS month, as_of, sum(value) AS value
          FROM inventory
          WHERE as_of >= DATE '2025-10-01' AND as_of < DATE '2026-11-01' AND value IS NOT NULL
          GROUP BY ALL)
    GROUP BY month
),
-- ---- finance --------------------------------------------------------------------------------
expenses_m AS (
    SELECT date_trunc('month', posted_on)::DATE AS month,
           sum(amount)                                                AS amount,
           sum(amount) FILTER (WHERE type = 'operating')              AS operating,
           sum(amount) FILTER (WHERE department = 'it')               AS it,
           sum(amount) FILTER (WHERE department = 'support')          AS support,
           sum(amount) FILTER (WHERE type = 'operating' AND department IN ('sales', 'marketing'))
                                                                      AS sales_marketing
    FROM expenses
    WHERE posted_on >= DATE '2025-10-01' AND posted_on < DATE '2026-11-01'
    GROUP BY ALL
),
balances_m AS (
    SELECT month,
           arg_max(current_assets, as_of) FILTER (WHERE current_assets IS NOT NULL)
                                                                      AS last_assets,
           arg_max(current_liabilities, as_of) FILTER (WHERE current_liabilities IS NOT NULL)
                                                                      AS last_liabilities
    FROM (SELECT date_trunc('month', as_of)::DATE AS month, as_of,
                 sum(current_assets) AS current_assets,
                 sum(current_liabilities) AS current_liabilities
          FROM balances
          WHERE as_of >= DATE '2025-10-01' AND as_of < DATE '2026-11-01'
          GROUP BY ALL)
    GROUP BY month
),
forecasts_m AS (
    SELECT date_trunc('month', month)::DATE AS month,
           sum(revenue) FILTER (WHERE scenario = 'forecast')          AS forecast
    FROM forecasts
    WHERE month >= DATE '2025-10-01' AND month < DATE '2026-11-01'
    GROUP BY ALL
),
investments_m AS (
    SELECT date_trunc('month', booked_on)::DATE AS month,
           sum(amount) FILTER (WHERE flow = 'return')                 AS returns,
           sum(amount) FILTER (WHERE flow = 'cost')                   AS costs
    FROM investments
    WHERE booked_on >= DATE '2025-10-01' AND booked_on < DATE '2026-11-01'
    GROUP BY ALL
),
-- ---- hr -------------------------------------------------------------------------------------
hr_events_m AS (
    SELECT date_trunc('month', effective_on)::DATE AS month,
           count(*) FILTER (WHERE event = 'termination')              AS terminations
    FROM hr_events
    WHERE effective_on >= DATE '2025-10-01' AND effective_on < DATE '2026-11-01'
    GROUP BY ALL
),
headcount_m AS (
    SELECT month, arg_min(employees, as_of) AS first_employees,
           arg_max(employees, as_of) AS last_employees
    FROM (SELECT date_trunc('month', as_of)::DATE AS month, as_of, sum(employees) AS employees
          FROM headcount
          WHERE as_of >= DATE '2025-10-01' AND as_of < DATE '2026-11-01'
            AND employees IS NOT NULL
          GROUP BY ALL)
    GROUP BY month
),
absences_m AS (
    SELECT date_trunc('month', day)::DATE AS month,
           sum(hours) FILTER (WHERE NOT planned)                      AS unplanned_hours
    FROM absences
    WHERE day >= DATE '2025-10-01' AND day < DATE '2026-11-01'
    GROUP BY ALL
),
work_schedules_m AS (
    SELECT date_trunc('month', day)::DATE AS month, sum(scheduled_hours) AS scheduled_hours
    FROM work_schedules
    WHERE day >= DATE '2025-10-01' AND day < DATE '2026-11-01'
    GROUP BY ALL
),
requisitions_m AS (
    SELECT date_trunc('month', accepted_on)::DATE AS month,
           avg(accepted_on - applied_on) * 86400                      AS time_to_hire,
           avg(accepted_on - opened_on) * 86400                       AS time_to_fill
    FROM requisitions
    WHERE accepted_on >= DATE '2025-10-01' AND accepted_on < DATE '2026-11-01'
    GROUP BY ALL
),
-- ---- it -------------------------------------------------------------------------------------
tickets_m AS (
    SELECT date_trunc('month', occurred_at AT TIME ZONE 'America/Chicago')::DATE AS month,
           count(*) FILTER (WHERE event = 'opened')                   AS opened,
           count(*) FILTER (WHERE event = 'reopened')                 AS reopened,
           count(*) FILTER (WHERE event = 'resolved')                 AS resolved,
           avg(epoch(occurred_at) - epoch(opened_at)) FILTER (WHERE event = 'resolved')
                                                                      AS resolution,
           median(epoch(occurred_at) - epoch(opened_at)) FILTER (WHERE event = 'resolved')
                                                                      AS median_resolution
    FROM tickets
    WHERE occurred_at >= TIMESTAMPTZ '2025-10-01 00:00:00 America/Chicago'
      AND occurred_at <  TIMESTAMPTZ '2026-11-01 00:00:00 America/Chicago'
    GROUP BY ALL
),
ticket_backlog_m AS (
    SELECT month, arg_max(open_tickets, as_of) AS last_open_tickets
    FROM (SELECT date_trunc('month', as_of)::DATE AS month, as_of, sum(open_tickets) AS open_tickets
          FROM ticket_backlog
          WHERE as_of >= DATE '2025-10-01' AND as_of < DATE '2026-11-01'
            AND open_tickets IS NOT NULL
          GROUP BY ALL)
    GROUP BY month
),
incidents_m AS (
    SELECT date_trunc('month', started_at AT TIME ZONE 'America/Chicago')::DATE AS month,
           count(*)                                                   AS incidents,
           count(restored_at)                                         AS restored,
           sum(epoch(restored_at) - epoch(started_at))                AS repair,
           sum(epoch(restored_at) - epoch(started_at)) FILTER (WHERE cause = 'security')
                                                                      AS security
    FROM incidents
    WHERE started_at >= TIMESTAMPTZ '2025-10-01 00:00:00 America/Chicago'
      AND started_at <  TIMESTAMPTZ '2026-11-01 00:00:00 America/Chicago'
    GROUP BY ALL
),
service_uptime_m AS (
    SELECT date_trunc('month', day)::DATE AS month,
           sum(monitored_seconds)                                     AS monitored,
           sum(downtime_seconds)                                      AS downtime,
           sum(monitored_seconds - downtime_seconds)                  AS operating
    FROM service_uptime
    WHERE day >= DATE '2025-10-01' AND day < DATE '2026-11-01'
    GROUP BY ALL
),
-- ---- manufacturing --------------------------------------------------------------------------
production_runs_m AS (
    SELECT date_trunc('month', started_at AT TIME ZONE 'America/Chicago')::DATE AS month,
           sum(planned_seconds)                                       AS planned,
           sum(run_seconds)                                           AS run,
           sum(ideal_cycle_seconds * total_count)                     AS ideal,
           sum(total_count)                                           AS total,
           sum(good_count)                                            AS good,
           sum(scrap_count)                                           AS scrap
    FROM production_runs
    WHERE started_at >= TIMESTAMPTZ '2025-10-01 00:00:00 America/Chicago'
      AND started_at <  TIMESTAMPTZ '2026-11-01 00:00:00 America/Chicago'
    GROUP BY ALL
),
machine_calendar_m AS (
    SELECT date_trunc('month', day)::DATE AS month, sum(calendar_seconds) AS calendar
    FROM machine_calendar
    WHERE day >= DATE '2025-10-01' AND day < DATE '2026-11-01'
    GROUP BY ALL
),
-- ---- marketing ------------------------------------------------------------------------------
leads_m AS (
    SELECT date_trunc('month', created_at AT TIME ZONE 'America/Chicago')::DATE AS month,
           count(*) AS leads, count(*) FILTER (WHERE origin = 'inbound') AS inbound,
           count(*) FILTER (WHERE channel IN ('paid_search', 'paid_social', 'display', 'video')) AS paid_leads
    FROM leads
    WHERE created_at >= TIMESTAMPTZ '2025-10-01 00:00:00 America/Chicago'
      AND created_at <  TIMESTAMPTZ '2026-11-01 00:00:00 America/Chicago'
    GROUP BY ALL
),
lead_stages_m AS (
    SELECT date_trunc('month', reached_at AT TIME ZONE 'America/Chicago')::DATE AS month,
           count(*) FILTER (WHERE stage = 'mql')                      AS mql,
           count(*) FILTER (WHERE stage = 'sql')                      AS sql
    FROM lead_stages
    WHERE reached_at >= TIMESTAMPTZ '2025-10-01 00:00:00 America/Chicago'
      AND reached_at <  TIMESTAMPTZ '2026-11-01 00:00:00 America/Chicago'
    GROUP BY ALL
),
ad_spend_m AS (
    SELECT date_trunc('month', day)::DATE AS month, sum(spend) AS spend,
           sum(conversion_value) AS conversion_value
    FROM ad_spend
    WHERE day >= DATE '2025-10-01' AND day < DATE '2026-11-01'
    GROUP BY ALL
),
web_sessions_m AS (
    SELECT date_trunc('month', started_at AT TIME ZONE 'America/Chicago')::DATE AS month,
           count(*)                                                   AS sessions,
           sum(goal_completions)                                      AS goals,
           count(*) FILTER (WHERE converted)                          AS converted
    FROM web_sessions
    WHERE started_at >= TIMESTAMPTZ '2025-10-01 00:00:00 America/Chicago'
      AND started_at <  TIMESTAMPTZ '2026-11-01 00:00:00 America/Chicago'
    GROUP BY ALL
),
social_m AS (
    SELECT date_trunc('month', day)::DATE AS month, sum(attributed_revenue) AS attributed_revenue,
           sum(spend) AS spend
    FROM social
    WHERE day >= DATE '2025-10-01' AND day < DATE '2026-11-01'
    GROUP BY ALL
),
-- ---- support --------------------------------------------------------------------------------
conversations_m AS (
    SELECT date_trunc('month', created_at AT TIME ZONE 'America/Chicago')::DATE AS month,
           count(*)                                                   AS conversations,
           avg(epoch(first_response_at) - epoch(created_at))          AS first_response,
           avg(handle_seconds)                                        AS handling,
           count(*) FILTER (WHERE resolved)                           AS resolved,
           count(*) FILTER (WHERE resolved AND contacts = 1)          AS first_contact,
           count(agent)                                               AS with_agent
    FROM conversations
    WHERE created_at >= TIMESTAMPTZ '2025-10-01 00:00:00 America/Chicago'
      AND created_at <  TIMESTAMPTZ '2026-11-01 00:00:00 America/Chicago'
    GROUP BY ALL
),
surveys_m AS (
    SELECT date_trunc('month', answered_at AT TIME ZONE 'America/Chicago')::DATE AS month,
           avg(score) FILTER (WHERE survey = 'ces')                   AS ces,
           count(*) FILTER (WHERE survey = 'csat' AND score >= 4)     AS satisfied,
           count(score) FILTER (WHERE survey = 'csat')                AS csat,
           count(*) FILTER (WHERE survey = 'nps' AND score >= 9)      AS promoters,
           count(*) FILTER (WHERE survey = 'nps' AND score <= 6)      AS detractors,
           count(score) FILTER (WHERE survey = 'nps')                 AS nps
    FROM surveys
    WHERE answered_at >= TIMESTAMPTZ '2025-10-01 00:00:00 America/Chicago'
      AND answered_at <  TIMESTAMPTZ '2026-11-01 00:00:00 America/Chicago'
    GROUP BY ALL
),
-- ---- every month's aggregates in one row, as DOUBLE -----------------------------------------
a AS (
    SELECT m.month,
           coalesce(o.revenue, 0)::DOUBLE AS revenue, coalesce(o.quantity, 0)::DOUBLE AS quantity,
           coalesce(o.cost, 0)::DOUBLE AS cost, coalesce(o.orders, 0)::DOUBLE AS orders,
           coalesce(o.customers, 0)::DOUBLE AS customers,
           coalesce(o.reps, 0)::DOUBLE AS order_reps,
           coalesce(o.upsell_orders, 0)::DOUBLE AS upsell_orders,
           coalesce(o.cross_sell_orders, 0)::DOUBLE AS cross_sell_orders,
           coalesce(o.rep_revenue, 0)::DOUBLE AS rep_revenue,
           coalesce(o.store_revenue, 0)::DOUBLE AS store_revenue, o.line_margin,
           cv.customers::DOUBLE AS lead_customers, cv.converted::DOUBLE AS converted_customers,
           coalesce(p.qualified, 0)::DOUBLE AS qualified, coalesce(p.won, 0)::DOUBLE AS won,
           coalesce(p.won_new, 0)::DOUBLE AS won_new,
           coalesce(p.decided, 0)::DOUBLE AS decided, p.won_amount::DOUBLE AS won_amount,
           p.cycle,
           coalesce(q.quotes, 0)::DOUBLE AS quotes,
           coalesce(ac.touches, 0)::DOUBLE AS touches,
           coalesce(ac.reps, 0)::DOUBLE AS activity_reps,
           coalesce(qu.amount, 0)::DOUBLE AS quota,
           coalesce(s.started, 0)::DOUBLE AS started, coalesce(s.cancelled, 0)::DOUBLE AS cancelled,
           coalesce(s.voluntary, 0)::DOUBLE AS voluntary,
           coalesce(s.involuntary, 0)::DOUBLE AS involuntary,
           s.started_mrr::DOUBLE AS started_mrr,
           coalesce(r.quantity, 0)::DOUBLE AS received,
           pl.last_open_amount::DOUBLE AS pipeline_last,
           cc.first_active::DOUBLE AS active_first,
           st.last_floor_area::DOUBLE AS floor_area_last,
           inv.first_value::DOUBLE AS inventory_first, inv.last_value::DOUBLE AS inventory_last,
           coalesce(e.amount, 0)::DOUBLE AS expenses, coalesce(e.operating, 0)::DOUBLE AS opex,
           coalesce(e.it, 0)::DOUBLE AS it_expenses,
           coalesce(e.support, 0)::DOUBLE AS support_expenses,
           coalesce(e.sales_marketing, 0)::DOUBLE AS sales_marketing_expenses,
           b.last_assets::DOUBLE AS assets_last, b.last_liabilities::DOUBLE AS liabilities_last,
           coalesce(f.forecast, 0)::DOUBLE AS forecast,
           coalesce(i.returns, 0)::DOUBLE AS investment_returns,
           coalesce(i.costs, 0)::DOUBLE AS investment_costs,
           coalesce(h.terminations, 0)::DOUBLE AS terminations,
           hc.first_employees::DOUBLE AS employees_first,
           hc.last_employees::DOUBLE AS employees_last,
           coalesce(ab.unplanned_hours, 0)::DOUBLE AS unplanned_hours,
           coalesce(ws.scheduled_hours, 0)::DOUBLE AS scheduled_hours,
           rq.time_to_hire, rq.time_to_fill,
           coalesce(t.opened, 0)::DOUBLE AS tickets_opened,
           coalesce(t.reopened, 0)::DOUBLE AS tickets_reopened,
           coalesce(t.resolved, 0)::DOUBLE AS tickets_resolved,
           t.resolution, t.median_resolution,
           tb.last_open_tickets::DOUBLE AS backlog_last,
           coalesce(inc.incidents, 0)::DOUBLE AS incidents,
           coalesce(inc.restored, 0)::DOUBLE AS restored,
           coalesce(inc.repair, 0)::DOUBLE AS repair, coalesce(inc.security, 0)::DOUBLE AS security,
           coalesce(su.monitored, 0)::DOUBLE AS monitored,
           coalesce(su.downtime, 0)::DOUBLE AS downtime,
           coalesce(su.operating, 0)::DOUBLE AS operating,
           coalesce(pr.planned, 0)::DOUBLE AS planned, coalesce(pr.run, 0)::DOUBLE AS run,
           coalesce(pr.ideal, 0)::DOUBLE AS ideal, coalesce(pr.total, 0)::DOUBLE AS produced,
           coalesce(pr.good, 0)::DOUBLE AS good, coalesce(pr.scrap, 0)::DOUBLE AS scrap,
           coalesce(mc.calendar, 0)::DOUBLE AS calendar,
           coalesce(l.leads, 0)::DOUBLE AS leads, coalesce(l.inbound, 0)::DOUBLE AS inbound,
           coalesce(l.paid_leads, 0)::DOUBLE AS paid_leads,
           coalesce(ls.mql, 0)::DOUBLE AS mql, coalesce(ls.sql, 0)::DOUBLE AS sql,
           coalesce(ad.spend, 0)::DOUBLE AS ad_spend,
           coalesce(ad.conversion_value, 0)::DOUBLE AS ad_value,
           coalesce(w.sessions, 0)::DOUBLE AS sessions, coalesce(w.goals, 0)::DOUBLE AS goals,
           coalesce(w.converted, 0)::DOUBLE AS converted_sessions,
           coalesce(so.attributed_revenue, 0)::DOUBLE AS social_revenue,
           coalesce(so.spend, 0)::DOUBLE AS social_spend,
           coalesce(c.conversations, 0)::DOUBLE AS conversations, c.first_response, c.handling,
           coalesce(c.resolved, 0)::DOUBLE AS resolved_conversations,
           coalesce(c.first_contact, 0)::DOUBLE AS first_contact,
           coalesce(c.with_agent, 0)::DOUBLE AS with_agent,
           sv.ces, coalesce(sv.satisfied, 0)::DOUBLE AS satisfied,
           coalesce(sv.csat, 0)::DOUBLE AS csat,
           coalesce(sv.promoters, 0)::DOUBLE AS promoters,
           coalesce(sv.detractors, 0)::DOUBLE AS detractors,
           coalesce(sv.nps, 0)::DOUBLE AS nps_answers
    FROM months m
    LEFT JOIN orders_m o USING (month)
    LEFT JOIN conversion_m cv USING (month)
    LEFT JOIN opportunities_m p USING (month)
    LEFT JOIN quotes_m q USING (month)
    LEFT JOIN activities_m ac USING (month)
    LEFT JOIN quotas_m qu USING (month)
    LEFT JOIN subscriptions_m s USING (month)
    LEFT JOIN receipts_m r USING (month)
    LEFT JOIN pipeline_m pl USING (month)
    LEFT JOIN customer_counts_m cc USING (month)
    LEFT JOIN stores_m st USING (month)
    LEFT JOIN inventory_m inv USING (month)
    LEFT JOIN expenses_m e USING (month)
    LEFT JOIN balances_m b USING (month)
    LEFT JOIN forecasts_m f USING (month)
    LEFT JOIN investments_m i USING (month)
    LEFT JOIN hr_events_m h USING (month)
    LEFT JOIN headcount_m hc USING (month)
    LEFT JOIN absences_m ab USING (month)
    LEFT JOIN work_schedules_m ws USING (month)
    LEFT JOIN requisitions_m rq USING (month)
    LEFT JOIN tickets_m t USING (month)
    LEFT JOIN ticket_backlog_m tb USING (month)
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
),
-- ---- the KPIs that read streams only --------------------------------------------------------
k1 AS (
    SELECT month,
           -- sales
           revenue,
           quantity                                         AS sales_volume,
           revenue / nullif(orders, 0)                      AS average_order_value,
           inbound                                          AS new_inbound_leads,
           qualified                                        AS new_qualified_opportunities,
           pipeline_last                                    AS total_pipeline_value,
           converted_customers * 100 / nullif(lead_customers, 0) AS lead_to_customer_rate,
           won_new * 100 / nullif(leads, 0)                 AS end_to_end_conversion,
           won_amount                                       AS average_deal_size,
           cycle                                            AS sales_cycle_length,
           won * 100 / nullif(quotes, 0)                    AS sales_closing_ratio,
           won * 100 / nullif(decided, 0)                   AS win_rate,
           rep_revenue / nullif(order_reps, 0)              AS revenue_per_rep,
           rep_revenue * 100 / nullif(quota, 0)             AS sales_target_attainment,
           upsell_orders * 100 / nullif(customers, 0)       AS upsell_rate,
           cross_sell_orders * 100 / nullif(customers, 0)   AS cross_sell_rate,
           orders / nullif(customers, 0)                    AS purchase_frequency,
           started                                          AS new_customers,
           cancelled * 100 / nullif(active_first, 0)        AS customer_churn_rate,
           voluntary * 100 / nullif(active_first, 0)        AS voluntary_churn_rate,
           involuntary * 100 / nullif(active_first, 0)      AS involuntary_churn_rate,
           (started - cancelled) * 100 / nullif(active_first, 0) AS customer_growth_rate,
           touches / nullif(activity_reps, 0)               AS sales_activities_per_rep,
           quantity * 100 / nullif(received, 0)             AS sell_through_rate,
           store_revenue / nullif(floor_area_last, 0)       AS sales_per_square_foot,
           cost / nullif((inventory_first + inventory_last) / 2, 0) AS inventory_turnover,
           -- finance
           (revenue - cost) * 100 / nullif(revenue, 0)      AS gross_profit_margin,
           (revenue - cost - opex) * 100 / nullif(revenue, 0) AS operating_profit_margin,
           (revenue - cost - expenses) * 100 / nullif(revenue, 0) AS net_profit_margin,
           line_margin                                      AS average_product_margin,
           opex * 100 / nullif(revenue, 0)                  AS operating_expense_ratio,
           assets_last / nullif(liabilities_last, 0)        AS working_capital_ratio,
           (investment_returns - investment_costs) * 100 / nullif(investment_costs, 0)
                                                            AS return_on_investment,
           revenue * 100 / nullif(forecast, 0)              AS revenue_vs_forecast,
           -- hr
           terminations * 100 / nullif((employees_first + employees_last) / 2, 0)
                                                            AS employee_turnover_rate,
           unplanned_hours * 100 / nullif(scheduled_hours, 0) AS absenteeism_rate,
           time_to_hire, time_to_fill,
           -- it
           tickets_opened                                   AS total_support_tickets,
           backlog_last                                     AS open_tickets,
           tickets_reopened * 100 / nullif(tickets_resolved, 0) AS reopened_ticket_rate,
           resolution                                       AS mean_resolution_time,
           median_resolution                                AS median_resolution_time,
           it_expenses * 100 / nullif(revenue, 0)           AS it_costs_vs_revenue,
           security                                         AS security_downtime,
           (monitored - downtime) * 100 / nullif(monitored, 0) AS uptime,
           repair / nullif(restored, 0)                     AS mean_time_to_repair,
           operating / nullif(incidents, 0)                 AS mean_time_between_failures,
           -- manufacturing
           run * 100 / nullif(planned, 0)                   AS availability,
           ideal * 100 / nullif(run, 0)                     AS performance,
           good * 100 / nullif(produced, 0)                 AS quality,
           planned * 100 / nullif(calendar, 0)              AS loading,
           scrap * 100 / nullif(produced, 0)                AS scrap_rate,
           good                                             AS throughput,
           good * 3600 / nullif(run, 0)                     AS throughput_per_hour,
           -- marketing
           leads                                            AS new_leads,
           mql                                              AS marketing_qualified_leads,
           sql                                              AS sales_qualified_leads,
           ad_spend / nullif(paid_leads, 0)                 AS cost_per_lead,
           (social_revenue - social_spend) * 100 / nullif(social_spend, 0) AS social_media_roi,
           goals * 100 / nullif(sessions, 0)                AS goal_conversion_rate,
           converted_sessions * 100 / nullif(sessions, 0)   AS conversion_rate,
           ad_value / nullif(ad_spend, 0)                   AS return_on_ad_spend,
           sales_marketing_expenses / nullif(started, 0)    AS customer_acquisition_cost,
           sessions                                         AS website_traffic,
           -- support
           first_response                                   AS first_response_time,
           handling                                         AS average_handling_time,
           support_expenses / nullif(conversations, 0)      AS cost_per_conversation,
           first_contact * 100 / nullif(conversations, 0) AS first_contact_resolution,
           with_agent                                       AS most_active_agents,
           ces                                              AS customer_effort_score,
           satisfied * 100 / nullif(csat, 0)                AS customer_satisfaction,
           (promoters - detractors) * 100 / nullif(nps_answers, 0) AS net_promoter_score,
           started_mrr,
           active_first
    FROM a
),
-- ---- the KPIs that read other KPIs ----------------------------------------------------------
k2 AS (
    SELECT k1.*,
           (revenue - coalesce(lag(revenue) OVER (ORDER BY month),
                               (SELECT revenue FROM revenue_before)))
               * 100 / nullif(abs(coalesce(lag(revenue) OVER (ORDER BY month),
                                           (SELECT revenue FROM revenue_before))), 0)
                                                            AS sales_growth,
           revenue / nullif(active_first, 0) * 100 / nullif(customer_churn_rate, 0)
                                                            AS customer_lifetime_value,
           100 - customer_churn_rate                        AS customer_retention_rate,
           customer_acquisition_cost / nullif(started_mrr * gross_profit_margin / 100, 0)
                                                            AS cac_payback_months,
           availability * performance * quality / 10000     AS oee
    FROM k1
)
SELECT strftime(month, '%Y-%m') AS month,
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
