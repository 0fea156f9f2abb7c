import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bandForScore, nextBand } from './churn-bands.ts';
import { DEFAULT_CHURN_CONFIG } from './churn-config.ts';

const bands = DEFAULT_CHURN_CONFIG.bands; // watch 40/30, at_risk 70/60

describe('churn bands', () => {
  it('without history only the enter thresholds count', () => {
    assert.deepEqual(
      [0, 39.9, 40, 69.9, 70, 100].map((s) => bandForScore(s, bands)),
      ['healthy', 'healthy', 'watch', 'watch', 'at_risk', 'at_risk'],
    );
  });

  it('a band is left only below its exit threshold', () => {
    const cases: [Parameters<typeof nextBand>[0], number, string][] = [
      ['at_risk', 65, 'at_risk'], // inside the 60..70 gap: stays
      ['at_risk', 60, 'at_risk'],
      ['at_risk', 59.9, 'watch'],
      ['at_risk', 35, 'watch'], // below 60, still above watch's exit (30)
      ['at_risk', 29.9, 'healthy'],
      ['watch', 69.9, 'watch'],
      ['watch', 70, 'at_risk'],
      ['watch', 35, 'watch'], // inside the 30..40 gap: stays
      ['watch', 29.9, 'healthy'],
      ['healthy', 39.9, 'healthy'],
      ['healthy', 65, 'watch'], // rising: enters watch, not yet at_risk
      ['healthy', 95, 'at_risk'],
    ];
    for (const [previous, score, expected] of cases)
      assert.equal(nextBand(previous, score, bands), expected, `${previous} @ ${score}`);
  });
});
