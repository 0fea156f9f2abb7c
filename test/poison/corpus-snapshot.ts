// The committed snapshot of the poison corpus (poison-corpus.json.gz, gzip of one JSON entry per
// line, 5.5 MB unpacked: mostly the 100k-key message): each message with its value and key as base64, so tools outside this repo (a producer script, another language's consumer)
// can replay the exact bytes. write-corpus.ts writes it; poison-corpus.test.ts checks it is current.
import type { PoisonMessage } from './poison-message.ts';

export const SNAPSHOT_URL = new URL('./poison-corpus.json.gz', import.meta.url);

export interface SnapshotEntry {
  class: string;
  source: string;
  value: string | null;
  key?: string | null;
  expectedReason?: string;
  accepted?: true;
  note: string;
}

const base64 = (b: Buffer | null): string | null => (b === null ? null : b.toString('base64'));

export function toSnapshot(corpus: readonly PoisonMessage[]): SnapshotEntry[] {
  return corpus.map((m) => ({
    class: m.class,
    source: m.source,
    value: base64(m.value),
    ...(m.key === undefined ? {} : { key: base64(m.key) }),
    ...(m.expectedReason === undefined ? {} : { expectedReason: m.expectedReason }),
    ...(m.accepted ? { accepted: m.accepted } : {}),
    note: m.note,
  }));
}

/** One entry per line: diffs of the snapshot stay readable line by line. */
export function snapshotText(corpus: readonly PoisonMessage[]): string {
  return `[\n${toSnapshot(corpus)
    .map((e) => JSON.stringify(e))
    .join(',\n')}\n]\n`;
}
