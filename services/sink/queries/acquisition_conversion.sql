-- @description Channel-attributed conversion, first and last touch. Entities (accounts, or persons) with at least one channel touch whose first touch falls in [from, to); first touch = channel of the earliest touch, last touch = channel of the latest touch at or before the conversion (or the latest touch, if not converted). Cohort = week of the first touch.
-- @param conversion_event String = "Signed Up"
-- @param entity String = "account"
-- @param cut String = "all"
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
SELECT
    touch.1 AS model,
    touch.2 AS channel,
    cut_value,
    count() AS entities,
    countIf(converted) AS conversions,
    round(conversions / entities, 4) AS conversion_rate
FROM
(
    SELECT
        e.*,
        multiIf({cut:String} = 'segment', d.segment, {cut:String} = 'plan', d.plan,
                {cut:String} = 'channel', e.first_touch, {cut:String} = 'cohort', toString(toMonday(e.first_touch_at)), 'all') AS cut_value
    FROM
    (
        SELECT
            entity_id,
            account_key,
            converted,
            touches[1].1 AS first_touch_at,
            touches[1].2 AS first_touch,
            if(converted, arrayLast(t -> t.1 <= converted_at, touches).2, touches[-1].2) AS last_touch
        FROM
        (
            SELECT
                if({entity:String} = 'person', resolved_person_id, account_id) AS entity_id,
                anyIf(account_id, account_id != '') AS account_key,
                countIf(name = {conversion_event:String}) > 0 AS converted,
                minIf(event_time, name = {conversion_event:String}) AS converted_at,
                arraySort(t -> t.1, groupArrayIf((event_time, channel), channel != '')) AS touches
            FROM {db}.journey_events_resolved
            WHERE entity_id != ''
            GROUP BY entity_id
            HAVING length(touches) > 0
        )
        WHERE first_touch_at >= {from:DateTime64(3)} AND first_touch_at < {to:DateTime64(3)}
    ) AS e
    LEFT JOIN {db}.account_state_latest AS d ON d.account_key = e.account_key
)
ARRAY JOIN [('first_touch', first_touch), ('last_touch', last_touch)] AS touch
GROUP BY model, channel, cut_value
ORDER BY model, cut_value, channel
