-- @description Cross-feature adoption: for each ordered pair of features (A, B), of the accounts that used A, the share that also used B (feature_event with properties.feature). Range: feature use in [from, to).
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param feature_event String = "Feature Used"
-- @param cut String = "all"
SELECT
    cut_value,
    feature_a,
    feature_b,
    count() AS accounts_both,
    any(users_a) AS accounts_a,
    round(accounts_both / accounts_a, 4) AS share_of_a_using_b
FROM
(
    SELECT
        cut_value,
        feature_a,
        count() OVER (PARTITION BY cut_value, feature_a) AS users_a,
        features
    FROM
    (
        SELECT
            e.account_id AS account_id,
            multiIf({cut:String} = 'segment', any(d.segment), {cut:String} = 'plan', any(d.plan),
                    {cut:String} = 'channel', any(d.first_touch_channel), {cut:String} = 'cohort', toString(any(d.cohort_week)), 'all') AS cut_value,
            groupUniqArray(JSONExtractString(e.properties, 'feature')) AS features
        FROM {db}.journey_events_resolved AS e
        LEFT JOIN {db}.account_state_latest AS d ON d.account_key = e.account_id
        WHERE e.account_id != '' AND e.name = {feature_event:String} AND e.event_time >= {from:DateTime64(3)} AND e.event_time < {to:DateTime64(3)}
           AND JSONExtractString(e.properties, 'feature') != ''
        GROUP BY e.account_id
    )
    ARRAY JOIN features AS feature_a
)
ARRAY JOIN features AS feature_b
WHERE feature_a != feature_b
GROUP BY cut_value, feature_a, feature_b
ORDER BY cut_value, feature_a, feature_b
