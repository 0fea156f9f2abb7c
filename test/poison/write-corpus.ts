// Writes test/poison/poison-corpus.json.gz from the generator: `node test/poison/write-corpus.ts`.
// Run it after changing the corpus; poison-corpus.test.ts fails while the snapshot is stale.
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { SNAPSHOT_URL, snapshotText } from './corpus-snapshot.ts';
import { poisonCorpus } from './poison-corpus.ts';

const corpus = poisonCorpus();
writeFileSync(SNAPSHOT_URL, gzipSync(snapshotText(corpus), { level: 9 }));
console.log(`${corpus.length} messages -> ${fileURLToPath(SNAPSHOT_URL)}`);
