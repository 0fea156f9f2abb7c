// Helpers shared by the k8s tests (k8s.test.ts, k8s-collector.test.ts): OpenAPI validation of a
// rendered object, and a container's environment and mounted files as the kubelet would build them.
import { STAND_IN_SECRET, repoPath } from './deploy-support.ts';
import type { K8sObject, Rendered } from './kustomize-render.ts';

export const MODEL_PACKAGES: Record<string, string> = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'batch/v1': 'kubernetes-models/batch/v1',
  'autoscaling/v2': 'kubernetes-models/autoscaling/v2',
  'networking.k8s.io/v1': 'kubernetes-models/networking.k8s.io/v1',
  'policy/v1': 'kubernetes-models/policy/v1',
  'keda.sh/v1alpha1': '@kubernetes-models/keda/keda.sh/v1alpha1',
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
};

export async function schemaProblems(o: K8sObject): Promise<string | undefined> {
  const pkg = MODEL_PACKAGES[o.apiVersion];
  if (!pkg) return `${o.apiVersion} has no schema package`;
  const mod = (await import(`${pkg}/${o.kind}`)) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  const Model = mod[o.kind];
  if (!Model) return `${o.apiVersion} ${o.kind}: unknown kind`;
  try {
    new Model(o).validate();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string; valueFrom?: Record<string, Record<string, string>> }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  readinessProbe?: { httpGet?: { path: string; port: number | string } };
  lifecycle?: { preStop?: { sleep?: { seconds: number }; exec?: { command: string[] } } };
  livenessProbe?: { httpGet?: { path: string; port: number | string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean };
  volumes?: Array<{
    name: string;
    configMap?: { name: string; items?: Array<{ key: string; path: string }> };
    secret?: { secretName: string; items?: Array<{ key: string; path: string }> };
    emptyDir?: object;
  }>;
}

/** The keys of the Secrets the overlay generates (and a cluster must provide for the base). */
export const COLLECTOR_SECRET_KEYS = [
  'segment-write-keys',
  'stripe-secrets',
  'zendesk-secrets',
  'typeform-secrets',
  'delighted-tokens',
];
export const SECRET_KEYS: Record<string, string[]> = {
  'journey-pipeline-secrets': ['pii-hmac-key', 'clickhouse-password'],
  'journey-collector-secrets': COLLECTOR_SECRET_KEYS,
};
export const OVERLAY_SECRETS = new Map([
  [repoPath('k8s/overlays/production/secrets/pii-hmac-key'), STAND_IN_SECRET],
  [repoPath('k8s/overlays/production/secrets/clickhouse-password'), STAND_IN_SECRET],
  ...COLLECTOR_SECRET_KEYS.map(
    (k) => [repoPath(`k8s/overlays/production/secrets/${k}`), STAND_IN_SECRET] as const,
  ),
]);
export const RENDERINGS: Array<[string, string]> = [
  ['base', 'k8s/base'],
  ['production overlay', 'k8s/overlays/production'],
  ['single overlay', 'k8s/overlays/single'],
];
export const PIPELINE_IMAGE = /(^|\/)journey-pipeline:/;

export function find(objects: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

/** The data of a ConfigMap or Secret by the name a pod refers to (undefined: not in the rendering). */
export function dataOf(
  r: Rendered,
  kind: 'ConfigMap' | 'Secret',
  name: string,
): Record<string, string> | undefined {
  const o = find(r.objects, kind, name);
  if (!o) return undefined;
  const data = (o.data ?? {}) as Record<string, string>;
  return kind === 'Secret' ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, atob(v)])) : data;
}

/** The container's environment as the kubelet would build it, and the files it mounts. */
export function containerEnvironment(
  r: Rendered,
  pod: PodSpec,
  c: Container,
): { env: Record<string, string>; files: Map<string, string>; problems: string[] } {
  const problems: string[] = [];
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    const [kind, name] = from.configMapRef
      ? (['ConfigMap', from.configMapRef.name] as const)
      : (['Secret', from.secretRef!.name] as const);
    const data = dataOf(r, kind, name);
    if (!data) problems.push(`envFrom ${kind} ${name} is not rendered`);
    else for (const [k, v] of Object.entries(data)) env[k] = kind === 'Secret' ? v : v;
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef) env[e.name] = 'pod-0';
    else if (e.valueFrom?.secretKeyRef)
      problems.push(`${e.name}: secret in the environment; mount it and use _FILE`);
    else if (e.valueFrom?.configMapKeyRef) {
      const ref = e.valueFrom.configMapKeyRef;
      const v = dataOf(r, 'ConfigMap', ref.name!)?.[ref.key!];
      if (v === undefined) problems.push(`${e.name}: ConfigMap ${ref.name} has no ${ref.key}`);
      else env[e.name] = v;
    }
  }
  const files = new Map<string, string>();
  for (const m of c.volumeMounts ?? []) {
    const v = pod.volumes?.find((x) => x.name === m.name);
    if (!v) {
      problems.push(`volumeMount ${m.name}: no such volume`);
      continue;
    }
    if (v.emptyDir) continue;
    const [kind, name] = v.configMap
      ? (['ConfigMap', v.configMap.name] as const)
      : (['Secret', v.secret!.secretName] as const);
    let data = dataOf(r, kind, name);
    // The base leaves the Secrets to the overlay (or to the cluster): their keys are the overlay's.
    const standIn = SECRET_KEYS[name.replace(/-[0-9a-f]{10}$/, '')];
    if (!data && kind === 'Secret' && standIn)
      data = Object.fromEntries(standIn.map((k) => [k, STAND_IN_SECRET]));
    if (!data) problems.push(`volume ${m.name}: ${kind} ${name} is not rendered`);
    // With `items`, only the keys listed are mounted, at their paths; a missing key fails the pod.
    const items = v.secret?.items ?? v.configMap?.items;
    const entries = items
      ? items.map((i) => {
          if (data && !(i.key in data)) problems.push(`volume ${m.name}: ${kind} ${name} has no ${i.key}`);
          return [i.path, data?.[i.key] ?? ''] as const;
        })
      : Object.entries(data ?? {});
    for (const [k, content] of entries) files.set(`${m.mountPath}/${k}`, content);
  }
  return { env, files, problems };
}
