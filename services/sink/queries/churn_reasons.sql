-- @description Churn reasons in the customer's own words, newest first: cancellation reasons from billing (cancel_reason), comments of surveys asked at the churn stages (survey_stage in churn_stages) and text of tickets in the cancellation categories.
-- @param churn_stages Array(String) = ["churn-risk", "churned"]
-- @param ticket_categories Array(String) = ["cancellation"]
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param limit UInt32 = 100
-- @param cut String = "all"
SELECT
    e.event_time AS at,
    e.account_id AS account_key,
    e.source AS source,
    multiIf(e.source = 'billing', e.cancel_reason, e.comment) AS verbatim,
    multiIf({cut:String} = 'segment', d.segment, {cut:String} = 'plan', d.plan,
            {cut:String} = 'channel', d.first_touch_channel, {cut:String} = 'cohort', toString(d.cohort_week), 'all') AS cut_value,
    d.mrr_cents AS current_mrr_cents
FROM (SELECT * FROM {db}.journey_events_resolved WHERE cancel_reason != '' OR comment != '' LIMIT 1 BY event_id) AS e
LEFT JOIN {db}.account_state_latest AS d ON d.account_key = e.account_id
WHERE e.event_time >= {from:DateTime64(3)} AND e.event_time < {to:DateTime64(3)}
  AND (
        (e.source = 'billing' AND e.cancel_reason != '')
     OR (e.source = 'surveys' AND has({churn_stages:Array(String)}, e.survey_stage) AND e.comment != '')
     OR (e.source = 'tickets' AND has({ticket_categories:Array(String)}, e.ticket_category) AND e.comment != '')
  )
ORDER BY at DESC, e.event_id
LIMIT {limit:UInt32}
