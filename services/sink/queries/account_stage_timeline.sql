-- @description One account's journey: its stage transitions in [from, to), oldest first, each with its reason, the journey-map version and the hours the account spent in the stage it left (since the transition into it, or since the account was first seen).
-- @param account_key String = ""
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
SELECT
    t.at AS at,
    t.from_stage AS from_stage,
    t.to_stage AS to_stage,
    t.reason AS reason,
    t.map_version AS map_version,
    round(dateDiff('millisecond', if(t.stint_start IS NULL, d.first_seen_at, assumeNotNull(t.stint_start)), t.at) / 3600000, 2) AS hours_in_from_stage
FROM
(
    SELECT
        account_key,
        at,
        id,
        from_stage,
        to_stage,
        reason,
        map_version,
        lagInFrame(toNullable(at)) OVER (ORDER BY at, id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS stint_start
    FROM {db}.stage_transitions FINAL
    WHERE account_key = {account_key:String}
) AS t
LEFT JOIN {db}.account_state_latest AS d ON d.account_key = t.account_key
WHERE t.at >= {from:DateTime64(3)} AND t.at < {to:DateTime64(3)}
ORDER BY t.at, t.id
