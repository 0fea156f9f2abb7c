-- @description MRR movements per month, by the account-level kind of each change (account_mrr_changes: an account's MRR is the sum of its subscriptions'): new, expansion, contraction, churned (to 0) and reactivation MRR, and the net change. Ending one subscription of several is a contraction, not a churn; a second subscription is an expansion.
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param cut String = "all"
SELECT
    toStartOfMonth(c.at) AS month,
    multiIf({cut:String} = 'segment', d.segment, {cut:String} = 'plan', d.plan,
            {cut:String} = 'channel', d.first_touch_channel, {cut:String} = 'cohort', toString(d.cohort_week), 'all') AS cut_value,
    sumIf(c.mrr_after_cents - c.mrr_before_cents, c.kind = 'new') AS new_mrr_cents,
    sumIf(c.mrr_after_cents - c.mrr_before_cents, c.kind = 'expansion') AS expansion_mrr_cents,
    sumIf(c.mrr_after_cents - c.mrr_before_cents, c.kind = 'contraction') AS contraction_mrr_cents,
    sumIf(c.mrr_after_cents - c.mrr_before_cents, c.kind = 'churn') AS churned_mrr_cents,
    sumIf(c.mrr_after_cents - c.mrr_before_cents, c.kind = 'reactivation') AS reactivation_mrr_cents,
    sum(c.mrr_after_cents - c.mrr_before_cents) AS net_mrr_change_cents,
    uniqExactIf(c.account_id, c.kind = 'expansion') AS expanding_accounts
FROM {db}.account_mrr_changes AS c
LEFT JOIN {db}.account_state_latest AS d ON d.account_key = c.account_id
WHERE c.at >= {from:DateTime64(3)} AND c.at < {to:DateTime64(3)}
GROUP BY month, cut_value
ORDER BY month, cut_value
