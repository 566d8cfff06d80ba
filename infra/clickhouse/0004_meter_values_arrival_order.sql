-- Arrival order of readings (position within the insert that brought them). Together with
-- ingested_at it lets the analysis see duplicates and out-of-order arrivals (DATA_GAP evidence).
ALTER TABLE meter_values ADD COLUMN IF NOT EXISTS seq UInt32 DEFAULT 0 AFTER source_key;
