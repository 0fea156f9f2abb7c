// Shared checks for the deployment artifacts (docker-compose, k8s, Grafana): a pipeline
// container's environment must be one the CLI accepts at startup, and every image is pinned.
import { existsSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import {
  CONFIG_VARIABLES,
  ConfigError,
  SECRET_VARIABLES,
  loadConfig,
} from '../../services/shared/config/config.ts';
import type { PipelineConfig } from '../../services/shared/config/config.ts';

export const ROOT = new URL('../../', import.meta.url);
export const repoPath = (path: string): string => new URL(path, ROOT).pathname;
export const readRepoFile = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8');
export const repoFileExists = (path: string): boolean => existsSync(new URL(path, ROOT));

/** Every YAML document of a file (`---` separated), merge keys (`<<`) resolved. */
export function readYamlDocuments(path: string): unknown[] {
  return parseAllDocuments(readRepoFile(path), { merge: true }).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as unknown;
  });
}

export function readYaml<T = Record<string, unknown>>(path: string): T {
  const docs = readYamlDocuments(path);
  if (docs.length !== 1) throw new Error(`${path}: expected one YAML document, found ${docs.length}`);
  return docs[0] as T;
}

/** `repo/name:tag` with a version-like tag: not `latest`, not missing, not a floating major only. */
export function imagePinProblem(image: string): string | undefined {
  const at = image.lastIndexOf(':');
  if (at < 0 || image.slice(at).includes('/')) return `${image}: no tag`;
  const tag = image.slice(at + 1);
  if (tag === 'latest') return `${image}: latest`;
  if (!/^v?\d+\.\d+/.test(tag)) return `${image}: tag ${tag} is not a version (major.minor at least)`;
  return undefined;
}

export interface PipelineEnvCheck {
  problems: string[];
  config?: PipelineConfig;
}

/**
 * What the CLI would say about this environment at startup: unknown variable names (a typo is
 * silently ignored by the service, so it is an error here), plain secret values where a mounted
 * file is expected, and every problem loadConfig reports. `mountedFiles` maps the paths mounted
 * into the container to stand-in contents (secrets are never read from the repository).
 */
export function checkPipelineEnv(
  env: Record<string, string>,
  mountedFiles: ReadonlyMap<string, string>,
): PipelineEnvCheck {
  const problems: string[] = [];
  for (const name of Object.keys(env)) {
    const secretFile = name.endsWith('_FILE') && SECRET_VARIABLES.has(name.slice(0, -'_FILE'.length));
    if (!(name in CONFIG_VARIABLES) && !secretFile) problems.push(`${name}: not a configuration variable`);
    if (SECRET_VARIABLES.has(name))
      problems.push(`${name}: a secret as a plain value; mount it and use ${name}_FILE`);
  }
  if (!env.PII_HMAC_KEY_FILE) problems.push('PII_HMAC_KEY_FILE: missing (required secret)');
  const readFile = (path: string): string => {
    const content = mountedFiles.get(path);
    if (content === undefined) throw new Error(`${path} is not mounted`);
    return content;
  };
  try {
    const config = loadConfig(env, readFile);
    for (const key of ['JOURNEY_MAP_FILE', 'CHURN_CONFIG_FILE'] as const) {
      const file = config[key];
      // The image's WORKDIR is the repository root (deploy/Dockerfile copies config/ there).
      if (!file.startsWith('/') && !repoFileExists(file))
        problems.push(`${key}: ${file} is not in the image`);
      if (file.startsWith('/') && !mountedFiles.has(file)) problems.push(`${key}: ${file} is not mounted`);
    }
    return { problems, config };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { problems: [...problems, ...err.problems] };
  }
}

/** A stand-in for a mounted secret file's content: long enough for every secret's schema. */
export const STAND_IN_SECRET = 'stand-in-secret-value-0123456789abcdef';

/** Every metric name the services export (their registry, default process metrics included), with histogram series. */
export async function exportedMetricNames(): Promise<Set<string>> {
  const { createMetrics } = await import('../../services/shared/telemetry/metrics.ts');
  const { createCollectorMetrics } = await import('../../services/collector/collector-metrics.ts');
  // The stages' registry and the collector's (its own process, its own registry).
  const metrics = [
    ...(await createMetrics(true).registry.getMetricsAsJSON()),
    ...(await createCollectorMetrics(true).registry.getMetricsAsJSON()),
  ];
  const names = new Set<string>();
  for (const m of metrics) {
    names.add(m.name);
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
    if (String(m.type) === 'summary') for (const s of ['_sum', '_count']) names.add(m.name + s);
  }
  return names;
}

/** The pipeline's metric names a PromQL expression uses (all carry the journey_ prefix). */
export const metricNamesIn = (promql: string): string[] => [
  ...new Set([...promql.matchAll(/\bjourney_[a-z0-9_]+\b/g)].map((m) => m[0])),
];
