-- @description Churn-score history of one account, oldest first, with the band and the explained reasons (JSON).
-- @param account_key String = ""
SELECT scored_at, score, band, reasons
FROM {db}.churn_scores FINAL
WHERE account_key = {account_key:String}
ORDER BY scored_at
