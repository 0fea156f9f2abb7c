-- @description Activation rate by sign-up cohort (week of the first signup_event). An entity activates on the first day it has done activation_event on `times` distinct days inside a window of `window_days` days (last day - first day < window_days); activated_7d / activated_14d: the activation day is at most 7 / 14 days after the sign-up day; activated_ever: at any time. Range: cohorts that signed up in [from, to).
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param signup_event String = "Signed Up"
-- @param activation_event String = "Logged In"
-- @param times UInt32 = 3
-- @param window_days UInt32 = 7
-- @param entity String = "account"
-- @param cut String = "all"
SELECT
    cohort_week,
    cut_value,
    count() AS signed_up,
    countIf(activated AND days_to_activate <= 7) AS activated_7d,
    countIf(activated AND days_to_activate <= 14) AS activated_14d,
    countIf(activated) AS activated_ever,
    round(activated_7d / signed_up, 4) AS rate_7d,
    round(activated_14d / signed_up, 4) AS rate_14d
FROM
(
    SELECT
        toMonday(e.signup_at) AS cohort_week,
        e.activation_day != toDate(0) AS activated,
        dateDiff('day', toDate(e.signup_at), e.activation_day) AS days_to_activate,
        multiIf({cut:String} = 'segment', d.segment, {cut:String} = 'plan', d.plan,
                {cut:String} = 'channel', d.first_touch_channel, {cut:String} = 'cohort', toString(cohort_week), 'all') AS cut_value
    FROM
    (
        SELECT
            entity_id,
            account_key,
            signup_at,
            arrayFirst((day, i) -> i >= {times:UInt32} AND dateDiff('day', days[i - {times:UInt32} + 1], day) < {window_days:UInt32},
                       days, arrayEnumerate(days)) AS activation_day
        FROM
        (
            SELECT
                if({entity:String} = 'person', resolved_person_id, account_id) AS entity_id,
                anyIf(account_id, account_id != '') AS account_key,
                countIf(name = {signup_event:String}) AS signups,
                minIf(event_time, name = {signup_event:String}) AS signup_at,
                arraySort(groupUniqArrayIf(toDate(event_time), name = {activation_event:String})) AS days
            FROM {db}.journey_events_resolved
            WHERE entity_id != ''
            GROUP BY entity_id
            HAVING signups > 0 AND signup_at >= {from:DateTime64(3)} AND signup_at < {to:DateTime64(3)}
        )
    ) AS e
    LEFT JOIN {db}.account_state_latest AS d ON d.account_key = e.account_key
)
GROUP BY cohort_week, cut_value
ORDER BY cohort_week, cut_value
