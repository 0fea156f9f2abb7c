-- @description Stage conversion by experiment variant: accounts assigned a variant of `experiment` (account_state.experiments), converted = reached target_stage, or the onboarding funnel's target_step when one is given (an experiment on onboarding is judged on the step it changes, not on a stage a paying account also reaches by evidence); from_step, when given, keeps only the accounts that reached that funnel step (the step's own conversion, where a lift planted on one step is far less noisy than over the whole funnel); lift = rate / control rate - 1; two-proportion z-test against the control with the pooled proportion, two-sided p_value = erfc(|z| / sqrt 2). Range: accounts first seen in [from, to).
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param experiment String = ""
-- @param control String = "control"
-- @param target_stage String = "activation"
-- @param target_step String = ""
-- @param from_step String = ""
-- @param cut String = "all"
SELECT
    variant,
    cut_value,
    n,
    conversions,
    round(rate, 4) AS conversion_rate,
    round(rate / control_rate - 1, 4) AS lift,
    round((rate - control_rate) / sqrt(pooled * (1 - pooled) * (1 / n + 1 / control_n)), 4) AS z,
    round(erfc(abs(z) / sqrt(2)), 4) AS p_value
FROM
(
    SELECT
        variant,
        cut_value,
        n,
        conversions,
        conversions / n AS rate,
        sumIf(n, variant = {control:String}) OVER (PARTITION BY cut_value) AS control_n,
        sumIf(conversions, variant = {control:String}) OVER (PARTITION BY cut_value) AS control_conversions,
        control_conversions / control_n AS control_rate,
        (conversions + control_conversions) / (n + control_n) AS pooled
    FROM
    (
        SELECT
            experiments[{experiment:String}] AS variant,
            multiIf({cut:String} = 'segment', segment, {cut:String} = 'plan', plan,
                    {cut:String} = 'channel', first_touch_channel, {cut:String} = 'cohort', toString(cohort_week), 'all') AS cut_value,
            count() AS n,
            countIf(if({target_step:String} != '', mapContains(funnel_steps, {target_step:String}),
                       mapContains(stage_entries, {target_stage:String}))) AS conversions
        FROM {db}.account_state_latest
        WHERE mapContains(experiments, {experiment:String}) AND first_seen_at >= {from:DateTime64(3)} AND first_seen_at < {to:DateTime64(3)}
          AND ({from_step:String} = '' OR mapContains(funnel_steps, {from_step:String}))
        GROUP BY variant, cut_value
    )
)
ORDER BY cut_value, variant != {control:String}, variant
