-- @description Net revenue retention by cohort: accounts paying at `start` (MRR from the latest billing event carrying mrr_cents at or before the instant), grouped by the month they first paid; NRR = their MRR at `end` / their MRR at `start` (expansion, contraction and churn included; new accounts excluded).
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
        toStartOfMonth(minIf(event_time, mrr_cents > 0)) AS cohort_month,
        argMaxIf(assumeNotNull(mrr_cents), event_time, event_time <= {start:DateTime64(3)}) AS start_mrr,
        argMaxIf(assumeNotNull(mrr_cents), event_time, event_time <= {end:DateTime64(3)}) AS end_mrr
    FROM {db}.journey_events_resolved
    WHERE account_id != '' AND mrr_cents IS NOT NULL
    GROUP BY account_id
    HAVING start_mrr > 0
) AS m
LEFT JOIN {db}.account_state_latest AS d ON d.account_key = m.account_id
GROUP BY cohort_month,
    multiIf({cut:String} = 'segment', d.segment, {cut:String} = 'plan', d.plan,
            {cut:String} = 'channel', d.first_touch_channel, {cut:String} = 'cohort', toString(d.cohort_week), 'all') AS cut_value
ORDER BY cohort_month, cut_value
