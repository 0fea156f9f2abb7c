-- @description Onboarding funnel drop-off per step. An entity enters with the first step; it reached step k when it has done steps 1..k (any order, any time). dropped = reached step k-1 but not k; drop_off_rate = dropped / reached k-1. Cohort = week of the first step. Range: entities whose first step was in [from, to).
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param steps Array(String) = ["Signed Up", "Created Project", "Invited Teammate", "Connected Integration", "Created Report"]
-- @param entity String = "account"
-- @param cut String = "all"
SELECT
    step_index,
    {steps:Array(String)}[step_index] AS step,
    cut_value,
    countIf(depth >= step_index) AS reached,
    countIf(depth >= step_index - 1) AS previous,
    previous - reached AS dropped,
    round(if(step_index = 1, 0, dropped / previous), 4) AS drop_off_rate,
    round(reached / count(), 4) AS conversion_from_start
FROM
(
    SELECT
        e.depth,
        multiIf({cut:String} = 'segment', d.segment, {cut:String} = 'plan', d.plan,
                {cut:String} = 'channel', d.first_touch_channel, {cut:String} = 'cohort', toString(toMonday(e.started_at)), 'all') AS cut_value
    FROM
    (
        SELECT
            if({entity:String} = 'person', resolved_person_id, account_id) AS entity_id,
            anyIf(account_id, account_id != '') AS account_key,
            minIf(event_time, name = {steps:Array(String)}[1]) AS started_at,
            groupUniqArrayIf(name, has({steps:Array(String)}, name)) AS done,
            arrayFirstIndex(s -> NOT has(done, s), {steps:Array(String)}) AS missing,
            if(missing = 0, length({steps:Array(String)}), missing - 1) AS depth
        FROM {db}.journey_events_resolved
        WHERE entity_id != ''
        GROUP BY entity_id
        HAVING depth >= 1 AND started_at >= {from:DateTime64(3)} AND started_at < {to:DateTime64(3)}
    ) AS e
    LEFT JOIN {db}.account_state_latest AS d ON d.account_key = e.account_key
)
ARRAY JOIN arrayEnumerate({steps:Array(String)}) AS step_index
GROUP BY step_index, cut_value
ORDER BY cut_value, step_index
