-- @description Experiments and their variants: the accounts assigned to each variant (account_state.experiments), first seen in [from, to). The explorer and the dashboards list experiments from it; experiment_conversion reads one.
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param cut String = "all"
SELECT
    experiment,
    experiments[experiment] AS variant,
    multiIf({cut:String} = 'segment', segment, {cut:String} = 'plan', plan,
            {cut:String} = 'channel', first_touch_channel, {cut:String} = 'cohort', toString(cohort_week), 'all') AS cut_value,
    count() AS accounts
FROM {db}.account_state_latest
ARRAY JOIN mapKeys(experiments) AS experiment
WHERE kind = 'account' AND deleted = 0
  AND first_seen_at >= {from:DateTime64(3)} AND first_seen_at < {to:DateTime64(3)}
GROUP BY experiment, variant, cut_value
ORDER BY experiment, cut_value, variant
