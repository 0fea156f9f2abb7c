// k8s/base/collector.yaml: the collector (`journey collect`) as the base and the production overlay
// render it. What k8s.test.ts checks for every workload (schemas, config, security contexts,
// selectors) holds for it too; here what is the collector's own: it listens, is probed and scraped
// on COLLECTOR_PORT, every vendor secret is a mounted file, the Ingress ends TLS and publishes the
// vendors' paths and nothing else, and the HPA and PDB keep at least one replica answering.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { routeOf, SOURCE_TOPIC } from '../../services/collector/collect-request.ts';
import { SECRET_VARIABLES } from '../../services/shared/config/config.ts';
import { STAND_IN_SECRET, checkPipelineEnv, repoPath } from './deploy-support.ts';
import { podSpecOf, renderKustomization } from './kustomize-render.ts';
import type { K8sObject, Rendered } from './kustomize-render.ts';
import {
  COLLECTOR_SECRET_KEYS,
  OVERLAY_SECRETS,
  RENDERINGS,
  containerEnvironment,
  find,
} from './k8s-support.ts';
import type { Container, PodSpec } from './k8s-support.ts';

const COLLECTOR_SECRETS = [...SECRET_VARIABLES].filter((v) => v.startsWith('COLLECTOR_'));
const SHUTDOWN_GRACE_SECONDS = 20; // services/cli/commands.ts SHUTDOWN_GRACE_MS

interface IngressSpec {
  ingressClassName?: string;
  tls?: Array<{ hosts?: string[]; secretName?: string }>;
  rules: Array<{
    host?: string;
    http: {
      paths: Array<{
        path: string;
        pathType: string;
        backend: { service: { name: string; port: { name?: string; number?: number } } };
      }>;
    };
  }>;
}

/** A request path the Ingress sends on (pathType Prefix matches whole path elements). */
const routes = (spec: IngressSpec, path: string): boolean =>
  spec.rules.some((rule) =>
    rule.http.paths.some((p) => {
      const prefix = p.path.replace(/\/$/, '');
      return p.pathType === 'Exact' ? p.path === path : path === prefix || path.startsWith(`${prefix}/`);
    }),
  );

function collectorOf(r: Rendered): { deployment: K8sObject; pod: PodSpec; c: Container } {
  const deployment = find(r.objects, 'Deployment', 'collector');
  assert.ok(deployment, 'Deployment/collector');
  const pod = podSpecOf(deployment) as unknown as PodSpec;
  const c = pod.containers.find((x) => x.args?.[0] === 'collect');
  assert.ok(c, 'a container runs `journey collect`');
  return { deployment, pod, c };
}

