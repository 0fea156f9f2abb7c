-- @description The people of one account and their activity in [from, to): events of activity_types, active days, first and last activity, their product user id, and the three events they do most. Most recently active first; at most `limit` rows.
-- @param account_key String = ""
-- @param activity_types Array(String) = ["track", "page", "screen"]
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param limit UInt32 = 100
SELECT
    resolved_person_id AS person_id,
    anyIf(user_id, user_id != '') AS user_id,
    count() AS events,
    uniqExact(toDate(event_time)) AS active_days,
    min(event_time) AS first_active,
    max(event_time) AS last_active,
    arrayStringConcat(topK(3)(name), ', ') AS top_events
FROM {db}.journey_events_resolved
WHERE account_id = {account_key:String} AND resolved_person_id != '' AND has({activity_types:Array(String)}, type)
  AND event_time >= {from:DateTime64(3)} AND event_time < {to:DateTime64(3)}
GROUP BY person_id
ORDER BY last_active DESC, person_id
LIMIT {limit:UInt32}
