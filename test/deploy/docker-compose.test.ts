// deploy/docker-compose.yml and deploy/Dockerfile stay runnable without Docker to try them: the
// file parses, every image is pinned, every long-running service has a healthcheck, depends_on
// names real services with conditions they can meet, and every pipeline container's environment
// is one the CLI accepts at startup (known variable names, values that pass the schema, secrets as
// mounted files). Prometheus scrapes every stage; Grafana's provisioning files exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { COMPOSE_GO_VERSION, composeSpecSchema } from '../support/compose-spec-schema.ts';
import { COMMANDS } from '../../services/cli/commands/index.ts';
import { SECRET_VARIABLES } from '../../services/shared/config/config.ts';
import {
  STAND_IN_SECRET,
  checkPipelineEnv,
  imagePinProblem,
  readRepoFile,
  readYaml,
  repoFileExists,
} from './deploy-support.ts';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number | boolean>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  secrets?: string[];
  volumes?: string[];
  ports?: string[];
  read_only?: boolean;
  cap_drop?: string[];
}
interface Compose {
  services: Record<string, ComposeService>;
  secrets: Record<string, { environment?: string; file?: string }>;
  volumes: Record<string, unknown>;
}

const COMPOSE_PATH = 'deploy/docker-compose.yml';
const compose = readYaml<Compose>(COMPOSE_PATH);
const services = Object.entries(compose.services);
const pipeline = services.filter(([, s]) => s.build !== undefined);
const oneShot = (s: ComposeService): boolean => s.restart === 'no';
/** A service's environment as compose interpolates it: `${NAME:-default}` from `vars`, else the default. */
const envOf = (s: ComposeService, vars: Record<string, string> = {}): Record<string, string> =>
  Object.fromEntries(
    Object.entries(s.environment ?? {}).map(([k, v]) => [
      k,
      String(v).replace(/\$\{([A-Z_][A-Z0-9_]*):?-([^}]*)\}/g, (_, name: string, fallback: string) =>
        vars[name] ? vars[name] : fallback,
      ),
    ]),
  );

test('the compose file has the stack: Kafka, registry, ClickHouse, the stages, Prometheus, Grafana', () => {
  for (const name of [
    'kafka',
    'schema-registry',
    'clickhouse',
    'ingest',
    'journey',
    'collector',
    'prometheus',
    'alertmanager',
    'grafana',
  ])
    assert.ok(compose.services[name], name);
  assert.deepEqual(pipeline.map(([n]) => n).sort(), [
    'collector',
    'ingest',
    'journey',
    'migrate',
    'route',
    'topics',
  ]);
});

test(`the file is valid against the Compose Specification schema (compose-go ${COMPOSE_GO_VERSION}, as docker compose checks it)`, async () => {
  const validate = new Ajv2020({ strict: false, allErrors: true, logger: false }).compile(
    await composeSpecSchema(),
  );
  const text = readFileSync(new URL(`../../${COMPOSE_PATH}`, import.meta.url), 'utf8');
  const file = parse(text, { merge: true }) as Compose;
  assert.ok(validate(file), JSON.stringify(validate.errors, null, 1));
  // …and the check can fail: a misspelt key and a wrong type are refused.
  const broken = structuredClone(file) as unknown as { services: Record<string, Record<string, unknown>> };
  broken.services.ingest!.depends_onn = {};
  broken.services.journey!.restart = 7;
  assert.equal(validate(broken), false);
  const paths = (validate.errors ?? []).map((e) => e.instancePath);
  assert.ok(
    paths.includes('/services/ingest') && paths.includes('/services/journey/restart'),
    paths.join(', '),
  );
});

test('every image is pinned to a version tag', () => {
  for (const [name, s] of services) {
    assert.ok(s.image, `${name}: image`);
    const problem = imagePinProblem(s.image);
    assert.equal(problem, undefined, `${name}: ${problem}`);
  }
  const pinned = /^pinned="([\d.]+)"$/m.exec(readRepoFile('scripts/ensure-node.sh'))?.[1];
  const from = /^FROM (\S+)$/m.exec(readRepoFile('deploy/Dockerfile'))?.[1];
  assert.equal(from, `node:${pinned}-slim`, 'the image runs the Node version scripts/ensure-node.sh pins');
});

test('long-running services have healthchecks; one-shot jobs do not restart', () => {
  for (const [name, s] of services) {
    if (oneShot(s)) continue;
    assert.ok(s.healthcheck?.test?.length, `${name}: healthcheck`);
  }
  assert.ok(oneShot(compose.services.topics!) && oneShot(compose.services.migrate!));
});

