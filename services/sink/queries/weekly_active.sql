-- @description Weekly active users (distinct resolved persons) and weekly active accounts, per ISO week (Monday) of event time, counting events whose type is in activity_types. Cohort = the account's cohort week.
-- @param activity_types Array(String) = ["track", "page", "screen"]
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param cut String = "all"
SELECT
    toMonday(e.event_time) AS week,
    multiIf({cut:String} = 'segment', d.segment, {cut:String} = 'plan', d.plan,
            {cut:String} = 'channel', d.first_touch_channel, {cut:String} = 'cohort', toString(d.cohort_week), 'all') AS cut_value,
    uniqExact(e.resolved_person_id) AS active_users,
    uniqExactIf(e.account_id, e.account_id != '') AS active_accounts
FROM {db}.journey_events_resolved AS e
LEFT JOIN {db}.account_state_latest AS d ON d.account_key = e.account_id
WHERE has({activity_types:Array(String)}, e.type)
  AND e.event_time >= {from:DateTime64(3)} AND e.event_time < {to:DateTime64(3)}
GROUP BY week, cut_value
ORDER BY week, cut_value
