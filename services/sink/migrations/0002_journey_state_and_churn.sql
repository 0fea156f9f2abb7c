-- stage_transitions: every stage change with the journey-map version; id is deterministic, so a
-- replayed transition collapses. ORDER BY serves funnel and time-in-stage queries.
CREATE TABLE IF NOT EXISTS {db}.stage_transitions {on_cluster}
(
    id String,
    account_key String,
    from_stage LowCardinality(String),
    to_stage LowCardinality(String),
    at DateTime64(3, 'UTC'),
    reason LowCardinality(String),
    map_version UInt32,
    segment LowCardinality(String),
    plan LowCardinality(String),
    channel LowCardinality(String),
    cohort_week Date
)
ENGINE = {engine:ReplacingMergeTree}
PARTITION BY toYYYYMM(at)
ORDER BY (to_stage, at, account_key, id)
SETTINGS non_replicated_deduplication_window = 10000;

-- journey_signals: stalls, activations and onboarding funnel steps (effects of the reducer).
CREATE TABLE IF NOT EXISTS {db}.journey_signals {on_cluster}
(
    id String,
    kind LowCardinality(String),
    account_key String,
    stage LowCardinality(String),
    step LowCardinality(String),
    step_index UInt8,
    at DateTime64(3, 'UTC'),
    map_version UInt32
)
ENGINE = {engine:ReplacingMergeTree}
PARTITION BY toYYYYMM(at)
ORDER BY (kind, at, account_key, id)
SETTINGS non_replicated_deduplication_window = 10000;

-- account_state: a versioned snapshot per account (latest version wins; query with FINAL or argMax).
CREATE TABLE IF NOT EXISTS {db}.account_state {on_cluster}
(
    account_key String,
    kind LowCardinality(String),
    version UInt64,
    stage LowCardinality(String),
    stage_entered_at DateTime64(3, 'UTC'),
    stalled UInt8,
    segment LowCardinality(String),
    plan LowCardinality(String),
    seats Nullable(Int32),
    active_seats UInt32,
    mrr_cents Int64,
    first_touch_channel LowCardinality(String),
    first_touch_source String,
    last_touch_channel LowCardinality(String),
    first_seen_at DateTime64(3, 'UTC'),
    signup_at Nullable(DateTime64(3, 'UTC')),
    activated_at Nullable(DateTime64(3, 'UTC')),
    last_activity_at DateTime64(3, 'UTC'),
    churned_at Nullable(DateTime64(3, 'UTC')),
    cancel_reason String,
    cohort_week Date,
    features Array(LowCardinality(String)),
    experiments Map(String, String),
    funnel_steps Map(String, DateTime64(3, 'UTC')),
    stage_entries Map(String, DateTime64(3, 'UTC')),
    nps Nullable(Float64),
    csat Nullable(Float64),
    tickets_30d UInt32,
    churn_score Float64,
    churn_band LowCardinality(String),
    map_version UInt32
)
ENGINE = {engine:ReplacingMergeTree(version)}
ORDER BY account_key
SETTINGS non_replicated_deduplication_window = 10000;

-- churn_scores: score history with its reasons (JSON array of {factor, contribution, text}) and
-- the ChurnSignals it was computed from (JSON), which `journey churn fit` trains on.
CREATE TABLE IF NOT EXISTS {db}.churn_scores {on_cluster}
(
    account_key String,
    scored_at DateTime64(3, 'UTC'),
    score Float64,
    band LowCardinality(String),
    mrr_cents Int64,
    reasons String,
    signals String
)
ENGINE = {engine:ReplacingMergeTree}
PARTITION BY toYYYYMM(scored_at)
ORDER BY (account_key, scored_at)
TTL toDateTime(scored_at) + INTERVAL {retention_days} DAY
SETTINGS non_replicated_deduplication_window = 10000;

-- churn_alerts: one row per threshold crossing (hysteresis and cool-down applied upstream).
CREATE TABLE IF NOT EXISTS {db}.churn_alerts {on_cluster}
(
    alert_id String,
    account_key String,
    at DateTime64(3, 'UTC'),
    band LowCardinality(String),
    previous_band LowCardinality(String),
    score Float64,
    mrr_cents Int64,
    reasons String,
    first_warning_at DateTime64(3, 'UTC')
)
ENGINE = {engine:ReplacingMergeTree}
PARTITION BY toYYYYMM(at)
ORDER BY (account_key, at, alert_id)
SETTINGS non_replicated_deduplication_window = 10000;

-- churn_outcomes: actual churns with time from the first warning and the reason in the customer's words.
CREATE TABLE IF NOT EXISTS {db}.churn_outcomes {on_cluster}
(
    account_key String,
    churned_at DateTime64(3, 'UTC'),
    first_warning_at Nullable(DateTime64(3, 'UTC')),
    hours_from_first_warning Nullable(Float64),
    reason String,
    mrr_cents Int64
)
ENGINE = {engine:ReplacingMergeTree}
ORDER BY (account_key, churned_at)
SETTINGS non_replicated_deduplication_window = 10000;
