-- @description Stage conversion rates and time to convert, from the latest account snapshots: entered = accounts that reached the stage (stage_entries); converted = of those, accounts that reached the next stage of `stages`; hours from entering the stage to entering the next one (converted accounts). Range: accounts that entered the stage in [from, to).
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param stages Array(String) = ["acquisition", "activation", "engagement", "expansion"]
-- @param cut String = "all"
SELECT
    stage_index,
    {stages:Array(String)}[stage_index] AS stage,
    cut_value,
    countIf(mapContains(stage_entries, stage) AND stage_entries[stage] >= {from:DateTime64(3)} AND stage_entries[stage] < {to:DateTime64(3)}) AS entered,
    countIf(mapContains(stage_entries, stage) AND stage_entries[stage] >= {from:DateTime64(3)} AND stage_entries[stage] < {to:DateTime64(3)} AND mapContains(stage_entries, next_stage)) AS converted,
    round(converted / entered, 4) AS conversion_rate,
    round(avgIf(dateDiff('millisecond', stage_entries[stage], stage_entries[next_stage]) / 3600000,
                mapContains(stage_entries, stage) AND stage_entries[stage] >= {from:DateTime64(3)} AND stage_entries[stage] < {to:DateTime64(3)} AND mapContains(stage_entries, next_stage)), 2) AS avg_hours_to_convert
FROM
(
    SELECT
        stage_entries,
        multiIf({cut:String} = 'segment', segment, {cut:String} = 'plan', plan,
                {cut:String} = 'channel', first_touch_channel, {cut:String} = 'cohort', toString(cohort_week), 'all') AS cut_value
    FROM {db}.account_state_latest
    WHERE kind = 'account'
)
ARRAY JOIN arrayEnumerate(arrayPopBack({stages:Array(String)})) AS stage_index
GROUP BY stage_index, cut_value, {stages:Array(String)}[stage_index + 1] AS next_stage
HAVING entered > 0
ORDER BY cut_value, stage_index
