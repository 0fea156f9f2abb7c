// `journey demo` (`make demo`): the main job on the local stack (services/cli/demo.ts).
import { runDemo } from '../demo.ts';
import { PROFILES } from '../../workload/workload-profile.ts';
import { UsageError, intOption, stringOption } from '../command-spec.ts';
import type { CommandSpec } from '../command-spec.ts';

export const DEMO: CommandSpec = {
  summary: 'the main job: topics, migrations, every stage, a synthetic workload, and the journey report',
  usage: `[--profile ${Object.keys(PROFILES).join('|')}] [--seed 42]`,
  options: { profile: { type: 'string' }, seed: { type: 'string' } },
  needsPiiKey: true,
  run: (ctx) => {
    const profile = stringOption(ctx.values, 'profile') ?? 'demo';
    if (!(profile in PROFILES))
      throw new UsageError(`--profile: one of ${Object.keys(PROFILES).join(', ')} (got '${profile}')`);
    return runDemo(ctx, { profile, seed: intOption(ctx.values, 'seed', 42, 0) });
  },
};
