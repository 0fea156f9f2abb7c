// A small kustomize renderer for the tests (the kustomize binary is not installable from the
// package registries): resources (files and kustomization folders), configMapGenerator and
// secretGenerator (files, envs, literals; content-hash name suffix and the references to it
// rewritten), namespace, images, replicas and strategic-merge patches by kind and name (`$patch:
// delete` removes the object). Any other
// kustomization field is an error, so an overlay cannot use a feature the tests would ignore.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

interface Generator {
  name: string;
  files?: string[];
  envs?: string[];
  literals?: string[];
  options?: { disableNameSuffixHash?: boolean };
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  configMapGenerator?: Generator[];
  secretGenerator?: Generator[];
  generatorOptions?: { disableNameSuffixHash?: boolean };
  images?: Array<{ name: string; newName?: string; newTag?: string; digest?: string }>;
  replicas?: Array<{ name: string; count: number }>;
  patches?: Array<{ path: string }>;
}

const SUPPORTED = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'resources',
  'configMapGenerator',
  'secretGenerator',
  'generatorOptions',
  'images',
  'replicas',
  'patches',
]);
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
]);

export interface RenderOptions {
  /** Content for generator files that are not in the repository (secrets): path -> content. */
  missingFile?: (path: string) => string | undefined;
}

export interface Rendered {
  objects: K8sObject[];
  /** Generated ConfigMap / Secret name before the hash suffix -> after. */
  generatedNames: Map<string, string>;
}

