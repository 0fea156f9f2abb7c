-- @description Churn-score history of one account, oldest first, with the band and the explained reasons (JSON). Range: scores taken in [from, to).
-- @param from DateTime64(3) = "1970-01-01 00:00:00.000"
-- @param to DateTime64(3) = "2100-01-01 00:00:00.000"
-- @param account_key String = ""
SELECT scored_at, score, band, reasons
FROM {db}.churn_scores FINAL
WHERE account_key = {account_key:String} AND scored_at >= {from:DateTime64(3)} AND scored_at < {to:DateTime64(3)}
ORDER BY scored_at
