// Bands with hysteresis. A score enters a band at its `enter` threshold and leaves it only below
// its `exit` threshold, so a score wandering inside the gap keeps the band it already has.

import type { ChurnConfig } from './churn-config.ts';

export const CHURN_BANDS = ['healthy', 'watch', 'at_risk'] as const;
export type ChurnBand = (typeof CHURN_BANDS)[number];

/** 0 = healthy, 1 = watch, 2 = at_risk: higher is worse. */
export const bandLevel = (band: ChurnBand): number => CHURN_BANDS.indexOf(band);

type Bands = ChurnConfig['bands'];

const thresholdsOf = (bands: Bands, level: number) => (level === 2 ? bands.atRisk : bands.watch);

/** The band of a score with no history: only the `enter` thresholds apply. */
export function bandForScore(score: number, bands: Bands): ChurnBand {
  return nextBand('healthy', score, bands);
}

/** The band after `score`, given the band held before it. Falling: leave each band whose `exit`
 * the score is below. Rising: enter each band whose `enter` the score reaches. */
export function nextBand(previous: ChurnBand, score: number, bands: Bands): ChurnBand {
  let level = bandLevel(previous);
  if (level > 0 && score < thresholdsOf(bands, level).exit) {
    while (level > 0 && score < thresholdsOf(bands, level).exit) level--;
  } else {
    while (level < 2 && score >= thresholdsOf(bands, level + 1).enter) level++;
  }
  return CHURN_BANDS[level] as ChurnBand;
}
