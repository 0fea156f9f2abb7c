// `journey validate-journey`: the journey map and churn config, checked as the journey stage loads them.
import { journeyContextFrom } from '../../journey/journey-service.ts';
import { loadJourneyMap } from '../../journey/journey-map.ts';
import type { CommandSpec } from '../command-spec.ts';

export const VALIDATE_JOURNEY: CommandSpec = {
  summary: 'validate the journey map and churn config (exit 2 with file:line: field errors)',
  run: async (ctx) => {
    try {
      journeyContextFrom(ctx.config);
      const map = loadJourneyMap(ctx.config.JOURNEY_MAP_FILE);
      console.log(
        `${ctx.config.JOURNEY_MAP_FILE}: ${map.name} v${map.version}, stages ${map.stages.map((s) => s.id).join(' -> ')}`,
      );
      return 0;
    } catch (err) {
      console.error((err as Error).message);
      return 2;
    }
  },
};