test('depends_on names existing services with conditions they can meet', () => {
  for (const [name, s] of services) {
    for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
      const target = compose.services[dep];
      assert.ok(target, `${name} depends on unknown service ${dep}`);
      if (condition === 'service_healthy')
        assert.ok(target.healthcheck, `${name}: ${dep} has no healthcheck`);
      else if (condition === 'service_completed_successfully')
        assert.ok(oneShot(target), `${name}: ${dep} never completes`);
      else assert.equal(condition, 'service_started', `${name} -> ${dep}`);
    }
  }
  // The stages start only after the topics exist and ClickHouse is migrated.
  for (const stage of ['ingest', 'journey', 'route']) {
    const deps = compose.services[stage]!.depends_on!;
    assert.equal(deps.topics?.condition, 'service_completed_successfully', stage);
    assert.equal(deps.migrate?.condition, 'service_completed_successfully', stage);
  }
  // The collector writes the raw topics: they exist (with their partitions) before it starts.
  const collectorDeps = compose.services.collector!.depends_on!;
  assert.equal(collectorDeps.topics?.condition, 'service_completed_successfully');
  assert.equal(collectorDeps.kafka?.condition, 'service_healthy');
});

/** The port a pipeline service serves /readyz and /metrics on: `collect` has its own. */
const probePort = (s: ComposeService, config: { HTTP_PORT: number; COLLECTOR_PORT: number }): number =>
  s.command?.[0] === 'collect' ? config.COLLECTOR_PORT : config.HTTP_PORT;

test("every pipeline container's environment passes the config schema, secrets as files", () => {
  for (const [name, s] of pipeline) {
    const command = s.command?.[0];
    assert.ok(command && command in COMMANDS, `${name}: command ${command}`);
    assert.equal(s.build!.dockerfile, 'deploy/Dockerfile');
    assert.ok(s.read_only && s.cap_drop?.includes('ALL'), `${name}: read-only root, no capabilities`);
    for (const secret of s.secrets ?? []) assert.ok(compose.secrets[secret], `${name}: secret ${secret}`);
    const mounted = new Map((s.secrets ?? []).map((secret) => [`/run/secrets/${secret}`, STAND_IN_SECRET]));
    const { problems, config } = checkPipelineEnv(envOf(s), mounted);
    assert.deepEqual(problems, [], name);
    // The probe and the scrape target use the port the service listens on.
    if (!oneShot(s)) {
      assert.match(
        s.healthcheck!.test.join(' '),
        new RegExp(`127\\.0\\.0\\.1:${probePort(s, config!)}/readyz`),
        name,
      );
    }
  }
});

test('the collector: published port, every vendor secret from a mounted file, no ClickHouse password', () => {
  const s = compose.services.collector!;
  assert.equal(s.command?.[0], 'collect');
  const env = envOf(s);
  const mounted = new Map((s.secrets ?? []).map((secret) => [`/run/secrets/${secret}`, STAND_IN_SECRET]));
  const { problems, config } = checkPipelineEnv(env, mounted);
  assert.deepEqual(problems, []);
  assert.ok(
    s.ports?.includes(`${config!.COLLECTOR_PORT}:${config!.COLLECTOR_PORT}`),
    'COLLECTOR_PORT is published',
  );
  for (const name of [...SECRET_VARIABLES].filter((v) => v.startsWith('COLLECTOR_'))) {
    const file = env[`${name}_FILE`];
    assert.ok(file && mounted.has(file), `${name}_FILE is a mounted secret`);
    assert.equal(config![name as keyof typeof config], STAND_IN_SECRET, `${name} is read from ${file}`);
  }
  assert.ok(!s.secrets?.includes('clickhouse_password'), 'the collector never talks to ClickHouse');
});

