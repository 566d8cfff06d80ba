-- The contract's keys have a name (required on create, listed); older keys get an empty one.
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS name String DEFAULT '' AFTER key_prefix;
