-- journey_events: every resolved event exactly once. ReplacingMergeTree on the full sort key, whose
-- last column is the deterministic event_id, so a redelivery that slipped past the insert dedup
-- token collapses at merge time (queries that must be exact use FINAL or uniqExact(event_id)).
-- ORDER BY serves the dashboards: event name, then day, then account.
CREATE TABLE IF NOT EXISTS {db}.journey_events {on_cluster}
(
    event_id String,
    source LowCardinality(String),
    type LowCardinality(String),
    name LowCardinality(String),
    event_time DateTime64(3, 'UTC'),
    received_time DateTime64(3, 'UTC'),
    person_id String,
    account_id String,
    anonymous_id String,
    user_id String,
    email_hash String,
    channel LowCardinality(String),
    utm_source LowCardinality(String),
    utm_medium LowCardinality(String),
    utm_campaign String,
    plan LowCardinality(String),
    seats Nullable(Int32),
    amount_cents Nullable(Int64),
    currency LowCardinality(String),
    mrr_cents Nullable(Int64),
    mrr_delta_cents Nullable(Int64),
    mrr_change_kind LowCardinality(String),
    cancel_reason String,
    score_kind LowCardinality(String),
    score Nullable(Float64),
    comment String,
    survey_stage LowCardinality(String),
    ticket_id String,
    ticket_priority LowCardinality(String),
    ticket_status LowCardinality(String),
    ticket_category LowCardinality(String),
    experiment_id LowCardinality(String),
    experiment_variant LowCardinality(String),
    properties String,
    inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = {engine:ReplacingMergeTree}
PARTITION BY toYYYYMM(event_time)
ORDER BY (name, toDate(event_time), account_id, event_id)
TTL toDateTime(event_time) + INTERVAL {retention_days} DAY
SETTINGS non_replicated_deduplication_window = 10000;

-- identity_map: identifier key -> person (latest version wins).
CREATE TABLE IF NOT EXISTS {db}.identity_map {on_cluster}
(
    identifier_key String,
    person_id String,
    version UInt64,
    is_deleted UInt8
)
ENGINE = {engine:ReplacingMergeTree(version, is_deleted)}
ORDER BY identifier_key
SETTINGS non_replicated_deduplication_window = 10000;

-- person_overrides: events stored under old_person_id belong to person_id (always the current
-- survivor, so no chains). Queries join it to re-attribute past events without rewriting them.
CREATE TABLE IF NOT EXISTS {db}.person_overrides {on_cluster}
(
    old_person_id String,
    person_id String,
    version UInt64,
    is_deleted UInt8
)
ENGINE = {engine:ReplacingMergeTree(version, is_deleted)}
ORDER BY old_person_id
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS {db}.accounts {on_cluster}
(
    account_id String,
    account_key String
)
ENGINE = {engine:ReplacingMergeTree}
ORDER BY account_id
SETTINGS non_replicated_deduplication_window = 10000;

-- identity_changes: merges, refused merges and links, splits, deletions (history, for audits).
CREATE TABLE IF NOT EXISTS {db}.identity_changes {on_cluster}
(
    kind LowCardinality(String),
    reason LowCardinality(String),
    person_id String,
    other_person_id String,
    event_id String,
    at DateTime64(3, 'UTC')
)
ENGINE = {engine:ReplacingMergeTree}
PARTITION BY toYYYYMM(at)
ORDER BY (kind, at, event_id, person_id, other_person_id)
SETTINGS non_replicated_deduplication_window = 10000;

-- dlq_events: one row per dead letter (the bytes stay in the DLQ topic).
CREATE TABLE IF NOT EXISTS {db}.dlq_events {on_cluster}
(
    reason LowCardinality(String),
    step LowCardinality(String),
    detail String,
    source_topic LowCardinality(String),
    source_partition UInt32,
    source_offset UInt64,
    schema_id Nullable(UInt32),
    message_key String,
    message_bytes UInt32,
    dead_lettered_at DateTime64(3, 'UTC')
)
ENGINE = {engine:ReplacingMergeTree}
PARTITION BY toYYYYMM(dead_lettered_at)
ORDER BY (source_topic, source_partition, source_offset)
TTL toDateTime(dead_lettered_at) + INTERVAL {retention_days} DAY
SETTINGS non_replicated_deduplication_window = 10000;

-- journey_events_resolved: events re-attributed through person_overrides (late identity links).
CREATE VIEW IF NOT EXISTS {db}.journey_events_resolved {on_cluster} AS
SELECT e.*, if(o.person_id != '', o.person_id, e.person_id) AS resolved_person_id
FROM {db}.journey_events AS e
LEFT JOIN (SELECT old_person_id, argMax(person_id, version) AS person_id FROM {db}.person_overrides GROUP BY old_person_id) AS o
    ON o.old_person_id = e.person_id;
