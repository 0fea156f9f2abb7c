// The poison corpus of issue #14 ("no message can stop the pipeline"): every kind of message the
// ingest and the identity-commands consumers must turn into a named DLQ reason (or, for hostile
// but valid input, accept) without throwing, hanging or stopping. Deterministic: the snapshot
// poison-corpus.json (write-corpus.ts) must equal this output.
import type { PoisonMessage } from './poison-message.ts';
import { numberTimePoison } from './poison-numbers-times.ts';
import { sizePoison } from './poison-sizes.ts';
import { typeKeyPoison } from './poison-types-keys.ts';
import { wirePoison } from './poison-wire.ts';

export type { PoisonMessage, PoisonSource } from './poison-message.ts';

export function poisonCorpus(): PoisonMessage[] {
  return [...wirePoison(), ...numberTimePoison(), ...typeKeyPoison(), ...sizePoison()];
}