for (const [label, dir] of RENDERINGS) {
  describe(`k8s ${label}: the collector`, () => {
    const r = renderKustomization(repoPath(dir), { missingFile: (p) => OVERLAY_SECRETS.get(p) });
    const { deployment, pod, c } = collectorOf(r);
    const { env, files, problems } = containerEnvironment(r, pod, c);
    const checked = checkPipelineEnv(env, files);
    const config = checked.config!;

    test('runs `journey collect` with several replicas, listening on COLLECTOR_PORT', () => {
      assert.deepEqual([...problems, ...checked.problems], []);
      assert.ok((deployment.spec as { replicas: number }).replicas >= 2, 'several replicas');
      const http = c.ports?.find((p) => p.name === 'http');
      assert.equal(http?.containerPort, config.COLLECTOR_PORT, 'container port http = COLLECTOR_PORT');
      assert.notEqual(config.COLLECTOR_PORT, config.HTTP_PORT, 'HTTP_PORT is not where it listens');
    });

    test('readiness on /readyz and liveness on /healthz at COLLECTOR_PORT; drains before it stops', () => {
      const portOf = (p: number | string | undefined): number | undefined =>
        typeof p === 'number' ? p : c.ports?.find((x) => x.name === p)?.containerPort;
      assert.equal(c.readinessProbe?.httpGet?.path, '/readyz');
      assert.equal(c.livenessProbe?.httpGet?.path, '/healthz');
      assert.equal(portOf(c.readinessProbe?.httpGet?.port), config.COLLECTOR_PORT);
      assert.equal(portOf(c.livenessProbe?.httpGet?.port), config.COLLECTOR_PORT);
      // The endpoint leaves the Service and the Ingress before the server closes, and the
      // collector's own shutdown grace fits in what Kubernetes waits after that.
      const preStop = c.lifecycle?.preStop?.sleep?.seconds ?? 0;
      assert.ok(preStop > 0, 'preStop sleep');
      const grace = (deployment.spec as { template: { spec: { terminationGracePeriodSeconds: number } } })
        .template.spec.terminationGracePeriodSeconds;
      assert.ok(grace >= preStop + SHUTDOWN_GRACE_SECONDS, `grace ${grace}s`);
    });

    test('every vendor secret comes from a file of the mounted collector Secret', () => {
      for (const name of COLLECTOR_SECRETS) {
        assert.ok(!(name in env), `${name}: no plain value`);
        const file = env[`${name}_FILE`];
        assert.ok(file, `${name}_FILE is set`);
        assert.ok(files.has(file), `${name}_FILE: ${file} is mounted`);
        assert.equal(config[name as keyof typeof config], STAND_IN_SECRET, `${name} is read from ${file}`);
      }
      assert.ok(!c.env?.some((e) => e.valueFrom?.secretKeyRef), 'no secret in the environment');
      const secretVolumes = (pod.volumes ?? []).filter((v) => v.secret);
      const collectorSecret = secretVolumes.find((v) =>
        v.secret!.secretName.startsWith('journey-collector-secrets'),
      );
      assert.ok(collectorSecret, 'the Secret journey-collector-secrets is mounted');
      const mount = c.volumeMounts?.find((m) => m.name === collectorSecret.name);
      assert.deepEqual(
        COLLECTOR_SECRETS.map((n) => env[`${n}_FILE`]).sort(),
        COLLECTOR_SECRET_KEYS.map((k) => `${mount?.mountPath}/${k}`).sort(),
        'one key of the Secret per variable',
      );
    });

    test('the internet-facing pod gets no ClickHouse password and only the key it must have', () => {
      assert.equal(env.CLICKHOUSE_PASSWORD_FILE, undefined);
      assert.ok(![...files.keys()].some((f) => f.endsWith('/clickhouse-password')), [...files.keys()].join());
      // loadConfig requires PII_HMAC_KEY for every command; it is the only pipeline secret mounted.
      const pipelineSecret = pod.volumes?.find((v) =>
        v.secret?.secretName.startsWith('journey-pipeline-secrets'),
      );
      assert.deepEqual(
        pipelineSecret?.secret?.items?.map((i) => i.key),
        ['pii-hmac-key'],
      );
    });

    test('the Service and the ServiceMonitor reach the container port', () => {
      const svc = find(r.objects, 'Service', 'collector')!.spec as {
        selector: Record<string, string>;
        ports: Array<{ name: string; port: number; targetPort: string | number }>;
      };
      const labels = (deployment.spec as { template: { metadata: { labels: Record<string, string> } } })
        .template.metadata.labels;
      assert.ok(
        Object.entries(svc.selector).every(([k, v]) => labels[k] === v),
        'selects the pods',
      );
      const http = svc.ports.find((p) => p.name === 'http');
      assert.ok(http, 'Service port http');
      assert.ok(c.ports?.some((p) => p.name === http.targetPort || p.containerPort === http.targetPort));
      const monitor = find(r.objects, 'ServiceMonitor', 'journey-pipeline')!.spec as {
        endpoints: Array<{ port: string; path: string }>;
      };
      assert.ok(monitor.endpoints.some((e) => e.port === 'http' && e.path === '/metrics'));
    });

    test('the Ingress ends TLS and publishes the vendor paths, not health or metrics', () => {
      const ingress = find(r.objects, 'Ingress', 'collector')!.spec as IngressSpec;
      const tlsHosts = (ingress.tls ?? []).flatMap((t) => t.hosts ?? []);
      assert.ok(
        ingress.tls?.every((t) => t.secretName),
        'each TLS entry names its certificate Secret',
      );
      for (const rule of ingress.rules) {
        assert.ok(rule.host && tlsHosts.includes(rule.host), `${rule.host} is served over TLS`);
        for (const p of rule.http.paths) {
          assert.equal(p.backend.service.name, 'collector');
          const svc = find(r.objects, 'Service', 'collector')!.spec as {
            ports: Array<{ name: string; port: number }>;
          };
          assert.ok(
            svc.ports.some(
              (x) => x.name === p.backend.service.port.name || x.port === p.backend.service.port.number,
            ),
            `${p.path}: Service port`,
          );
        }
      }
      const samples: Record<string, string[]> = {
        segment: ['/v1/track', '/v1/identify', '/v1/batch', '/v1/import'],
      };
      for (const source of Object.keys(SOURCE_TOPIC)) {
        for (const path of samples[source] ?? [`/webhooks/${source}`]) {
          assert.equal(routeOf(path), source, `${path} is a ${source} path of the collector`);
          assert.ok(routes(ingress, path), `${path} is published`);
        }
      }
      for (const internal of ['/healthz', '/readyz', '/metrics'])
        assert.ok(!routes(ingress, internal), `${internal} is not published`);
    });

    test('the PDB and the HPA keep at least one collector answering', () => {
      const pdb = find(r.objects, 'PodDisruptionBudget', 'collector')!.spec as {
        maxUnavailable?: number;
        selector: { matchLabels: Record<string, string> };
      };
      const labels = (deployment.spec as { template: { metadata: { labels: Record<string, string> } } })
        .template.metadata.labels;
      assert.ok(Object.entries(pdb.selector.matchLabels).every(([k, v]) => labels[k] === v));
      assert.equal(pdb.maxUnavailable, 1);
      const hpa = find(r.objects, 'HorizontalPodAutoscaler', 'collector')!.spec as {
        scaleTargetRef: { kind: string; name: string };
        minReplicas: number;
        maxReplicas: number;
        metrics: Array<{ resource?: { name: string } }>;
      };
      assert.deepEqual([hpa.scaleTargetRef.kind, hpa.scaleTargetRef.name], ['Deployment', 'collector']);
      assert.ok(hpa.minReplicas > (pdb.maxUnavailable ?? 0), 'a drain leaves a replica');
      assert.ok(hpa.maxReplicas > hpa.minReplicas);
      // CPU utilisation is relative to the request: the container must have one.
      if (hpa.metrics.some((m) => m.resource?.name === 'cpu')) assert.ok(c.resources?.requests?.cpu);
    });
  });
}

