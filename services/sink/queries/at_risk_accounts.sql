-- @description Accounts at risk: each account's last churn score in [from, to) whose band is in `bands`, paying accounts first, then by score; with the change since its last score a week or more before that one (score_change_7d, from every score the account has, null when none), its MRR, the account's current stage and the score's reasons in words (the largest factors first). Accounts now in one of `exclude_stages` (lost already), erased or folded into another are left out. At most `limit` rows.
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param bands Array(String) = ["watch", "at_risk"]
-- @param exclude_stages Array(String) = ["churned"]
-- @param limit UInt32 = 100
-- @param cut String = "all"
SELECT
    s.account_key AS account_key,
    multiIf({cut:String} = 'segment', d.segment, {cut:String} = 'plan', d.plan,
            {cut:String} = 'channel', d.first_touch_channel, {cut:String} = 'cohort', toString(d.cohort_week), 'all') AS cut_value,
    round(s.last_score, 1) AS score,
    s.last_band AS band,
    if(s.scores_week_before > 0, round(s.last_score - s.score_week_before, 1), NULL) AS score_change_7d,
    s.last_mrr_cents AS mrr_cents,
    d.stage AS stage,
    s.last_scored_at AS scored_at,
    arrayStringConcat(arrayMap(r -> JSONExtractString(r, 'text'), JSONExtractArrayRaw(s.last_reasons)), '; ') AS reasons
FROM
(
    SELECT
        account_key,
        maxIf(scored_at, in_range) AS last_scored_at,
        argMaxIf(score, scored_at, in_range) AS last_score,
        argMaxIf(band, scored_at, in_range) AS last_band,
        argMaxIf(mrr_cents, scored_at, in_range) AS last_mrr_cents,
        argMaxIf(reasons, scored_at, in_range) AS last_reasons,
        argMaxIf(score, scored_at, scored_at <= last_in_range - INTERVAL 7 DAY) AS score_week_before,
        countIf(scored_at <= last_in_range - INTERVAL 7 DAY) AS scores_week_before
    FROM
    (
        SELECT account_key, scored_at, score, band, mrr_cents, reasons,
               scored_at >= {from:DateTime64(3)} AND scored_at < {to:DateTime64(3)} AS in_range,
               maxIf(scored_at, in_range) OVER (PARTITION BY account_key) AS last_in_range
        FROM {db}.churn_scores FINAL
        WHERE scored_at < {to:DateTime64(3)}
    )
    GROUP BY account_key
    HAVING countIf(in_range) > 0 AND has({bands:Array(String)}, last_band)
) AS s
INNER JOIN {db}.account_state_latest AS d ON d.account_key = s.account_key
WHERE NOT has({exclude_stages:Array(String)}, d.stage) AND d.kind = 'account'
ORDER BY s.last_mrr_cents > 0 DESC, score DESC, account_key
LIMIT {limit:UInt32}
