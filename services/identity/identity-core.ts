// The identity core's public surface: what the identity pipeline (Kafka shell) calls. Everything
// here is deterministic and free of I/O; the shell owns the graph instance, the clock and writes.

export { createIdentityGraph, type IdentityGraph } from './identity-graph.ts';
export { DEFAULT_IDENTITY_CONFIG, validateIdentityConfig, type IdentityConfig } from './identity-config.ts';
export { resolve } from './resolve-identity.ts';
export { forceMerge, type ForceMergeCommand } from './force-merge-persons.ts';
export { splitIdentifier, type SplitCommand } from './split-identifier.ts';
export { deletePerson, type DeletePersonCommand } from './delete-person.ts';
export {
  applyChangelogRecord,
  checkpointRecord,
  completeRestore,
  dumpChangelog,
  restoreIdentityGraph,
} from './identity-changelog.ts';
export {
  decodeChangelogRecord,
  encodeChangelogRecord,
  type ChangelogMessage,
  type ChangelogRecord,
} from './identity-changelog-record.ts';
export type {
  CommandOutcome,
  CommandResult,
  IdentityEffect,
  IdentityEffectKind,
  IdentityOutput,
  IdentityRows,
  IdentityMapRow,
  PersonOverrideRow,
  AccountRow,
  MergeReason,
  RefusalReason,
  ResolveOutcome,
  ResolveResult,
} from './identity-effects.ts';
export { describeIdentityGraph, personOfKey } from './describe-identity-graph.ts';
export { personIdFor, accountIdFor } from './identity-hash.ts';
export { identifierKey, type IdentifierType } from './identifier-keys.ts';
