-- @description Stalled accounts per current stage (no progress within the stage's stall_days), with their share of the stage and their MRR. Range: accounts whose current stint in their stage began in [from, to) (stage_entered_at: a re-entry counts from the re-entry).
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param cut String = "all"
SELECT
    stage,
    multiIf({cut:String} = 'segment', segment, {cut:String} = 'plan', plan,
            {cut:String} = 'channel', first_touch_channel, {cut:String} = 'cohort', toString(cohort_week), 'all') AS cut_value,
    count() AS accounts_in_stage,
    countIf(stalled = 1) AS stalled_accounts,
    round(stalled_accounts / accounts_in_stage, 4) AS stalled_share,
    sumIf(mrr_cents, stalled = 1) AS stalled_mrr_cents
FROM {db}.account_state_latest
WHERE kind = 'account' AND stage_entered_at >= {from:DateTime64(3)} AND stage_entered_at < {to:DateTime64(3)}
GROUP BY stage, cut_value
ORDER BY cut_value, stage
