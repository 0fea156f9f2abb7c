-- @description Time to first value: hours from sign-up (first signup_event) to the first value_event at or after it. Cohort = sign-up week. reached_value counts entities that got there. Range: entities that signed up in [from, to).
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param signup_event String = "Signed Up"
-- @param value_event String = "Created Report"
-- @param entity String = "account"
-- @param cut String = "all"
SELECT
    cut_value,
    count() AS signed_up,
    countIf(reached) AS reached_value,
    round(avgIf(hours, reached), 2) AS avg_hours,
    round(quantileExactIf(0.5)(hours, reached), 2) AS p50_hours
FROM
(
    SELECT
        e.value_at >= e.signup_at AS reached,
        dateDiff('millisecond', e.signup_at, e.value_at) / 3600000 AS hours,
        multiIf({cut:String} = 'segment', d.segment, {cut:String} = 'plan', d.plan,
                {cut:String} = 'channel', d.first_touch_channel, {cut:String} = 'cohort', toString(toMonday(e.signup_at)), 'all') AS cut_value
    FROM
    (
        SELECT
            entity_id,
            account_key,
            signup_at,
            arrayFirst(t -> t >= signup_at, value_times) AS value_at
        FROM
        (
            SELECT
                if({entity:String} = 'person', resolved_person_id, account_id) AS entity_id,
                anyIf(account_id, account_id != '') AS account_key,
                countIf(name = {signup_event:String}) AS signups,
                minIf(event_time, name = {signup_event:String}) AS signup_at,
                arraySort(groupArrayIf(event_time, name = {value_event:String})) AS value_times
            FROM {db}.journey_events_resolved
            WHERE entity_id != ''
            GROUP BY entity_id
            HAVING signups > 0 AND signup_at >= {from:DateTime64(3)} AND signup_at < {to:DateTime64(3)}
        )
    ) AS e
    LEFT JOIN {db}.account_state_latest AS d ON d.account_key = e.account_key
)
GROUP BY cut_value
ORDER BY cut_value
