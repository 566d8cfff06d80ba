-- Members are recorded on their first verified token (and again when their role changes). Open
-- signup finds a user's tenant by user_id alone, hence the skip index.
CREATE TABLE IF NOT EXISTS members
(
    tenant_id String,
    user_id   String,
    email     String,
    role      LowCardinality(String),
    joined_at DateTime64(3, 'UTC'),
    version   UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant_id, user_id);

ALTER TABLE members ADD INDEX IF NOT EXISTS user_id_idx user_id TYPE bloom_filter(0.001) GRANULARITY 1;

-- Removals apart from members: no later write of a member row (a role change racing the removal)
-- can bring a removed member back, and their tokens stay refused.
CREATE TABLE IF NOT EXISTS member_removals
(
    tenant_id  String,
    user_id    String,
    removed_at DateTime64(3, 'UTC'),
    removed_by String
)
ENGINE = ReplacingMergeTree
ORDER BY (tenant_id, user_id);

-- One organization per tenant; PUT replaces it whole (cleared fields are NULL).
CREATE TABLE IF NOT EXISTS organizations
(
    tenant_id       String,
    organization_id String,
    name            String,
    phone           Nullable(String),
    address         Nullable(String),
    tax_id_type     Nullable(String),
    tax_id_value    Nullable(String),
    created_at      DateTime64(3, 'UTC'),
    updated_at      Nullable(DateTime64(3, 'UTC')),
    version         UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY tenant_id;

-- Provisioned with a tenant's first organization: the account invoices go to, and a trial.
CREATE TABLE IF NOT EXISTS billing_accounts
(
    tenant_id     String,
    account_id    String,
    billing_email String,
    created_at    DateTime64(3, 'UTC'),
    version       UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY tenant_id;

CREATE TABLE IF NOT EXISTS subscriptions
(
    tenant_id       String,
    subscription_id String,
    plan            LowCardinality(String),
    status          LowCardinality(String),
    started_at      DateTime64(3, 'UTC'),
    trial_ends_at   Nullable(DateTime64(3, 'UTC')),
    version         UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY tenant_id;