test('the topology: partitioned by default in every stage, the route among the default services; JOURNEY_TOPOLOGY=single reaches every stage', () => {
  const stages = pipeline.filter(([, s]) => !oneShot(s));
  for (const [name, s] of stages) {
    const mounted = new Map((s.secrets ?? []).map((secret) => [`/run/secrets/${secret}`, STAND_IN_SECRET]));
    const partitioned = checkPipelineEnv(envOf(s), mounted);
    const single = checkPipelineEnv(envOf(s, { JOURNEY_TOPOLOGY: 'single' }), mounted);
    assert.deepEqual([...single.problems, ...partitioned.problems], [], name);
    assert.equal(partitioned.config!.JOURNEY_TOPOLOGY, 'partitioned', `${name}: partitioned by default`);
    assert.equal(single.config!.JOURNEY_TOPOLOGY, 'single', name);
  }
  const withProfile = (s: ComposeService & { profiles?: string[] }) => s.profiles ?? [];
  assert.equal(compose.services.route!.command?.[0], 'route');
  for (const [name, s] of services) assert.deepEqual(withProfile(s), [], `${name} runs in every profile`);
  // Nothing waits for the route: `--scale route=0` (the single writer) leaves every other service.
  for (const [name, s] of services)
    assert.ok(!('route' in (s.depends_on ?? {})), `${name} depends on the route`);
  // The route and the journey agree on the journey's group.
  assert.equal(
    envOf(compose.services.route!).JOURNEY_GROUP_ID,
    envOf(compose.services.journey!).JOURNEY_GROUP_ID,
  );
});

test('the checks above catch a typo, a bad value and a plain secret', () => {
  const env = { ...envOf(compose.services.ingest!), KAFKA_BROKER: 'kafka:9092', TOPIC_PARTITIONS: 'six' };
  const withPlain = { ...env, PII_HMAC_KEY: 'x'.repeat(32) };
  const mounted = new Map([['/run/secrets/pii_hmac_key', STAND_IN_SECRET]]);
  const { problems } = checkPipelineEnv(withPlain, mounted);
  assert.ok(
    problems.some((p) => p.startsWith('KAFKA_BROKER:')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.startsWith('TOPIC_PARTITIONS:')),
    problems.join('\n'),
  );
  assert.ok(
    problems.some((p) => p.startsWith('PII_HMAC_KEY:')),
    problems.join('\n'),
  );
  // CLICKHOUSE_PASSWORD_FILE points at a secret that is not mounted here.
  assert.ok(
    problems.some((p) => p.startsWith('CLICKHOUSE_PASSWORD_FILE:')),
    problems.join('\n'),
  );
});

test('Prometheus scrapes every stage at its HTTP_PORT (the collector at COLLECTOR_PORT) and loads rule files that exist', () => {
  const prometheus = readYaml<{
    rule_files: string[];
    scrape_configs: Array<{
      static_configs?: Array<{ targets: string[] }>;
      dns_sd_configs?: Array<{ names: string[]; port: number }>;
    }>;
  }>('deploy/prometheus/prometheus.yml');
  const targets = prometheus.scrape_configs.flatMap((c) => [
    ...(c.static_configs ?? []).flatMap((s) => s.targets),
    // Found by DNS: a service scaled to 0 (the route beside the single writer) is no target and no alert.
    ...(c.dns_sd_configs ?? []).flatMap((d) => d.names.map((n) => `${n}:${d.port}`)),
  ]);
  for (const [name, s] of pipeline.filter(([, s]) => !oneShot(s))) {
    const port = s.command?.[0] === 'collect' ? envOf(s).COLLECTOR_PORT : envOf(s).HTTP_PORT;
    assert.ok(port, `${name}: its port is set`);
    assert.ok(targets.includes(`${name}:${port}`), `${name} is scraped`);
  }
  const mounts = compose.services.prometheus!.volumes ?? [];
  for (const file of prometheus.rule_files) {
    assert.ok(repoFileExists(`deploy/prometheus/${file}`), file);
    assert.ok(
      mounts.some((m) => m.endsWith(`:/etc/prometheus/${file}:ro`)),
      `${file} is mounted`,
    );
  }
});

test('Prometheus sends alerts to the alertmanager service, whose config routes them to a defined receiver', () => {
  const alertmanager = compose.services.alertmanager;
  assert.ok(alertmanager, 'an alertmanager service');
  assert.match(alertmanager.image ?? '', /^prom\/alertmanager:/);
  const prometheus = readYaml<{
    alerting?: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
  }>('deploy/prometheus/prometheus.yml');
  const targets = (prometheus.alerting?.alertmanagers ?? []).flatMap((a) =>
    a.static_configs.flatMap((s) => s.targets),
  );
  assert.deepEqual(targets, ['alertmanager:9093']);
  const configFlag = alertmanager.command?.find((c) => c.startsWith('--config.file='));
  const inContainer = configFlag?.slice('--config.file='.length) ?? '/etc/alertmanager/alertmanager.yml';
  const mount = (alertmanager.volumes ?? []).find((v) => v.split(':')[1] === inContainer);
  assert.ok(
    mount && mount.startsWith('./alertmanager/'),
    `${inContainer} is mounted from deploy/alertmanager/`,
  );
  interface Route {
    receiver?: string;
    routes?: Route[];
  }
  const config = readYaml<{
    route?: Route;
    receivers?: Array<{ name: string; webhook_configs?: Array<{ url?: string }> }>;
  }>(`deploy/${mount.split(':')[0]!.slice(2)}`);
  const receivers = new Map((config.receivers ?? []).map((r) => [r.name, r]));
  assert.ok(config.route?.receiver, 'a root route with a default receiver');
  const walk = (route: Route): void => {
    if (route.receiver) assert.ok(receivers.has(route.receiver), `undefined receiver ${route.receiver}`);
    route.routes?.forEach(walk);
  };
  walk(config.route);
  assert.ok(
    receivers.get(config.route.receiver)?.webhook_configs?.[0]?.url,
    'the default receiver is a webhook',
  );
});

