// The churn core's public surface: what the journey stage (shell) and the fit command call.
// Everything here is deterministic and free of I/O except loadChurnConfig (startup only).

export type { ChurnSignals } from './churn-signals.ts';
export { churnSignalProblems } from './churn-signals.ts';
export { CHURN_FACTORS, churnFeatures, describeFactor } from './churn-factors.ts';
export type { ChurnFactor, ChurnFeatures } from './churn-factors.ts';
export { DEFAULT_CHURN_CONFIG, validateChurnConfig } from './churn-config.ts';
export type { BandThresholds, ChurnConfig, ChurnModel } from './churn-config.ts';
export { loadChurnConfig, parseChurnConfig } from './churn-config-file.ts';
export type { ChurnConfigResult } from './churn-config-file.ts';
export { factorContributions, scoreAccount } from './score-account.ts';
export type { ChurnReason, ChurnScore } from './score-account.ts';
export { CHURN_BANDS, bandForScore, nextBand } from './churn-bands.ts';
export type { ChurnBand } from './churn-bands.ts';
export { churnAlertIdFor, updateAlertState } from './churn-alert-state.ts';
export type { AlertingBand, AlertUpdate, ChurnAlert, ChurnAlertState } from './churn-alert-state.ts';
export { recordChurn } from './record-churn.ts';
export type { ChurnEvent, ChurnOutcome } from './record-churn.ts';
export { DEFAULT_FIT_OPTIONS, fitWeights } from './fit-weights.ts';
export type { ChurnSample, FitOptions, FitResult } from './fit-weights.ts';
export { calibrationTable, evaluate, rocAuc, topKResults } from './evaluate-churn-model.ts';
export type { CalibrationBucket, ChurnEvaluation, TopKResult } from './evaluate-churn-model.ts';
export { trainTestSplit } from './train-test-split.ts';
export type { TrainTestSplit } from './train-test-split.ts';
