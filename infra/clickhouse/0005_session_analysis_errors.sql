-- The latest analysis of a session that failed for reasons of its own (Triton rejected the request,
-- the features could not be computed). Shown in the session's detail until an analysis succeeds.
CREATE TABLE IF NOT EXISTS session_analysis_errors
(
    tenant_id     String,
    session_id    String,
    failed_at     DateTime64(3, 'UTC'),
    reason        String
)
ENGINE = ReplacingMergeTree(failed_at)
ORDER BY (tenant_id, session_id);
