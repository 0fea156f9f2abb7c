-- account_mrr_changes: the account's MRR over time when it bills through several subscriptions
-- (issue #16), computed from journey_events at query time, so late events land where they
-- belong. Each subscription (the billing event's properties.subscription_id; '' for events without
-- one) keeps its own series, the larger value winning at one instant as in the journey stage; a
-- row per account and instant at which any subscription's MRR changed: the account's MRR before
-- and after (the sum of every subscription's latest value), and the account-level kind: new (from
-- 0, never a customer before), reactivation (from 0, a customer before), churn (to 0), expansion,
-- contraction. "MRR of account X at D" = argMax(mrr_after_cents, at) over rows with at <= D.
CREATE VIEW IF NOT EXISTS {db}.account_mrr_changes {on_cluster} AS
SELECT
    account_id,
    at,
    mrr_before_cents,
    mrr_after_cents,
    multiIf(
        mrr_before_cents = 0 AND mrr_after_cents > 0, if(was_customer = 1, 'reactivation', 'new'),
        mrr_before_cents > 0 AND mrr_after_cents = 0, 'churn',
        mrr_after_cents > mrr_before_cents, 'expansion',
        'contraction') AS kind
FROM
(
    SELECT
        account_id,
        at,
        mrr_after_cents - delta AS mrr_before_cents,
        mrr_after_cents,
        max(mrr_after_cents > 0) OVER (PARTITION BY account_id ORDER BY at
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS was_customer
    FROM
    (
        SELECT
            account_id,
            at,
            delta,
            sum(delta) OVER (PARTITION BY account_id ORDER BY at
                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS mrr_after_cents
        FROM
        (
            SELECT account_id, at, sum(subscription_delta) AS delta
            FROM
            (
                SELECT
                    account_id,
                    at,
                    mrr - lagInFrame(mrr, 1, toInt64(0)) OVER (PARTITION BY account_id, subscription_id ORDER BY at
                        ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS subscription_delta
                FROM
                (
                    SELECT
                        account_id,
                        JSONExtractString(properties, 'subscription_id') AS subscription_id,
                        event_time AS at,
                        max(assumeNotNull(mrr_cents)) AS mrr
                    FROM (SELECT * FROM {db}.journey_events WHERE mrr_cents IS NOT NULL AND account_id != '' LIMIT 1 BY event_id)
                    GROUP BY account_id, subscription_id, at
                )
            )
            GROUP BY account_id, at
        )
    )
)
WHERE mrr_before_cents != mrr_after_cents;
