-- @description Time in stage per stage from stage_transitions: every completed stint (from the transition into a stage, or the account's first_seen_at for its first stage, to the transition out of it), in hours. Re-entries count as separate stints. Range: stints that ended in [from, to).
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param cut String = "all"
SELECT
    stage,
    cut_value,
    count() AS stints,
    uniqExact(account_key) AS accounts,
    round(avg(hours), 2) AS avg_hours,
    round(quantileExact(0.5)(hours), 2) AS p50_hours
FROM
(
    SELECT
        t.account_key AS account_key,
        t.from_stage AS stage,
        dateDiff('millisecond', if(t.stint_start IS NULL, d.first_seen_at, assumeNotNull(t.stint_start)), t.at) / 3600000 AS hours,
        multiIf({cut:String} = 'segment', d.segment, {cut:String} = 'plan', d.plan,
                {cut:String} = 'channel', d.first_touch_channel, {cut:String} = 'cohort', toString(d.cohort_week), 'all') AS cut_value
    FROM
    (
        SELECT
            account_key,
            from_stage,
            at,
            lagInFrame(toNullable(at)) OVER (PARTITION BY account_key ORDER BY at, id
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS stint_start
        FROM {db}.stage_transitions FINAL
    ) AS t
    LEFT JOIN {db}.account_state_latest AS d ON d.account_key = t.account_key
    WHERE t.at >= {from:DateTime64(3)} AND t.at < {to:DateTime64(3)}
)
GROUP BY stage, cut_value
ORDER BY cut_value, stage
