-- @description One account's voice and billing in [from, to), newest first: tickets (id, priority, status, category), survey answers (kind, score and the customer's own words), invoices and subscription changes (amount, MRR after, kind of change, cancellation reason). `sources` picks among tickets, surveys and billing; at most `limit` rows.
-- @param account_key String = ""
-- @param sources Array(String) = ["tickets", "surveys", "billing"]
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param limit UInt32 = 200
SELECT
    event_time,
    source,
    name,
    resolved_person_id AS person_id,
    ticket_id,
    ticket_priority,
    ticket_status,
    ticket_category,
    score_kind,
    score,
    multiIf(source = 'billing', cancel_reason, comment) AS words,
    amount_cents,
    mrr_cents,
    mrr_change_kind,
    event_id
FROM {db}.journey_events_resolved
WHERE account_id = {account_key:String} AND has({sources:Array(String)}, source)
  AND event_time >= {from:DateTime64(3)} AND event_time < {to:DateTime64(3)}
ORDER BY event_time DESC, event_id
LIMIT 1 BY event_id
LIMIT {limit:UInt32}
