// What `journey config` prints: the effective configuration with every secret variable as `***`
// (when set) and the password inside every URL variable masked — decided by SECRET_VARIABLES and
// URL_VARIABLES, the lists the loader masks by, not by the look of a variable's name.
import { SECRET_VARIABLES, URL_VARIABLES } from './config.ts';
import type { PipelineConfig } from './config.ts';
import { maskUrlPassword } from './url-credentials.ts';

export function printableConfig(config: PipelineConfig): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => {
      if (SECRET_VARIABLES.has(key)) return [key, value === undefined ? undefined : '***'];
      if (URL_VARIABLES.has(key) && typeof value === 'string') return [key, maskUrlPassword(value)];
      return [key, value];
    }),
  );
}
