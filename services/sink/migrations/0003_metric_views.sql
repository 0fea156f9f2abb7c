-- account_state_latest: the newest snapshot per account (ReplacingMergeTree(version) + FINAL).
-- Dashboards cut every metric by its segment, plan, first-touch channel and cohort week.
CREATE VIEW IF NOT EXISTS {db}.account_state_latest {on_cluster} AS
SELECT * FROM {db}.account_state FINAL;

-- churn_scores_latest: the newest score per account, from the churn_scores history.
CREATE VIEW IF NOT EXISTS {db}.churn_scores_latest {on_cluster} AS
SELECT
    h.account_key AS account_key,
    max(h.scored_at) AS scored_at,
    argMax(h.score, h.scored_at) AS score,
    argMax(h.band, h.scored_at) AS band,
    argMax(h.mrr_cents, h.scored_at) AS mrr_cents,
    argMax(h.reasons, h.scored_at) AS reasons
FROM {db}.churn_scores AS h
GROUP BY h.account_key;

-- identity_merges: merge history (survivor <- absorbed), a view over identity_changes.
CREATE VIEW IF NOT EXISTS {db}.identity_merges {on_cluster} AS
SELECT
    person_id AS survivor_person_id,
    other_person_id AS absorbed_person_id,
    reason,
    event_id,
    at
FROM {db}.identity_changes
WHERE kind = 'merge';

-- account_activity_daily: events and distinct persons per account and day, kept up to date by a
-- materialized view on every insert into journey_events. Inserts carry
-- deduplicate_blocks_in_dependent_materialized_views=1, so a redelivered batch is not counted twice.
CREATE TABLE IF NOT EXISTS {db}.account_activity_daily {on_cluster}
(
    day Date,
    account_id String,
    type LowCardinality(String),
    events SimpleAggregateFunction(sum, UInt64),
    persons AggregateFunction(uniqExact, String)
)
ENGINE = {engine:AggregatingMergeTree}
PARTITION BY toYYYYMM(day)
ORDER BY (day, account_id, type)
TTL day + INTERVAL {retention_days} DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.account_activity_daily_mv {on_cluster}
TO {db}.account_activity_daily AS
SELECT
    toDate(event_time) AS day,
    account_id,
    type,
    toUInt64(count()) AS events,
    uniqExactState(person_id) AS persons
FROM {db}.journey_events
WHERE account_id != ''
GROUP BY day, account_id, type;
