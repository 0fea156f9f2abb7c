-- @description NPS and CSAT per journey stage. The stage is the survey's own stage (survey_stage) or else the account's stage at answer time (the last stage transition at or before it, else first_stage). NPS = 100 * (promoters 9-10 - detractors 0-6) / responses; CSAT = average score (1-5) and share satisfied (score >= 4). Range: answers given in [from, to).
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param first_stage String = "acquisition"
-- @param cut String = "all"
SELECT
    stage,
    cut_value,
    countIf(score_kind = 'nps') AS nps_responses,
    round(100 * (countIf(score_kind = 'nps' AND score >= 9) - countIf(score_kind = 'nps' AND score <= 6)) / nps_responses, 1) AS nps,
    countIf(score_kind = 'csat') AS csat_responses,
    round(avgIf(score, score_kind = 'csat'), 2) AS csat_avg,
    round(countIf(score_kind = 'csat' AND score >= 4) / csat_responses, 4) AS csat_satisfied_share
FROM
(
    SELECT
        v.score_kind AS score_kind,
        v.score AS score,
        multiIf(v.survey_stage != '', v.survey_stage, s.to_stage != '', s.to_stage, {first_stage:String}) AS stage,
        multiIf({cut:String} = 'segment', d.segment, {cut:String} = 'plan', d.plan,
                {cut:String} = 'channel', d.first_touch_channel, {cut:String} = 'cohort', toString(d.cohort_week), 'all') AS cut_value
    FROM
    (
        SELECT account_id, event_time, score_kind, assumeNotNull(score) AS score, survey_stage
        FROM {db}.journey_events_resolved
        WHERE source = 'surveys' AND score IS NOT NULL AND event_time >= {from:DateTime64(3)} AND event_time < {to:DateTime64(3)}
          AND score_kind IN ('nps', 'csat')
        LIMIT 1 BY event_id
    ) AS v
    ASOF LEFT JOIN (SELECT account_key, at, to_stage FROM {db}.stage_transitions FINAL) AS s
        ON s.account_key = v.account_id AND v.event_time >= s.at
    LEFT JOIN {db}.account_state_latest AS d ON d.account_key = v.account_id
)
GROUP BY stage, cut_value
ORDER BY cut_value, stage
