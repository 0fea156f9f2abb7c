-- @description Highest-impact drop-offs: per stage (all but the last of `stages`), entered / dropped (entered, not yet converted to the next stage), the ARR of the dropped accounts (mrr_cents * 12 / 100), the average ARR of the accounts that converted (downstream value per account) and estimated_lift_arr = drop_off_rate * (entered * downstream ARR per account) * fix_probability. Ranked by volume (dropped) and by dropped ARR; rows ordered by estimated lift. Range: accounts that entered the stage in [from, to); the downstream ARR per account is over every account that reached the next stage.
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param stages Array(String) = ["acquisition", "activation", "engagement", "expansion"]
-- @param fix_probability Float64 = 0.2
-- @param cut String = "all"
SELECT
    stage,
    cut_value,
    entered,
    dropped,
    drop_off_rate,
    dropped_arr,
    downstream_arr_per_account,
    estimated_lift_arr,
    rank() OVER (PARTITION BY cut_value ORDER BY dropped DESC) AS rank_by_volume,
    rank() OVER (PARTITION BY cut_value ORDER BY dropped_arr DESC) AS rank_by_arr
FROM
(
    SELECT
        {stages:Array(String)}[stage_index] AS stage,
        cut_value,
        countIf(mapContains(stage_entries, stage) AND stage_entries[stage] >= {from:DateTime64(3)} AND stage_entries[stage] < {to:DateTime64(3)}) AS entered,
        countIf(mapContains(stage_entries, stage) AND stage_entries[stage] >= {from:DateTime64(3)} AND stage_entries[stage] < {to:DateTime64(3)} AND NOT mapContains(stage_entries, next_stage)) AS dropped,
        round(dropped / entered, 4) AS drop_off_rate,
        round(sumIf(mrr_cents, mapContains(stage_entries, stage) AND stage_entries[stage] >= {from:DateTime64(3)} AND stage_entries[stage] < {to:DateTime64(3)} AND NOT mapContains(stage_entries, next_stage)) * 12 / 100, 2) AS dropped_arr,
        round(avgIf(mrr_cents * 12 / 100, mapContains(stage_entries, next_stage)), 2) AS downstream_arr_per_account,
        round(dropped / entered * entered * downstream_arr_per_account * {fix_probability:Float64}, 2) AS estimated_lift_arr
    FROM
    (
        SELECT
            stage_entries,
            mrr_cents,
            multiIf({cut:String} = 'segment', segment, {cut:String} = 'plan', plan,
                    {cut:String} = 'channel', first_touch_channel, {cut:String} = 'cohort', toString(cohort_week), 'all') AS cut_value
        FROM {db}.account_state_latest
        WHERE kind = 'account'
    )
    ARRAY JOIN arrayEnumerate(arrayPopBack({stages:Array(String)})) AS stage_index
    GROUP BY stage_index, cut_value, {stages:Array(String)}[stage_index + 1] AS next_stage
    HAVING entered > 0
)
ORDER BY cut_value, estimated_lift_arr DESC, stage
