-- @description Time to churn from the first warning: for accounts in churn_outcomes, hours from their first churn alert (band in warning_bands, at or before the churn) to the churn. unwarned = churned without any earlier alert. Range: accounts that churned in [from, to).
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param warning_bands Array(String) = ["watch", "at_risk"]
-- @param cut String = "all"
SELECT
    cut_value,
    count() AS churned,
    countIf(warned) AS warned_before,
    churned - warned_before AS unwarned,
    round(avgIf(hours, warned), 2) AS avg_hours,
    round(quantileExactIf(0.5)(hours, warned), 2) AS p50_hours
FROM
(
    SELECT
        o.account_key AS account_key,
        o.first_churned_at AS churned_at,
        w.first_warning_at AS first_warning_at,
        w.account_key != '' AS warned,
        dateDiff('millisecond', w.first_warning_at, o.first_churned_at) / 3600000 AS hours,
        multiIf({cut:String} = 'segment', d.segment, {cut:String} = 'plan', d.plan,
                {cut:String} = 'channel', d.first_touch_channel, {cut:String} = 'cohort', toString(d.cohort_week), 'all') AS cut_value
    FROM
    (
        SELECT account_key, min(churned_at) AS first_churned_at FROM {db}.churn_outcomes GROUP BY account_key
        HAVING first_churned_at >= {from:DateTime64(3)} AND first_churned_at < {to:DateTime64(3)}
    ) AS o
    LEFT JOIN
    (
        SELECT a.account_key AS account_key, min(a.at) AS first_warning_at
        FROM {db}.churn_alerts AS a
        INNER JOIN (SELECT account_key, min(churned_at) AS churned_at FROM {db}.churn_outcomes GROUP BY account_key) AS c
            ON c.account_key = a.account_key
        WHERE has({warning_bands:Array(String)}, a.band) AND a.at <= c.churned_at
        GROUP BY a.account_key
    ) AS w ON w.account_key = o.account_key
    LEFT JOIN {db}.account_state_latest AS d ON d.account_key = o.account_key
)
GROUP BY cut_value
ORDER BY cut_value