test('the production overlay: Ingress class, generated collector Secret mounted', () => {
  const r = renderKustomization(repoPath('k8s/overlays/production'), {
    missingFile: (p) => OVERLAY_SECRETS.get(p),
  });
  const { pod } = collectorOf(r);
  const ingress = find(r.objects, 'Ingress', 'collector')!.spec as IngressSpec;
  assert.ok(ingress.ingressClassName, 'ingressClassName');
  assert.ok(routes(ingress, '/webhooks/stripe'), 'the patch kept the rules');
  const secretName = r.generatedNames.get('journey-collector-secrets');
  assert.ok(secretName, 'the overlay generates journey-collector-secrets');
  const data = find(r.objects, 'Secret', secretName)!.data as Record<string, string>;
  assert.deepEqual(Object.keys(data).sort(), [...COLLECTOR_SECRET_KEYS].sort());
  assert.ok(
    pod.volumes!.some((v) => v.secret?.secretName === secretName),
    'the pod mounts it',
  );
});

test('the checks catch a vendor secret as a plain value or from secretKeyRef', () => {
  const r = renderKustomization(repoPath('k8s/base'));
  const { pod, c } = collectorOf(r);
  const bad: Container = {
    ...c,
    env: [
      ...(c.env ?? []).filter((e) => e.name !== 'COLLECTOR_STRIPE_SECRETS_FILE'),
      { name: 'COLLECTOR_STRIPE_SECRETS', value: 'whsec_x' },
      { name: 'COLLECTOR_ZENDESK_SECRETS', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
    ],
  };
  const { env, files, problems } = containerEnvironment(r, pod, bad);
  assert.ok(
    problems.some((p) => p.startsWith('COLLECTOR_ZENDESK_SECRETS:')),
    problems.join('\n'),
  );
  const checked = checkPipelineEnv(env, files);
  assert.ok(
    checked.problems.some((p) => p.startsWith('COLLECTOR_STRIPE_SECRETS:')),
    checked.problems.join('\n'),
  );
});
