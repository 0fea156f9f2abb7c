-- @description Stage transitions (from -> to) with their counts and distinct accounts in [from, to), by journey-map version.
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param cut String = "all"
SELECT
    from_stage,
    to_stage,
    map_version,
    multiIf({cut:String} = 'segment', segment, {cut:String} = 'plan', plan,
            {cut:String} = 'channel', channel, {cut:String} = 'cohort', toString(cohort_week), 'all') AS cut_value,
    count() AS transitions,
    uniqExact(account_key) AS accounts
FROM {db}.stage_transitions FINAL
WHERE at >= {from:DateTime64(3)} AND at < {to:DateTime64(3)}
GROUP BY from_stage, to_stage, map_version, cut_value
ORDER BY cut_value, from_stage, to_stage, map_version
