-- @description Daily active accounts (any event of activity_types) from the account_activity_daily aggregate, kept by a materialized view: cheap over long ranges. Distinct accounts are exact even if an event was stored twice; for users (re-attributed through identity merges) use weekly_active.
-- @param activity_types Array(String) = ["track", "page", "screen"]
-- @param from Date = "1970-01-01"
-- @param to Date = "2100-01-01"
-- @param cut String = "all"
SELECT
    a.day AS day,
    multiIf({cut:String} = 'segment', d.segment, {cut:String} = 'plan', d.plan,
            {cut:String} = 'channel', d.first_touch_channel, {cut:String} = 'cohort', toString(d.cohort_week), 'all') AS cut_value,
    uniqExact(a.account_id) AS active_accounts
FROM
(
    SELECT DISTINCT day, account_id
    FROM {db}.account_activity_daily
    WHERE has({activity_types:Array(String)}, type) AND day >= {from:Date} AND day < {to:Date}
) AS a
LEFT JOIN {db}.account_state_latest AS d ON d.account_key = a.account_id
GROUP BY day, cut_value
ORDER BY day, cut_value
