-- @description Time from first touch (the entity's earliest event) to qualified (the first of the qualifying events, e.g. sign-up or demo request), in hours. Cohort = week of the first touch. p50 is quantileExact(0.5) (the upper median for an even count). Range: entities first touched in [from, to).
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param qualified_events Array(String) = ["Signed Up", "Demo Requested"]
-- @param entity String = "account"
-- @param cut String = "all"
SELECT
    cut_value,
    count() AS qualified,
    round(avg(hours), 2) AS avg_hours,
    round(quantileExact(0.5)(hours), 2) AS p50_hours
FROM
(
    SELECT
        dateDiff('millisecond', e.first_touch_at, e.qualified_at) / 3600000 AS hours,
        multiIf({cut:String} = 'segment', d.segment, {cut:String} = 'plan', d.plan,
                {cut:String} = 'channel', d.first_touch_channel, {cut:String} = 'cohort', toString(toMonday(e.first_touch_at)), 'all') AS cut_value
    FROM
    (
        SELECT
            if({entity:String} = 'person', resolved_person_id, account_id) AS entity_id,
            anyIf(account_id, account_id != '') AS account_key,
            min(event_time) AS first_touch_at,
            minIf(event_time, has({qualified_events:Array(String)}, name)) AS qualified_at,
            countIf(has({qualified_events:Array(String)}, name)) AS qualifying
        FROM {db}.journey_events_resolved
        WHERE entity_id != ''
        GROUP BY entity_id
        HAVING qualifying > 0 AND first_touch_at >= {from:DateTime64(3)} AND first_touch_at < {to:DateTime64(3)}
    ) AS e
    LEFT JOIN {db}.account_state_latest AS d ON d.account_key = e.account_key
)
GROUP BY cut_value
ORDER BY cut_value
