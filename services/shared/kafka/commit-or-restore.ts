// A single-writer stage's commit of a batch (the route, the identity resolver): its in-memory state
// already holds the batch, so a commit that does not happen marks the state for a restore from its
// changelog before the next batch — the partition revoked (false), or a failure (rethrown, after the
// producer is let go: the next batch creates one, which fences any other writer, then restores).
import type { Logger } from '../telemetry/logger.ts';

export interface CommitOrRestore {
  /** Marks the state for a restore before the next batch. */
  restore(): void;
  releaseProducer(): void;
  log: Logger;
  partition: number;
  /** What was revoked and what is restored, for the log: "links partition", "the graph". */
  revoked: string;
  restored: string;
}

/** True once committed; false when the partition was revoked (the batch is not committed). */
export async function commitOrRestore(commit: () => Promise<boolean>, on: CommitOrRestore): Promise<boolean> {
  const { log, partition } = on;
  try {
    if (await commit()) return true;
    on.restore();
    log.warn({ partition }, `${on.revoked} revoked; batch not committed`);
    return false;
  } catch (err) {
    on.restore();
    on.releaseProducer();
    log.error(
      { err, partition },
      `batch failed; not committed, ${on.restored} is restored before the redelivery`,
    );
    throw err;
  }
}
