-- @description Feature adoption per segment (or other cut): of the accounts active in [from, to) (any event of activity_types), the share that used each feature (feature_event with properties.feature) in that period.
-- @param feature_event String = "Feature Used"
-- @param activity_types Array(String) = ["track", "page", "screen"]
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param cut String = "segment"
SELECT
    cut_value,
    feature,
    uniqExact(account_id) AS adopters,
    any(active_accounts) AS active_accounts,
    round(adopters / active_accounts, 4) AS adoption_rate
FROM
(
    SELECT
        a.account_id AS account_id,
        a.cut_value AS cut_value,
        count() OVER (PARTITION BY a.cut_value) AS active_accounts,
        a.features AS features
    FROM
    (
        SELECT
            e.account_id AS account_id,
            multiIf({cut:String} = 'segment', any(d.segment), {cut:String} = 'plan', any(d.plan),
                    {cut:String} = 'channel', any(d.first_touch_channel), {cut:String} = 'cohort', toString(any(d.cohort_week)), 'all') AS cut_value,
            groupUniqArrayIf(JSONExtractString(e.properties, 'feature'),
                             e.name = {feature_event:String} AND JSONExtractString(e.properties, 'feature') != '') AS features
        FROM {db}.journey_events_resolved AS e
        LEFT JOIN {db}.account_state_latest AS d ON d.account_key = e.account_id
        WHERE e.account_id != '' AND has({activity_types:Array(String)}, e.type)
          AND e.event_time >= {from:DateTime64(3)} AND e.event_time < {to:DateTime64(3)}
        GROUP BY e.account_id
    ) AS a
)
ARRAY JOIN features AS feature
GROUP BY cut_value, feature
ORDER BY cut_value, feature
