// pino, object-first, one child logger per module; every line passes through maskSecrets so a
// secret read by the config never reaches a log, even inside an error message.

import { pino } from 'pino';
import type { Logger } from 'pino';
import { maskSecrets } from '../config/secrets.ts';

export type { Logger };

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'journey-pipeline' },
      redact: {
        paths: ['password', '*.password', 'sasl.password', 'authorization', '*.authorization'],
        censor: '***',
      },
      hooks: {
        streamWrite: (line: string) => maskSecrets(line),
      },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}
