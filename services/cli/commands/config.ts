// `journey config`: the whole configuration validated (every variable, the PII key included) and
// printed with secrets masked.
import { printableConfig } from '../../shared/config/printable-config.ts';
import type { CommandSpec } from '../command-spec.ts';

export const CONFIG: CommandSpec = {
  summary: 'validate the configuration and print it (secrets masked)',
  needsPiiKey: true,
  run: async (ctx) => {
    console.log(JSON.stringify(printableConfig(ctx.config), null, 2));
    return 0;
  },
};
