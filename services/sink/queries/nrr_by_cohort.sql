-- @description Net revenue retention by cohort: accounts paying at `start`, grouped by the month they first paid; NRR = their MRR at `end` / their MRR at `start` (expansion, contraction and churn included; new accounts excluded). An account's MRR at an instant is the sum of its subscriptions' latest MRR at or before it (account_mrr_changes).
-- @param start DateTime64(3) = "2026-01-01 00:00:00.000"
-- @param end DateTime64(3) = "2026-04-01 00:00:00.000"
-- @param cut String = "all"
SELECT
    cohort_month,
    cut_value,
    count() AS accounts,
    sum(m.start_mrr) AS start_mrr_cents,
    sum(m.end_mrr) AS end_mrr_cents,
    round(end_mrr_cents / start_mrr_cents, 4) AS nrr
FROM
(
    SELECT
        account_id,
        toStartOfMonth(minIf(at, mrr_after_cents > 0)) AS cohort_month,
        argMaxIf(mrr_after_cents, at, at <= {start:DateTime64(3)}) AS start_mrr,
        argMaxIf(mrr_after_cents, at, at <= {end:DateTime64(3)}) AS end_mrr
    FROM {db}.account_mrr_changes
    GROUP BY account_id
    HAVING start_mrr > 0
) AS m
LEFT JOIN {db}.account_state_latest AS d ON d.account_key = m.account_id
GROUP BY cohort_month,
    multiIf({cut:String} = 'segment', d.segment, {cut:String} = 'plan', d.plan,
            {cut:String} = 'channel', d.first_touch_channel, {cut:String} = 'cohort', toString(d.cohort_week), 'all') AS cut_value
ORDER BY cohort_month, cut_value
