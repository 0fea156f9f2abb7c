-- account_state rows can retire a key: when a person's pre-account state is folded into its
-- account (or a person is deleted), a newer row with deleted = 1 replaces its last snapshot.
-- FINAL keeps that row; account_state_latest leaves retired keys out.
ALTER TABLE {db}.account_state {on_cluster} ADD COLUMN IF NOT EXISTS deleted UInt8 AFTER account_key;

CREATE OR REPLACE VIEW {db}.account_state_latest {on_cluster} AS
SELECT * FROM {db}.account_state FINAL WHERE deleted = 0;
