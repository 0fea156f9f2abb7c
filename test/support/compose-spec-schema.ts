// The Compose Specification's JSON schema as `docker compose` itself validates with it: the one in
// github.com/compose-spec/compose-go/v2 (the library behind `docker compose config`), taken from
// the Go module proxy (a package registry; GOPROXY is honoured) and cached under .tools/. No Docker
// engine is needed to check that deploy/docker-compose.yml is a valid Compose file.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const COMPOSE_GO_VERSION = 'v2.16.2';
const MODULE = 'github.com/compose-spec/compose-go/v2';
const TOOLS = new URL('../../.tools/', import.meta.url).pathname;

export async function composeSpecSchema(): Promise<Record<string, unknown>> {
  const zip = join(TOOLS, `compose-go-${COMPOSE_GO_VERSION}.zip`);
  if (!existsSync(zip)) {
    const proxy = (process.env.GOPROXY ?? 'https://proxy.golang.org').split(/[,|]/)[0]!.replace(/\/$/, '');
    const response = await fetch(`${proxy}/${MODULE}/@v/${COMPOSE_GO_VERSION}.zip`);
    if (!response.ok) throw new Error(`the Go module proxy answered ${response.status} for ${MODULE}`);
    mkdirSync(TOOLS, { recursive: true });
    writeFileSync(`${zip}.part`, Buffer.from(await response.arrayBuffer()));
    execFileSync('mv', [`${zip}.part`, zip]);
  }
  const text = execFileSync(
    'unzip',
    ['-p', zip, `${MODULE}@${COMPOSE_GO_VERSION}/schema/compose-spec.json`],
    {
      maxBuffer: 16 << 20,
    },
  );
  return JSON.parse(text.toString('utf8')) as Record<string, unknown>;
}
