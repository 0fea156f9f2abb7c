-- @description The accounts behind a drop-off: those that entered `stage` in [from, to) and have not reached the stage after it in `stages`, with their current stage, MRR, stalled flag and when they entered, the most valuable first. Opened from a row of highest_impact_dropoffs. A stage not in `stages`, or the last one, has no drop-off: no rows.
-- @param stage String = "activation"
-- @param stages Array(String) = ["acquisition", "activation", "engagement", "expansion"]
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param limit UInt32 = 200
-- @param cut String = "all"
SELECT
    account_key,
    multiIf({cut:String} = 'segment', segment, {cut:String} = 'plan', plan,
            {cut:String} = 'channel', first_touch_channel, {cut:String} = 'cohort', toString(cohort_week), 'all') AS cut_value,
    stage_entries[{stage:String}] AS entered_at,
    stage AS current_stage,
    stalled,
    mrr_cents,
    segment,
    plan
FROM {db}.account_state_latest
WHERE kind = 'account' AND deleted = 0
  AND has(arrayPopBack({stages:Array(String)}), {stage:String})
  AND mapContains(stage_entries, {stage:String}) AND NOT mapContains(stage_entries, {stages:Array(String)}[indexOf({stages:Array(String)}, {stage:String}) + 1])
  AND stage_entries[{stage:String}] >= {from:DateTime64(3)} AND stage_entries[{stage:String}] < {to:DateTime64(3)}
ORDER BY mrr_cents DESC, entered_at, account_key
LIMIT {limit:UInt32}
