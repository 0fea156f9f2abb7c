// k8s/: the base, the production overlay and the single-writer one are rendered (test/deploy/kustomize-render.ts), every
// object is validated against the Kubernetes / KEDA / Prometheus Operator OpenAPI schemas
// (npm kubernetes-models), and what the schemas cannot know is checked against the code: every
// pipeline container's environment passes the config schema with the files it mounts, probes hit
// /readyz and /healthz on HTTP_PORT, containers are locked down, selectors and references resolve,
// KEDA watches the ingest group on the configured brokers, and the PrometheusRule carries the
// example rules with metric names the services export.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS } from '../../services/cli/commands/index.ts';
import { resolvedPartitions } from '../../services/shared/kafka/pipeline-topics.ts';
import { parseJourneyMap } from '../../services/journey/journey-map.ts';
import { parseChurnConfig } from '../../services/churn/churn-config-file.ts';
import {
  STAND_IN_SECRET,
  checkPipelineEnv,
  exportedMetricNames,
  imagePinProblem,
  metricNamesIn,
  readRepoFile,
  readYaml,
  repoPath,
} from './deploy-support.ts';
import { podSpecOf, renderKustomization, strategicMerge } from './kustomize-render.ts';
import type { K8sObject } from './kustomize-render.ts';
import {
  OVERLAY_SECRETS,
  PIPELINE_IMAGE,
  RENDERINGS,
  containerEnvironment,
  find,
  schemaProblems,
} from './k8s-support.ts';
import type { PodSpec } from './k8s-support.ts';

const metricNames = await exportedMetricNames();

