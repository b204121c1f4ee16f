-- status_rollups is dropped (issue 12 item 7). alertd wrote seconds per
-- status per hour and per day on every event, and nothing read them: the
-- SLA, uptime and burn-rate figures (apid/sla.c, alertd/burn.c) are sums
-- over windows that end now and need not start on an hour (24 h back, 5 min
-- back), cut by blind time (pollerd stale in daemon_health_log) and by
-- maintenance windows at their own instants, and split maintenance time per
-- status. Hour buckets with one maintenance total per bucket cannot give
-- those figures exactly, and a bucket is only as fresh as alertd's cursor.
-- The table had no index or trigger of its own beyond its primary key.
DROP TABLE IF EXISTS status_rollups;
