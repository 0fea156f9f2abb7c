-- @description MRR movements per month of event time: new, expansion, contraction, churn and reactivation MRR (sums of mrr_delta_cents by mrr_change_kind, each event once) and the net change.
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param cut String = "all"
SELECT
    toStartOfMonth(e.event_time) AS month,
    multiIf({cut:String} = 'segment', d.segment, {cut:String} = 'plan', d.plan,
            {cut:String} = 'channel', d.first_touch_channel, {cut:String} = 'cohort', toString(d.cohort_week), 'all') AS cut_value,
    sumIf(assumeNotNull(e.mrr_delta_cents), e.mrr_change_kind = 'new') AS new_mrr_cents,
    sumIf(assumeNotNull(e.mrr_delta_cents), e.mrr_change_kind = 'expansion') AS expansion_mrr_cents,
    sumIf(assumeNotNull(e.mrr_delta_cents), e.mrr_change_kind = 'contraction') AS contraction_mrr_cents,
    sumIf(assumeNotNull(e.mrr_delta_cents), e.mrr_change_kind = 'churn') AS churned_mrr_cents,
    sumIf(assumeNotNull(e.mrr_delta_cents), e.mrr_change_kind = 'reactivation') AS reactivation_mrr_cents,
    sum(assumeNotNull(e.mrr_delta_cents)) AS net_mrr_change_cents,
    uniqExactIf(e.account_id, e.mrr_change_kind = 'expansion') AS expanding_accounts
FROM (SELECT * FROM {db}.journey_events_resolved WHERE mrr_delta_cents IS NOT NULL LIMIT 1 BY event_id) AS e
LEFT JOIN {db}.account_state_latest AS d ON d.account_key = e.account_id
WHERE e.mrr_delta_cents IS NOT NULL AND e.account_id != ''
  AND e.event_time >= {from:DateTime64(3)} AND e.event_time < {to:DateTime64(3)}
GROUP BY month, cut_value
ORDER BY month, cut_value
