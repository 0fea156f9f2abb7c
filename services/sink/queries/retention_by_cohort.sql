-- @description Retention curves: entities grouped by sign-up week (first signup_event); retained in week n = active (an event of activity_types) in the n-th week after the sign-up week (week 0 = the sign-up week), n <= max_weeks. Range: entities that signed up in [from, to).
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param signup_event String = "Signed Up"
-- @param activity_types Array(String) = ["track", "page", "screen"]
-- @param max_weeks UInt32 = 12
-- @param entity String = "account"
-- @param cut String = "all"
SELECT
    cohort_week,
    cut_value,
    week_number,
    any(cohort_size) AS cohort_size,
    count() AS retained,
    round(retained / cohort_size, 4) AS retention_rate
FROM
(
    SELECT
        s.cohort_week AS cohort_week,
        s.cut_value AS cut_value,
        s.cohort_size AS cohort_size,
        intDiv(dateDiff('day', s.cohort_week, w.week), 7) AS week_number
    FROM
    (
        SELECT
            e.entity_id AS entity_id,
            toMonday(e.signup_at) AS cohort_week,
            multiIf({cut:String} = 'segment', d.segment, {cut:String} = 'plan', d.plan,
                    {cut:String} = 'channel', d.first_touch_channel, {cut:String} = 'cohort', toString(cohort_week), 'all') AS cut_value,
            count() OVER (PARTITION BY cohort_week, cut_value) AS cohort_size
        FROM
        (
            SELECT
                if({entity:String} = 'person', resolved_person_id, account_id) AS entity_id,
                anyIf(account_id, account_id != '') AS account_key,
                minIf(event_time, name = {signup_event:String}) AS signup_at
            FROM {db}.journey_events_resolved
            WHERE entity_id != ''
            GROUP BY entity_id
            HAVING countIf(name = {signup_event:String}) > 0 AND signup_at >= {from:DateTime64(3)} AND signup_at < {to:DateTime64(3)}
        ) AS e
        LEFT JOIN {db}.account_state_latest AS d ON d.account_key = e.account_key
    ) AS s
    INNER JOIN
    (
        SELECT DISTINCT if({entity:String} = 'person', resolved_person_id, account_id) AS entity_id, toMonday(event_time) AS week
        FROM {db}.journey_events_resolved
        WHERE has({activity_types:Array(String)}, type)
    ) AS w ON w.entity_id = s.entity_id
    WHERE w.week >= s.cohort_week AND week_number <= {max_weeks:UInt32}
)
GROUP BY cohort_week, cut_value, week_number
ORDER BY cohort_week, cut_value, week_number
