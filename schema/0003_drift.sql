-- 0003_drift: format drift made visible (issue 13, doc/drift.md). When a
-- tolerant parser had to default an optional field or apply the seed's
-- fallback for an unknown vendor word, the reading still counts and carries
-- drift notes; pollerd keeps the latest notes of each service here, with
-- when that exact text was first seen (it is logged once, then) and when a
-- reading last carried it. A reading without notes leaves them in place:
-- last_seen_at tells how old they are. Writer: pollerd.
ALTER TABLE services ADD COLUMN drift_note TEXT;
ALTER TABLE services ADD COLUMN drift_first_seen_at TEXT;
ALTER TABLE services ADD COLUMN drift_last_seen_at TEXT;
