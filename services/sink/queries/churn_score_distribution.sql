-- @description Distribution of the latest churn score per account in buckets of bucket_width points (bucket = floor(score / width) * width), with the MRR in each bucket. Range: each account's last score in [from, to) (the default range: its latest score).
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param bucket_width UInt32 = 10
-- @param cut String = "all"
SELECT
    cut_value,
    toUInt32(floor(s.score / {bucket_width:UInt32}) * {bucket_width:UInt32}) AS bucket_from,
    count() AS accounts,
    sum(s.mrr_cents) AS mrr_cents
FROM
(
    SELECT account_key, argMax(score, scored_at) AS score, argMax(mrr_cents, scored_at) AS mrr_cents
    FROM {db}.churn_scores
    WHERE scored_at >= {from:DateTime64(3)} AND scored_at < {to:DateTime64(3)}
    GROUP BY account_key
) AS s
LEFT JOIN {db}.account_state_latest AS d ON d.account_key = s.account_key
GROUP BY cut_value,
    multiIf({cut:String} = 'segment', d.segment, {cut:String} = 'plan', d.plan,
            {cut:String} = 'channel', d.first_touch_channel, {cut:String} = 'cohort', toString(d.cohort_week), 'all') AS cut_value,
    bucket_from
ORDER BY cut_value, bucket_from
