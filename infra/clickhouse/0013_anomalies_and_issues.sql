-- One anomaly per session and category, kept current by the triage worker from session_analyses:
-- re-analysing a session replaces its rows (version = the analysis time), and a category the
-- latest analysis no longer finds stays with is_current = false. Lists read the newest version.
CREATE TABLE IF NOT EXISTS anomalies
(
    tenant_id           String,
    session_id          String,
    category            LowCardinality(String),
    anomaly_id          String,
    charging_station_id String,
    connector_id        String,
    risk_score          Float64,
    max_score           Float64,
    confidence          Float64,
    period_start        DateTime64(3, 'UTC'),
    period_end          DateTime64(3, 'UTC'),
    first_detected_at   DateTime64(3, 'UTC'),
    updated_at          DateTime64(3, 'UTC'),
    inference_id        String,
    is_current          Bool
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (tenant_id, session_id, category);

-- Issues people work on; one per connector and category while unresolved (new incidents attach).
CREATE TABLE IF NOT EXISTS issues
(
    tenant_id           String,
    issue_id            String,
    category            LowCardinality(String),
    charging_station_id String,
    connector_id        String,
    status              LowCardinality(String),
    assigned_to         Nullable(String),
    opened_at           DateTime64(3, 'UTC'),
    updated_at          DateTime64(3, 'UTC'),
    version             UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant_id, issue_id);

-- Which sessions' anomalies an issue covers (the incident that opened it and those that attached).
CREATE TABLE IF NOT EXISTS issue_sessions
(
    tenant_id  String,
    issue_id   String,
    session_id String,
    category   LowCardinality(String),
    linked_at  DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (tenant_id, issue_id, session_id);

-- Every change of an issue: who, when, from, to (entry ids are deterministic: a replay rewrites).
CREATE TABLE IF NOT EXISTS issue_history
(
    tenant_id     String,
    issue_id      String,
    entry_id      String,
    at            DateTime64(3, 'UTC'),
    actor         String,
    from_status   Nullable(String),
    to_status     String,
    from_assignee Nullable(String),
    to_assignee   Nullable(String),
    note          String
)
ENGINE = ReplacingMergeTree
ORDER BY (tenant_id, issue_id, entry_id);

-- What people decided: FALSE_POSITIVE and RESOLVED per labelled session, category and time range,
-- the labels fine-tuning learns from (the latest decision per session and category wins).
CREATE TABLE IF NOT EXISTS triage_labels
(
    tenant_id    String,
    session_id   String,
    category     LowCardinality(String),
    label        LowCardinality(String),
    period_start DateTime64(3, 'UTC'),
    period_end   DateTime64(3, 'UTC'),
    issue_id     String,
    labelled_at  DateTime64(3, 'UTC'),
    labelled_by  String
)
ENGINE = ReplacingMergeTree(labelled_at)
ORDER BY (tenant_id, session_id, category);

-- The analyses the triage worker has handled (so a rescan skips them).
CREATE TABLE IF NOT EXISTS triaged_analyses
(
    tenant_id    String,
    inference_id String,
    triaged_at   DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (tenant_id, inference_id);
