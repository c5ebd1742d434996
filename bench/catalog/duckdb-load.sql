-- bench/catalog/duckdb-load.sql - the demo workspace's CSVs (kpi demo --keep-csv: DIR/data/*.csv,
-- each stream in one or more files STREAM-YYYY-MM.csv, read together by a glob) loaded into DuckDB
-- tables, typed by the stream schemas of catalog/*.yaml: text VARCHAR, time TIMESTAMPTZ (the files
-- hold UTC instants, "...Z"), date DATE, number DECIMAL(18,2) (the files have at most two decimals:
-- exact money), integer INTEGER, bool BOOLEAN; empty cells are NULL. bench/catalog/duckdb.js runs
-- it with file_search_path set to the data directory, so the files are named relative to it.
CREATE TABLE expenses AS SELECT * FROM read_csv('expenses-*.csv', header = true, columns = {
    'entry_id': 'VARCHAR', 'posted_on': 'DATE', 'account': 'VARCHAR',
    'category': 'VARCHAR', 'type': 'VARCHAR', 'department': 'VARCHAR',
    'cost_center': 'VARCHAR', 'region': 'VARCHAR', 'vendor': 'VARCHAR',
    'amount': 'DECIMAL(18,2)'});
CREATE TABLE balances AS SELECT * FROM read_csv('balances-*.csv', header = true, columns = {
    'as_of': 'DATE', 'entity': 'VARCHAR', 'cash': 'DECIMAL(18,2)',
    'receivables': 'DECIMAL(18,2)', 'inventory_value': 'DECIMAL(18,2)',
    'current_assets': 'DECIMAL(18,2)', 'current_liabilities': 'DECIMAL(18,2)',
    'total_assets': 'DECIMAL(18,2)', 'total_equity': 'DECIMAL(18,2)'});
CREATE TABLE forecasts AS SELECT * FROM read_csv('forecasts-*.csv', header = true, columns = {
    'forecast_id': 'VARCHAR', 'month': 'DATE', 'scenario': 'VARCHAR', 'region': 'VARCHAR',
    'sales_channel': 'VARCHAR', 'category': 'VARCHAR', 'revenue': 'DECIMAL(18,2)'});
CREATE TABLE investments AS SELECT * FROM read_csv('investments-*.csv', header = true, columns = {
    'flow_id': 'VARCHAR', 'booked_on': 'DATE', 'project': 'VARCHAR', 'category': 'VARCHAR',
    'flow': 'VARCHAR', 'amount': 'DECIMAL(18,2)'});
CREATE TABLE hr_events AS SELECT * FROM read_csv('hr_events-*.csv', header = true, columns = {
    'event_id': 'VARCHAR', 'effective_on': 'DATE', 'employee_id': 'VARCHAR',
    'event': 'VARCHAR', 'termination_type': 'VARCHAR', 'department': 'VARCHAR',
    'location': 'VARCHAR', 'job_family': 'VARCHAR'});
CREATE TABLE headcount AS SELECT * FROM read_csv('headcount-*.csv', header = true, columns = {
    'as_of': 'DATE', 'department': 'VARCHAR', 'location': 'VARCHAR',
    'employees': 'INTEGER', 'fte': 'DECIMAL(18,2)'});
CREATE TABLE absences AS SELECT * FROM read_csv('absences-*.csv', header = true, columns = {
    'absence_day_id': 'VARCHAR', 'day': 'DATE', 'employee_id': 'VARCHAR',
    'department': 'VARCHAR', 'location': 'VARCHAR', 'reason': 'VARCHAR',
    'planned': 'BOOLEAN', 'hours': 'DECIMAL(18,2)'});
CREATE TABLE work_schedules AS SELECT * FROM read_csv('work_schedules-*.csv', header = true, columns = {
    'day': 'DATE', 'department': 'VARCHAR', 'location': 'VARCHAR',
    'scheduled_hours': 'DECIMAL(18,2)'});
CREATE TABLE requisitions AS SELECT * FROM read_csv('requisitions-*.csv', header = true, columns = {
    'requisition_id': 'VARCHAR', 'accepted_on': 'DATE', 'opened_on': 'DATE',
    'applied_on': 'DATE', 'department': 'VARCHAR', 'location': 'VARCHAR',
    'job_family': 'VARCHAR', 'recruiter': 'VARCHAR', 'source': 'VARCHAR'});
CREATE TABLE tickets AS SELECT * FROM read_csv('tickets-*.csv', header = true, columns = {
    'event_id': 'VARCHAR', 'occurred_at': 'TIMESTAMPTZ', 'ticket_id': 'VARCHAR',
    'event': 'VARCHAR', 'opened_at': 'TIMESTAMPTZ', 'category': 'VARCHAR',
    'priority': 'VARCHAR', 'team': 'VARCHAR', 'assignee': 'VARCHAR', 'site': 'VARCHAR',
    'channel': 'VARCHAR'});
CREATE TABLE ticket_backlog AS SELECT * FROM read_csv('ticket_backlog-*.csv', header = true, columns = {
    'as_of': 'DATE', 'team': 'VARCHAR', 'category': 'VARCHAR', 'priority': 'VARCHAR',
    'open_tickets': 'INTEGER'});
CREATE TABLE incidents AS SELECT * FROM read_csv('incidents-*.csv', header = true, columns = {
    'incident_id': 'VARCHAR', 'started_at': 'TIMESTAMPTZ', 'restored_at': 'TIMESTAMPTZ',
    'service': 'VARCHAR', 'environment': 'VARCHAR', 'cause': 'VARCHAR',
    'severity': 'VARCHAR'});
CREATE TABLE service_uptime AS SELECT * FROM read_csv('service_uptime-*.csv', header = true, columns = {
    'day': 'DATE', 'service': 'VARCHAR', 'environment': 'VARCHAR',
    'monitored_seconds': 'INTEGER', 'downtime_seconds': 'INTEGER',
    'maintenance_seconds': 'INTEGER'});
CREATE TABLE production_runs AS SELECT * FROM read_csv('production_runs-*.csv', header = true, columns = {
    'run_id': 'VARCHAR', 'started_at': 'TIMESTAMPTZ', 'ended_at': 'TIMESTAMPTZ',
    'plant': 'VARCHAR', 'line': 'VARCHAR', 'machine': 'VARCHAR', 'product': 'VARCHAR',
    'shift': 'VARCHAR', 'planned_seconds': 'INTEGER', 'run_seconds': 'INTEGER',
    'ideal_cycle_seconds': 'DECIMAL(18,2)', 'total_count': 'INTEGER',
    'good_count': 'INTEGER', 'rework_count': 'INTEGER', 'scrap_count': 'INTEGER'});
CREATE TABLE machine_calendar AS SELECT * FROM read_csv('machine_calendar-*.csv', header = true, columns = {
    'day': 'DATE', 'plant': 'VARCHAR', 'line': 'VARCHAR', 'machine': 'VARCHAR',
    'calendar_seconds': 'INTEGER'});
CREATE TABLE leads AS SELECT * FROM read_csv('leads-*.csv', header = true, columns = {
    'lead_id': 'VARCHAR', 'created_at': 'TIMESTAMPTZ', 'customer': 'VARCHAR',
    'origin': 'VARCHAR', 'channel': 'VARCHAR', 'campaign': 'VARCHAR', 'region': 'VARCHAR',
    'rep': 'VARCHAR'});
CREATE TABLE lead_stages AS SELECT * FROM read_csv('lead_stages-*.csv', header = true, columns = {
    'stage_event_id': 'VARCHAR', 'reached_at': 'TIMESTAMPTZ', 'lead_id': 'VARCHAR',
    'stage': 'VARCHAR', 'channel': 'VARCHAR', 'campaign': 'VARCHAR', 'region': 'VARCHAR',
    'rep': 'VARCHAR'});
CREATE TABLE ad_spend AS SELECT * FROM read_csv('ad_spend-*.csv', header = true, columns = {
    'day': 'DATE', 'platform': 'VARCHAR', 'channel': 'VARCHAR', 'campaign': 'VARCHAR',
    'region': 'VARCHAR', 'impressions': 'INTEGER', 'clicks': 'INTEGER',
    'conversions': 'INTEGER', 'spend': 'DECIMAL(18,2)',
    'conversion_value': 'DECIMAL(18,2)'});
CREATE TABLE web_sessions AS SELECT * FROM read_csv('web_sessions-*.csv', header = true, columns = {
    'session_id': 'VARCHAR', 'started_at': 'TIMESTAMPTZ', 'channel': 'VARCHAR',
    'source': 'VARCHAR', 'medium': 'VARCHAR', 'campaign': 'VARCHAR',
    'landing_page': 'VARCHAR', 'device': 'VARCHAR', 'region': 'VARCHAR',
    'pageviews': 'INTEGER', 'duration_seconds': 'INTEGER', 'goal_completions': 'INTEGER',
    'converted': 'BOOLEAN'});
CREATE TABLE social AS SELECT * FROM read_csv('social-*.csv', header = true, columns = {
    'day': 'DATE', 'platform': 'VARCHAR', 'account': 'VARCHAR', 'campaign': 'VARCHAR',
    'impressions': 'INTEGER', 'engagements': 'INTEGER', 'clicks': 'INTEGER',
    'followers_gained': 'INTEGER', 'spend': 'DECIMAL(18,2)',
    'attributed_revenue': 'DECIMAL(18,2)'});
CREATE TABLE orders AS SELECT * FROM read_csv('orders-*.csv', header = true, columns = {
    'line_id': 'VARCHAR', 'order_id': 'VARCHAR', 'ordered_at': 'TIMESTAMPTZ',
    'customer': 'VARCHAR', 'rep': 'VARCHAR', 'region': 'VARCHAR', 'store': 'VARCHAR',
    'sales_channel': 'VARCHAR', 'product': 'VARCHAR', 'category': 'VARCHAR',
    'quantity': 'INTEGER', 'revenue': 'DECIMAL(18,2)', 'cost': 'DECIMAL(18,2)',
    'is_upsell': 'BOOLEAN', 'is_cross_sell': 'BOOLEAN'});
CREATE TABLE opportunities AS SELECT * FROM read_csv('opportunities-*.csv', header = true, columns = {
    'change_id': 'VARCHAR', 'changed_at': 'TIMESTAMPTZ', 'opportunity_id': 'VARCHAR',
    'stage': 'VARCHAR', 'created_at': 'TIMESTAMPTZ', 'amount': 'DECIMAL(18,2)',
    'account': 'VARCHAR', 'rep': 'VARCHAR', 'region': 'VARCHAR', 'source': 'VARCHAR',
    'deal_type': 'VARCHAR'});
CREATE TABLE pipeline AS SELECT * FROM read_csv('pipeline-*.csv', header = true, columns = {
    'as_of': 'DATE', 'rep': 'VARCHAR', 'region': 'VARCHAR', 'stage': 'VARCHAR',
    'open_count': 'INTEGER', 'open_amount': 'DECIMAL(18,2)',
    'weighted_amount': 'DECIMAL(18,2)'});
CREATE TABLE quotes AS SELECT * FROM read_csv('quotes-*.csv', header = true, columns = {
    'quote_id': 'VARCHAR', 'sent_at': 'TIMESTAMPTZ', 'opportunity_id': 'VARCHAR',
    'account': 'VARCHAR', 'rep': 'VARCHAR', 'region': 'VARCHAR', 'amount': 'DECIMAL(18,2)',
    'status': 'VARCHAR'});
CREATE TABLE activities AS SELECT * FROM read_csv('activities-*.csv', header = true, columns = {
    'activity_id': 'VARCHAR', 'occurred_at': 'TIMESTAMPTZ', 'type': 'VARCHAR',
    'rep': 'VARCHAR', 'region': 'VARCHAR', 'account': 'VARCHAR',
    'opportunity_id': 'VARCHAR', 'duration_seconds': 'INTEGER'});
CREATE TABLE quotas AS SELECT * FROM read_csv('quotas-*.csv', header = true, columns = {
    'quota_id': 'VARCHAR', 'month': 'DATE', 'rep': 'VARCHAR', 'region': 'VARCHAR',
    'amount': 'DECIMAL(18,2)'});
CREATE TABLE subscriptions AS SELECT * FROM read_csv('subscriptions-*.csv', header = true, columns = {
    'event_id': 'VARCHAR', 'occurred_at': 'TIMESTAMPTZ', 'customer': 'VARCHAR',
    'event': 'VARCHAR', 'churn_type': 'VARCHAR', 'plan': 'VARCHAR', 'region': 'VARCHAR',
    'channel': 'VARCHAR', 'mrr': 'DECIMAL(18,2)'});
CREATE TABLE customer_counts AS SELECT * FROM read_csv('customer_counts-*.csv', header = true, columns = {
    'as_of': 'DATE', 'plan': 'VARCHAR', 'region': 'VARCHAR', 'channel': 'VARCHAR',
    'active': 'INTEGER'});
CREATE TABLE stores AS SELECT * FROM read_csv('stores-*.csv', header = true, columns = {
    'as_of': 'DATE', 'store': 'VARCHAR', 'region': 'VARCHAR', 'format': 'VARCHAR',
    'floor_area': 'DECIMAL(18,2)'});
CREATE TABLE inventory AS SELECT * FROM read_csv('inventory-*.csv', header = true, columns = {
    'as_of': 'DATE', 'store': 'VARCHAR', 'region': 'VARCHAR', 'product': 'VARCHAR',
    'category': 'VARCHAR', 'on_hand': 'INTEGER', 'value': 'DECIMAL(18,2)'});
CREATE TABLE receipts AS SELECT * FROM read_csv('receipts-*.csv', header = true, columns = {
    'receipt_line_id': 'VARCHAR', 'received_at': 'TIMESTAMPTZ', 'store': 'VARCHAR',
    'region': 'VARCHAR', 'supplier': 'VARCHAR', 'product': 'VARCHAR',
    'category': 'VARCHAR', 'quantity': 'INTEGER', 'cost': 'DECIMAL(18,2)'});
CREATE TABLE conversations AS SELECT * FROM read_csv('conversations-*.csv', header = true, columns = {
    'conversation_id': 'VARCHAR', 'created_at': 'TIMESTAMPTZ',
    'first_response_at': 'TIMESTAMPTZ', 'closed_at': 'TIMESTAMPTZ', 'channel': 'VARCHAR',
    'agent': 'VARCHAR', 'team': 'VARCHAR', 'topic': 'VARCHAR', 'priority': 'VARCHAR',
    'region': 'VARCHAR', 'handle_seconds': 'INTEGER', 'contacts': 'INTEGER',
    'resolved': 'BOOLEAN'});
CREATE TABLE surveys AS SELECT * FROM read_csv('surveys-*.csv', header = true, columns = {
    'response_id': 'VARCHAR', 'answered_at': 'TIMESTAMPTZ', 'survey': 'VARCHAR',
    'score': 'INTEGER', 'customer': 'VARCHAR', 'conversation_id': 'VARCHAR',
    'agent': 'VARCHAR', 'team': 'VARCHAR', 'channel': 'VARCHAR', 'region': 'VARCHAR',
    'comment': 'VARCHAR'});