test('bind mounts point at files in deploy/; named volumes are declared', () => {
  for (const [name, s] of services) {
    for (const volume of s.volumes ?? []) {
      const source = volume.split(':')[0]!;
      if (source.startsWith('./'))
        assert.ok(repoFileExists(`deploy/${source.slice(2)}`), `${name}: ${source}`);
      else assert.ok(source in compose.volumes, `${name}: volume ${source}`);
    }
  }
});

test('Grafana gets the ClickHouse plugin its provisioned datasource needs', () => {
  const grafana = compose.services.grafana!;
  const plugin = String(grafana.environment?.GF_PLUGINS_PREINSTALL_SYNC).split('@');
  assert.match(plugin[1] ?? '', /^\d+\.\d+\.\d+$/, 'plugin version pinned');
  const datasources = readYaml<{
    datasources: Array<{ type: string; secureJsonData?: Record<string, string> }>;
  }>('deploy/grafana/provisioning/datasources/datasources.yml').datasources;
  assert.ok(datasources.some((d) => d.type === plugin[0]));
  const passwordFile = /\$__file\{([^}]+)\}/.exec(
    datasources.find((d) => d.type === plugin[0])?.secureJsonData?.password ?? '',
  )?.[1];
  assert.ok(passwordFile && grafana.secrets?.some((s) => passwordFile === `/run/secrets/${s}`));
});

test('the Dockerfile copies what the services read at run time and runs as a non-root user', () => {
  const dockerfile = readRepoFile('deploy/Dockerfile');
  for (const [, source] of dockerfile.matchAll(/^COPY (\S+)/gm)) assert.ok(repoFileExists(source!), source);
  for (const needed of ['services/', 'schemas/', 'config/', 'package-lock.json'])
    assert.match(dockerfile, new RegExp(`^COPY .*${needed}`, 'm'), needed);
  const user = /^USER (\S+)$/m.exec(dockerfile)?.[1] ?? 'root';
  assert.ok(user !== 'root' && !user.startsWith('0'), `USER ${user}`);
  assert.match(dockerfile, /^ENTRYPOINT \["node", "services\/cli\/main\.ts"\]$/m);
  const ignored = readRepoFile('.dockerignore')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
  for (const path of ['node_modules', '.local', '.tools', '.git']) assert.ok(ignored.includes(path), path);
  for (const path of ['services', 'schemas', 'config']) assert.ok(!ignored.includes(path), path);
});

test('the image installs production dependencies only, and every module the CLI loads needs no other', () => {
  assert.match(readRepoFile('deploy/Dockerfile'), /npm (install|ci) --omit=dev/);
  const pkg = JSON.parse(readRepoFile('package.json')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  assert.ok(!('chdb' in pkg.dependencies) && 'chdb' in pkg.devDependencies, 'chdb is for dev and tests');
  // The static import graph from the entry point (type-only imports are erased at run time).
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readRepoFile(file);
    for (const [, spec] of text.matchAll(/^import (?!type )[^'"]*?['"]([^'"]+)['"]/gm))
      visitSpec(file, spec!);
    for (const [, spec] of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) visitSpec(file, spec!);
    for (const [, spec] of text.matchAll(/^export (?!type )[^'";]*? from ['"]([^'"]+)['"]/gm))
      visitSpec(file, spec!);
  };
  const visitSpec = (from: string, spec: string): void => {
    if (spec.startsWith('.')) visit(join(dirname(from), spec));
    else if (!spec.startsWith('node:'))
      packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
  };
  visit('services/cli/main.ts');
  assert.ok(seen.size > 100, `${seen.size} modules`);
  const missing = [...packages].filter((p) => !(p in pkg.dependencies));
  assert.deepEqual(missing, [], 'packages the CLI loads that the image would not install');
});
