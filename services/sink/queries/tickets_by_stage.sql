-- @description Support tickets per account and stage: tickets created (ticket_event, distinct ticket_id) by the account's stage at creation time (the last stage transition at or before it, else first_stage); tickets_per_account = tickets / accounts that opened one in that stage.
-- @param ticket_event String = "ticket.created"
-- @param first_stage String = "acquisition"
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param cut String = "all"
SELECT
    stage,
    cut_value,
    uniqExact(ticket_id) AS tickets,
    uniqExact(account_key) AS accounts,
    round(tickets / accounts, 2) AS tickets_per_account
FROM
(
    SELECT
        t.ticket_id AS ticket_id,
        t.account_id AS account_key,
        if(s.to_stage != '', s.to_stage, {first_stage:String}) AS stage,
        multiIf({cut:String} = 'segment', d.segment, {cut:String} = 'plan', d.plan,
                {cut:String} = 'channel', d.first_touch_channel, {cut:String} = 'cohort', toString(d.cohort_week), 'all') AS cut_value
    FROM
    (
        SELECT account_id, ticket_id, min(event_time) AS created_at
        FROM {db}.journey_events_resolved
        WHERE name = {ticket_event:String} AND account_id != '' AND ticket_id != ''
          AND event_time >= {from:DateTime64(3)} AND event_time < {to:DateTime64(3)}
        GROUP BY account_id, ticket_id
    ) AS t
    ASOF LEFT JOIN (SELECT account_key, at, to_stage FROM {db}.stage_transitions FINAL) AS s
        ON s.account_key = t.account_id AND t.created_at >= s.at
    LEFT JOIN {db}.account_state_latest AS d ON d.account_key = t.account_id
)
GROUP BY stage, cut_value
ORDER BY cut_value, stage
