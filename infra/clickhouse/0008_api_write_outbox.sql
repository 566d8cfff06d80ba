-- The outbox's index: one small row per API write, written by the same insert as the write (a
-- materialized view), so the relay and the sweeper find recent API writes without scanning the log.
-- A crash between the write and this row (the view's insert) leaves the write without its index row:
-- `recover_outbox` (the relay's first pass after a start) puts such rows back from the log.
CREATE TABLE IF NOT EXISTS api_write_outbox
(
    tenant_id        String,
    session_id       String,
    slot             String,
    write_id         String,
    committed_at     DateTime64(6, 'UTC'),
    has_readings     Bool,
    analysis_pending Bool
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMMDD(committed_at)
ORDER BY (tenant_id, session_id, slot)
TTL toDateTime(committed_at) + INTERVAL 30 DAY;

CREATE MATERIALIZED VIEW IF NOT EXISTS api_write_outbox_mv TO api_write_outbox AS
SELECT tenant_id, session_id, slot, write_id, committed_at, notEmpty(readings.timestamp) AS has_readings,
       analysis_pending
FROM session_writes
WHERE startsWith(slot, 'api:');

INSERT INTO api_write_outbox
SELECT tenant_id, session_id, slot, write_id, committed_at, notEmpty(readings.timestamp), analysis_pending
FROM session_writes FINAL
WHERE startsWith(slot, 'api:') AND committed_at >= now64(6) - INTERVAL 30 DAY;