for (const [label, dir] of RENDERINGS) {
  describe(`k8s ${label}`, () => {
    const r = renderKustomization(repoPath(dir), { missingFile: (p) => OVERLAY_SECRETS.get(p) });
    const workloads = r.objects.filter((o) =>
      ['Deployment', 'StatefulSet', 'Job', 'CronJob'].includes(o.kind),
    );
    const pods = workloads.map((o) => [o, podSpecOf(o) as unknown as PodSpec] as const);
    // The journey partitioned by account (the default): a route StatefulSet, and the journey
    // scaled by KEDA; k8s/overlays/single removes both and runs the single writer.
    const partitioned = !dir.endsWith('/single');

    test('renders the expected objects', () => {
      const kinds = r.objects.map((o) => `${o.kind}/${o.metadata.name.replace(/-[0-9a-f]{10}$/, '')}`).sort();
      for (const want of [
        'Deployment/ingest',
        'StatefulSet/journey',
        'Deployment/collector',
        'Service/collector',
        'Ingress/collector',
        'PodDisruptionBudget/collector',
        'HorizontalPodAutoscaler/collector',
        'Service/ingest',
        'Service/journey',
        'PodDisruptionBudget/ingest',
        'PodDisruptionBudget/journey',
        'ScaledObject/ingest',
        'ServiceMonitor/journey-pipeline',
        'PrometheusRule/journey-pipeline',
        'ConfigMap/journey-pipeline-env',
        'ConfigMap/journey-maps',
        'ConfigMap/journey-churn',
        ...(partitioned
          ? ['StatefulSet/route', 'Service/route', 'PodDisruptionBudget/route', 'ScaledObject/journey']
          : []),
      ])
        assert.ok(kinds.includes(want), `${want} in ${kinds.join(', ')}`);
      if (!partitioned)
        for (const gone of [
          'StatefulSet/route',
          'Service/route',
          'PodDisruptionBudget/route',
          'ScaledObject/journey',
        ])
          assert.ok(!kinds.includes(gone), `${gone}: not with the single writer`);
    });

    test('every object passes its OpenAPI schema', async () => {
      for (const o of r.objects) {
        const problem = await schemaProblems(o);
        assert.equal(problem, undefined, `${o.kind} ${o.metadata.name}: ${problem}`);
      }
    });

    test("every pipeline container's environment passes the config schema with the files it mounts", () => {
      let checked = 0;
      for (const [w, pod] of pods) {
        for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
          if (!PIPELINE_IMAGE.test(c.image)) continue;
          checked++;
          const where = `${w.kind} ${w.metadata.name} container ${c.name}`;
          assert.ok(c.args?.[0] && c.args[0] in COMMANDS, `${where}: command ${c.args?.[0]}`);
          const { env, files, problems } = containerEnvironment(r, pod, c);
          const checkedEnv = checkPipelineEnv(env, files);
          assert.deepEqual([...problems, ...checkedEnv.problems], [], where);
          // What the pod loads at startup parses: the journey map and the churn config.
          const config = checkedEnv.config!;
          const map = files.get(config.JOURNEY_MAP_FILE) ?? readRepoFile(config.JOURNEY_MAP_FILE);
          assert.doesNotThrow(() => parseJourneyMap(map, config.JOURNEY_MAP_FILE), where);
          const churn = files.get(config.CHURN_CONFIG_FILE) ?? readRepoFile(config.CHURN_CONFIG_FILE);
          assert.ok(parseChurnConfig(churn).ok, `${where}: ${config.CHURN_CONFIG_FILE}`);
        }
      }
      assert.ok(checked >= 5, `${checked} pipeline containers`);
    });

    test('probes: readiness on /readyz, liveness on /healthz, at HTTP_PORT (COLLECTOR_PORT for collect)', () => {
      for (const [w, pod] of pods) {
        for (const c of pod.containers.filter((c) => PIPELINE_IMAGE.test(c.image))) {
          const { env } = containerEnvironment(r, pod, c);
          // `journey collect` serves its probes and metrics on COLLECTOR_PORT, not HTTP_PORT.
          const port =
            c.args?.[0] === 'collect' ? Number(env.COLLECTOR_PORT ?? 8088) : Number(env.HTTP_PORT ?? 9464);
          const resolvePort = (p: number | string | undefined): number | undefined =>
            typeof p === 'number' ? p : c.ports?.find((x) => x.name === p)?.containerPort;
          assert.equal(c.readinessProbe?.httpGet?.path, '/readyz', w.metadata.name);
          assert.equal(c.livenessProbe?.httpGet?.path, '/healthz', w.metadata.name);
          assert.equal(
            resolvePort(c.readinessProbe?.httpGet?.port),
            port,
            `${w.metadata.name} readiness port`,
          );
          assert.equal(resolvePort(c.livenessProbe?.httpGet?.port), port, `${w.metadata.name} liveness port`);
        }
      }
    });

    test('pods run as non-root with read-only root filesystems, no capabilities, resources and pinned images', () => {
      for (const [w, pod] of pods) {
        assert.equal(pod.securityContext?.runAsNonRoot, true, w.metadata.name);
        for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
          const where = `${w.metadata.name}/${c.name}`;
          assert.equal(c.securityContext?.readOnlyRootFilesystem, true, where);
          assert.equal(c.securityContext?.allowPrivilegeEscalation, false, where);
          assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL'], where);
          for (const k of ['cpu', 'memory']) {
            assert.ok(c.resources?.requests?.[k], `${where}: requests.${k}`);
            assert.ok(c.resources?.limits?.[k], `${where}: limits.${k}`);
          }
          assert.equal(imagePinProblem(c.image), undefined, where);
        }
      }
    });

    test('selectors and references resolve', () => {
      const podLabels = workloads.map(
        (w) =>
          (w.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels,
      );
      const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
        Object.entries(selector).every(([k, v]) => labels[k] === v);
      for (const w of workloads) {
        const spec = w.spec as {
          selector: { matchLabels: Record<string, string> };
          template: { metadata: { labels: Record<string, string> } };
          serviceName?: string;
        };
        assert.ok(matches(spec.selector.matchLabels, spec.template.metadata.labels), w.metadata.name);
        if (spec.serviceName)
          assert.ok(find(r.objects, 'Service', spec.serviceName), `${w.metadata.name}: governing service`);
      }
      for (const o of r.objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
        const sel = (o.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
        assert.equal(
          podLabels.filter((l) => matches(sel, l)).length,
          1,
          `PDB ${o.metadata.name} selects one workload`,
        );
      }
      for (const svc of r.objects.filter((o) => o.kind === 'Service')) {
        const spec = svc.spec as {
          selector: Record<string, string>;
          ports: Array<{ name: string; targetPort: string | number }>;
        };
        const selected = pods.filter(([w]) =>
          matches(
            spec.selector,
            (w.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata
              .labels,
          ),
        );
        assert.equal(selected.length, 1, `Service ${svc.metadata.name} selects one workload`);
        for (const p of spec.ports)
          assert.ok(
            selected[0]![1].containers.some((c) =>
              c.ports?.some((x) => x.name === p.targetPort || x.containerPort === p.targetPort),
            ),
            `Service ${svc.metadata.name} port ${p.name}`,
          );
      }
      const monitor = find(r.objects, 'ServiceMonitor', 'journey-pipeline')!.spec as {
        selector: { matchLabels: Record<string, string> };
        endpoints: Array<{ port: string; path: string }>;
      };
      const scraped = r.objects.filter(
        (o) => o.kind === 'Service' && matches(monitor.selector.matchLabels, o.metadata.labels ?? {}),
      );
      assert.deepEqual(scraped.map((s) => s.metadata.name).sort(), [
        'collector',
        'ingest',
        'journey',
        ...(partitioned ? ['route'] : []),
      ]);
      for (const e of monitor.endpoints) {
        assert.equal(e.path, '/metrics');
        for (const s of scraped)
          assert.ok((s.spec as { ports: Array<{ name: string }> }).ports.some((p) => p.name === e.port));
      }
    });

    test('KEDA scales ingest on the lag of its own group at the configured brokers', () => {
      const scaled = find(r.objects, 'ScaledObject', 'ingest')!.spec as {
        scaleTargetRef: { kind: string; name: string };
        maxReplicaCount: number;
        triggers: Array<{ type: string; metadata: Record<string, string> }>;
      };
      const target = find(r.objects, scaled.scaleTargetRef.kind, scaled.scaleTargetRef.name);
      assert.ok(target, 'scale target exists');
      const [, pod] = pods.find(([w]) => w === target)!;
      const { env } = containerEnvironment(r, pod, pod.containers[0]!);
      const config = checkPipelineEnv(
        env,
        new Map([
          [env.PII_HMAC_KEY_FILE!, STAND_IN_SECRET],
          [env.CLICKHOUSE_PASSWORD_FILE!, STAND_IN_SECRET],
        ]),
      ).config!;
      const kafka = scaled.triggers.find((t) => t.type === 'kafka')!;
      assert.equal(kafka.metadata.bootstrapServers, config.KAFKA_BROKERS);
      assert.equal(kafka.metadata.consumerGroup, config.INGEST_GROUP_ID);
      assert.ok(scaled.maxReplicaCount <= config.TOPIC_PARTITIONS, 'no more replicas than raw partitions');
      assert.ok(Number(kafka.metadata.lagThreshold) > 0);
      // The single-writer journey is one writer per partition group: never autoscaled.
      if (!partitioned)
        assert.ok(
          !r.objects.some(
            (o) => o.kind === 'ScaledObject' && (o.spec as typeof scaled).scaleTargetRef.name === 'journey',
          ),
        );
    });

    if (!partitioned)
      test('single: every stage runs the single writer, two journey replicas (an active writer and a standby)', () => {
        for (const [w, pod] of pods)
          for (const c of pod.containers.filter(
            (c) => PIPELINE_IMAGE.test(c.image) && c.args?.[0] !== 'collect',
          )) {
            const { env } = containerEnvironment(r, pod, c);
            assert.equal(env.JOURNEY_TOPOLOGY, 'single', w.metadata.name);
          }
        assert.equal((find(r.objects, 'StatefulSet', 'journey')!.spec as { replicas: number }).replicas, 2);
      });

    if (partitioned)
      test('partitioned: every stage runs the topology; KEDA scales the journey on its lag over the resolved topic, within its partitions; the route is one writer and a standby', () => {
        const envOf = (name: string) => {
          const [, pod] = pods.find(([w]) => w.metadata.name === name)!;
          const { env } = containerEnvironment(r, pod, pod.containers[0]!);
          return checkPipelineEnv(
            env,
            new Map([
              [env.PII_HMAC_KEY_FILE!, STAND_IN_SECRET],
              [env.CLICKHOUSE_PASSWORD_FILE!, STAND_IN_SECRET],
            ]),
          ).config!;
        };
        for (const name of ['ingest', 'route', 'journey'])
          assert.equal(envOf(name).JOURNEY_TOPOLOGY, 'partitioned', name);
        const config = envOf('journey');
        const route = find(r.objects, 'StatefulSet', 'route')!;
        assert.equal((podSpecOf(route) as unknown as PodSpec).containers[0]!.args?.[0], 'route');
        assert.equal((route.spec as { replicas: number }).replicas, 2, 'an active writer and a standby');
        const scaled = find(r.objects, 'ScaledObject', 'journey')!.spec as {
          scaleTargetRef: { kind: string; name: string };
          minReplicaCount: number;
          maxReplicaCount: number;
          triggers: Array<{ type: string; metadata: Record<string, string> }>;
        };
        assert.deepEqual(
          [scaled.scaleTargetRef.kind, scaled.scaleTargetRef.name],
          ['StatefulSet', 'journey'],
        );
        const kafka = scaled.triggers.find((t) => t.type === 'kafka')!;
        assert.equal(kafka.metadata.bootstrapServers, config.KAFKA_BROKERS);
        assert.equal(kafka.metadata.consumerGroup, config.JOURNEY_GROUP_ID);
        assert.equal(kafka.metadata.topic, config.TOPIC_RESOLVED);
        assert.ok(
          scaled.maxReplicaCount <= resolvedPartitions(config),
          'no more journey replicas than resolved partitions',
        );
        assert.ok(scaled.minReplicaCount >= 1 && scaled.minReplicaCount <= scaled.maxReplicaCount);
      });

    test('the PrometheusRule carries the example rules, on metrics the services export', () => {
      const rule = find(r.objects, 'PrometheusRule', 'journey-pipeline')!.spec as {
        groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
      };
      const example = readYaml<{ groups: unknown }>('deploy/prometheus/churn-alerts.rules.yml');
      assert.deepEqual(
        rule.groups,
        example.groups,
        'k8s/base/prometheus-rule.yaml = deploy/prometheus/churn-alerts.rules.yml',
      );
      const alerts = rule.groups.flatMap((g) => g.rules);
      for (const want of ['JourneyConsumerLagHigh', 'JourneyDeadLettersArriving', 'ChurnAlertStorm'])
        assert.ok(
          alerts.some((a) => a.alert === want),
          want,
        );
      for (const a of alerts) {
        const names = metricNamesIn(a.expr);
        // JourneyStageDown watches Prometheus' own `up` series of the pipeline's scrape jobs.
        assert.ok(names.length > 0 || /\bup\{job=~?"[^"]*journey/.test(a.expr), a.alert);
        for (const n of names) assert.ok(metricNames.has(n), `${a.alert}: ${n} is not exported`);
      }
    });
  });
}

test('the production overlay sets the namespace, the image, replicas and its patches', () => {
  const r = renderKustomization(repoPath('k8s/overlays/production'), {
    missingFile: (p) => OVERLAY_SECRETS.get(p),
  });
  for (const o of r.objects)
    if (o.kind !== 'Namespace') assert.equal(o.metadata.namespace, 'journey', `${o.kind} ${o.metadata.name}`);
  const journey = podSpecOf(find(r.objects, 'StatefulSet', 'journey')!) as unknown as PodSpec;
  assert.equal(journey.containers[0]!.image, 'registry.example.com/data-platform/journey-pipeline:0.1.0');
  assert.equal(journey.containers[0]!.resources?.limits?.memory, '4Gi');
  assert.equal(journey.containers[0]!.readinessProbe?.httpGet?.path, '/readyz', 'the patch kept the rest');
  assert.equal((find(r.objects, 'Deployment', 'ingest')!.spec as { replicas: number }).replicas, 3);
  const envName = r.generatedNames.get('journey-pipeline-env')!;
  assert.equal((find(r.objects, 'ConfigMap', envName)!.data as Record<string, string>).LOG_LEVEL, 'warn');
  const secretName = r.generatedNames.get('journey-pipeline-secrets')!;
  assert.ok(
    journey.volumes!.some((v) => v.secret?.secretName === secretName),
    'pods mount the generated Secret',
  );
  assert.equal(readRepoFile('k8s/overlays/production/.gitignore').trim(), 'secrets/');
});

test('the ConfigMaps carry config/ unchanged (copies kustomize can load)', () => {
  for (const file of ['churn.yaml', 'journeys/b2b-saas.yaml', 'journeys/b2c.yaml'])
    assert.equal(
      readRepoFile(`k8s/base/config/${file}`),
      readRepoFile(`config/${file}`),
      `cp config/${file} k8s/base/config/${file}`,
    );
  const r = renderKustomization(repoPath('k8s/base'));
  const maps = find(r.objects, 'ConfigMap', r.generatedNames.get('journey-maps')!)!.data as Record<
    string,
    string
  >;
  assert.deepEqual(Object.keys(maps).sort(), ['b2b-saas.yaml', 'b2c.yaml']);
});

test('the renderer: strategic merge by name, unknown fields refused, and schema errors are caught', async () => {
  const merged = strategicMerge(
    {
      containers: [
        { name: 'a', image: 'x', args: ['1'] },
        { name: 'b', image: 'y' },
      ],
    },
    { containers: [{ name: 'b', image: 'z' }] },
  );
  assert.deepEqual(merged, {
    containers: [
      { name: 'a', image: 'x', args: ['1'] },
      { name: 'b', image: 'z' },
    ],
  });
  const bad: K8sObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x' },
    spec: {
      selector: {},
      template: { spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 'http' }] }] } },
    },
  };
  assert.match((await schemaProblems(bad)) ?? '', /containerPort/);
  assert.match((await schemaProblems({ ...bad, apiVersion: 'apps/v2' })) ?? '', /no schema package/);
});