function readYamlFile(path: string): unknown[] {
  return parseAllDocuments(readFileSync(path, 'utf8'), { merge: true }).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0]!.message}`);
    return doc.toJS() as unknown;
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Strategic merge for the built-in kinds we patch: maps merge, lists of named items merge by name. */
export function strategicMerge(base: unknown, patch: unknown): unknown {
  if (isRecord(base) && isRecord(patch)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(patch))
      out[k] = v === null ? undefined : k in base ? strategicMerge(base[k], v) : v;
    return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
  }
  const named = (a: unknown): a is Array<{ name: string }> =>
    Array.isArray(a) && a.every((x) => isRecord(x) && typeof x.name === 'string');
  if (named(base) && named(patch)) {
    const out = base.map((item) => {
      const p = patch.find((x) => x.name === item.name);
      return p ? strategicMerge(item, p) : item;
    });
    return [...out, ...patch.filter((p) => !base.some((b) => b.name === p.name))];
  }
  return patch;
}

function generate(
  kind: 'ConfigMap' | 'Secret',
  dir: string,
  gen: Generator,
  options: RenderOptions,
): K8sObject {
  const data: Record<string, string> = {};
  const read = (rel: string): string => {
    const path = join(dir, rel);
    if (existsSync(path)) return readFileSync(path, 'utf8');
    const content = options.missingFile?.(path);
    if (content === undefined) throw new Error(`${gen.name}: ${path} does not exist`);
    return content;
  };
  for (const entry of gen.files ?? []) {
    const [key, rel] = entry.includes('=') ? entry.split('=', 2) : [entry.split('/').pop()!, entry];
    data[key!] = read(rel!);
  }
  for (const rel of gen.envs ?? [])
    for (const line of read(rel).split('\n')) {
      if (!line.trim() || line.startsWith('#')) continue;
      const at = line.indexOf('=');
      data[line.slice(0, at)] = line.slice(at + 1);
    }
  for (const literal of gen.literals ?? []) {
    const at = literal.indexOf('=');
    data[literal.slice(0, at)] = literal.slice(at + 1);
  }
  const body =
    kind === 'Secret'
      ? { type: 'Opaque', data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, btoa(v)])) }
      : { data };
  return { apiVersion: 'v1', kind, metadata: { name: gen.name }, ...body };
}

/** Every place a pod spec names a ConfigMap or Secret. */
function rewritePodRefs(pod: Record<string, unknown>, rename: (kind: string, name: string) => string): void {
  for (const v of (pod.volumes as Array<Record<string, Record<string, string>>> | undefined) ?? []) {
    if (v.configMap) v.configMap.name = rename('ConfigMap', v.configMap.name!);
    if (v.secret) v.secret.secretName = rename('Secret', v.secret.secretName!);
  }
  const containers = [
    ...((pod.containers as unknown[]) ?? []),
    ...((pod.initContainers as unknown[]) ?? []),
  ] as Array<Record<string, unknown>>;
  for (const c of containers) {
    for (const e of (c.envFrom as Array<Record<string, { name: string }>> | undefined) ?? []) {
      if (e.configMapRef) e.configMapRef.name = rename('ConfigMap', e.configMapRef.name);
      if (e.secretRef) e.secretRef.name = rename('Secret', e.secretRef.name);
    }
    for (const e of (c.env as Array<{ valueFrom?: Record<string, { name: string }> }> | undefined) ?? []) {
      if (e.valueFrom?.configMapKeyRef)
        e.valueFrom.configMapKeyRef.name = rename('ConfigMap', e.valueFrom.configMapKeyRef.name);
      if (e.valueFrom?.secretKeyRef)
        e.valueFrom.secretKeyRef.name = rename('Secret', e.valueFrom.secretKeyRef.name);
    }
  }
}

export function podSpecOf(o: K8sObject): Record<string, unknown> | undefined {
  const spec = o.spec as Record<string, unknown> | undefined;
  if (o.kind === 'Pod') return spec;
  if (o.kind === 'CronJob')
    return (
      ((spec?.jobTemplate as Record<string, unknown>)?.spec as Record<string, unknown>)?.template as {
        spec: Record<string, unknown>;
      }
    )?.spec;
  return (spec?.template as { spec?: Record<string, unknown> } | undefined)?.spec;
}

/** Renders the kustomization in `dir` like `kustomize build dir` for the supported fields. */
export function renderKustomization(dir: string, options: RenderOptions = {}): Rendered {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization']
    .map((f) => join(dir, f))
    .find((p) => existsSync(p));
  if (!file) throw new Error(`${dir}: no kustomization.yaml`);
  const k = readYamlFile(file)[0] as Kustomization;
  const unsupported = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0) throw new Error(`${file}: unsupported fields ${unsupported.join(', ')}`);

  const objects: K8sObject[] = [];
  const generatedNames = new Map<string, string>();
  for (const res of k.resources ?? []) {
    const path = resolve(dir, res);
    if (statSync(path).isDirectory()) {
      const inner = renderKustomization(path, options);
      objects.push(...inner.objects);
      for (const [a, b] of inner.generatedNames) generatedNames.set(a, b);
    } else objects.push(...(readYamlFile(path) as K8sObject[]));
  }

  const generated: Array<{ object: K8sObject; hash: boolean }> = [];
  for (const [kind, gens] of [
    ['ConfigMap', k.configMapGenerator],
    ['Secret', k.secretGenerator],
  ] as const)
    for (const gen of gens ?? [])
      generated.push({
        object: generate(kind, dir, gen, options),
        hash: !(gen.options?.disableNameSuffixHash ?? k.generatorOptions?.disableNameSuffixHash ?? false),
      });

  // Patches apply to resources and generated objects by their original kind and name.
  const all = [...objects, ...generated.map((g) => g.object)];
  const byOriginalName = (kind: string, name: string): K8sObject | undefined =>
    all.find(
      (o) =>
        o.kind === kind &&
        (o.metadata.name === name ||
          [...generatedNames].some(([a, b]) => a === name && b === o.metadata.name)),
    );
  for (const { path } of k.patches ?? []) {
    for (const patch of readYamlFile(join(dir, path)) as K8sObject[]) {
      const target = byOriginalName(patch.kind, patch.metadata.name);
      if (!target) throw new Error(`${path}: no ${patch.kind} ${patch.metadata.name} to patch`);
      // `$patch: delete` (a strategic-merge directive) removes the object from the rendering.
      if ((patch as Record<string, unknown>).$patch === 'delete') {
        if (!objects.includes(target)) throw new Error(`${path}: cannot delete a generated ${patch.kind}`);
        for (const list of [objects, all]) list.splice(list.indexOf(target), 1);
        continue;
      }
      const merged = strategicMerge(target, patch) as K8sObject;
      merged.metadata.name = target.metadata.name;
      Object.assign(target, merged);
    }
  }

  // Name suffixes from the content, and every reference in pod specs rewritten.
  for (const { object, hash } of generated) {
    if (!hash) continue;
    const digest = createHash('sha256')
      .update(JSON.stringify({ kind: object.kind, data: object.data }))
      .digest('hex')
      .slice(0, 10);
    generatedNames.set(object.metadata.name, `${object.metadata.name}-${digest}`);
    object.metadata.name = `${object.metadata.name}-${digest}`;
  }
  // A reference from any resource, this level's or one a base generated (as kustomize's name
  // reference transformer: an overlay's new Deployment finds the base's ConfigMap by its name).
  const rename = (kind: string, name: string): string => {
    const to = generatedNames.get(name);
    return to !== undefined && all.some((o) => o.kind === kind && o.metadata.name === to) ? to : name;
  };
  for (const o of objects) {
    const pod = podSpecOf(o);
    if (pod) rewritePodRefs(pod, rename);
  }

  for (const { name, count } of k.replicas ?? []) {
    const target = objects.find((o) => o.metadata.name === name && isRecord(o.spec) && 'replicas' in o.spec);
    if (!target) throw new Error(`${file}: replicas for unknown workload ${name}`);
    (target.spec as Record<string, unknown>).replicas = count;
  }
  for (const image of k.images ?? []) {
    let used = false;
    for (const o of objects) {
      const pod = podSpecOf(o);
      for (const c of [
        ...((pod?.containers as unknown[]) ?? []),
        ...((pod?.initContainers as unknown[]) ?? []),
      ] as Array<{ image: string }>) {
        const [name, tag] = c.image.split(/:(?=[^/]+$)/);
        if (name !== image.name) continue;
        used = true;
        c.image = `${image.newName ?? name}${image.digest ? `@${image.digest}` : `:${image.newTag ?? tag}`}`;
      }
    }
    if (!used) throw new Error(`${file}: image ${image.name} is used by no container`);
  }

  const result = [...objects, ...generated.map((g) => g.object)];
  if (k.namespace)
    for (const o of result) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
  return { objects: result, generatedNames };
}
