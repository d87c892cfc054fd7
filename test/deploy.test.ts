/**
 * docker-compose.yml and the Dockerfile, held to what was checked against the images' documented behaviour
 * (there is no Docker engine here to run them): pinned tags, ClickHouse on the embedded engine's branch, no
 * entrypoint writing into the read-only users files, one migrator before every service, healthchecks on
 * /readyz with a restart policy and a processor that exits on a stall, installs from the lock without chdb.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = path.resolve(import.meta.dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  restart?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const ours = Object.entries(services).filter(([, s]) => s.build);
const dockerfile = read('Dockerfile');

describe('docker-compose.yml', () => {
  it('pins every image to a full version', () => {
    const images = Object.values(services).flatMap((s) => (s.image ? [s.image] : []));
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image, image).toMatch(/:\d+\.\d+\.\d+(\.\d+)?$/);
  });

  it('runs ClickHouse of the branch the project embeds and tests on', () => {
    const engine = JSON.parse(read('node_modules/@chdb/lib-linux-x64-gnu/package.json')) as { version: string };
    const branch = engine.version.split('.').slice(0, 2).join('.');
    expect(services.clickhouse!.image).toMatch(new RegExp(`^clickhouse/clickhouse-server:${branch.replace('.', '\\.')}\\.\\d+\\.\\d+$`));
    // The tests' container, when Docker answers, is the same image.
    expect(read('test/support/global-setup.ts')).toContain(`GenericContainer('${services.clickhouse!.image}')`);
  });

  it('gives ClickHouse the project\'s users read-only, each file of users.d, and nothing that makes its entrypoint write there', () => {
    const clickhouse = services.clickhouse!;
    const env = clickhouse.environment ?? {};
    expect(Object.keys(env)).not.toContain('CLICKHOUSE_PASSWORD');
    expect(Object.keys(env)).not.toContain('CLICKHOUSE_USER');
    expect(env.CLICKHOUSE_SKIP_USER_SETUP).toBe('1');
    const mounts = (clickhouse.volumes ?? []).filter((v) => v.includes('/etc/clickhouse-server/users.d'));
    for (const mount of mounts) expect(mount, mount).toMatch(/:ro$/);
    const mounted = mounts.map((m) => path.basename(m.split(':')[0]!)).sort();
    expect(mounted).toEqual(readdirSync(path.join(ROOT, 'deploy/clickhouse/users.d')).sort());
    for (const file of mounted) expect(mounts.some((m) => m.includes(`users.d/${file}:/etc/clickhouse-server/users.d/${file}:ro`)), file).toBe(true);
  });

  it('migrates once, before any service starts', () => {
    const migrate = services.migrate!;
    expect(migrate.command).toEqual(['migrate']);
    expect(migrate.restart).toBe('no');
    expect(migrate.depends_on?.clickhouse?.condition).toBe('service_healthy');
    const others = ours.filter(([name]) => name !== 'migrate');
    expect(others.map(([name]) => name).sort()).toEqual(['api', 'ingest', 'processor']);
    for (const [name, service] of others) expect(service.depends_on?.migrate?.condition, name).toBe('service_completed_successfully');
  });

  it('checks /readyz, restarts what exits, and lets a stalled processor exit', () => {
    for (const [name, service] of ours.filter(([n]) => n !== 'migrate')) {
      expect(service.healthcheck?.test?.join(' '), name).toContain('/readyz');
      expect(service.restart, name).toBe('unless-stopped');
    }
    expect(Number(services.processor!.environment?.STALL_EXIT_SECONDS)).toBeGreaterThan(0);
  });
});

describe('Dockerfile', () => {
  it('pins its base image', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:\d+\.\d+\.\d+-[\w-]+$/m);
    for (const from of dockerfile.match(/^FROM \S+/gm) ?? []) expect(from).toMatch(/^FROM (\$\{NODE_IMAGE\}|manifest)$/);
  });

  it('installs from the lock file only, without the embedded engine', () => {
    const runs = (dockerfile.match(/^RUN .*$/gm) ?? []).join('\n');
    expect(runs).not.toMatch(/npm (install|i|add) /);
    expect(runs).toMatch(/npm ci --omit=dev/);
    expect(runs).toMatch(/npm pkg delete dependencies\.chdb/);
  });

  it('copies every folder the command line imports', () => {
    // The project's own modules reachable from bin/grouppulse.ts (relative imports), by top folder.
    const seen = new Set<string>();
    const pending = [path.join(ROOT, 'bin', 'grouppulse.ts')];
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = path.resolve(path.dirname(file), spec!);
        if (existsSync(target) && /\.(ts|js|mjs)$/.test(target)) pending.push(target);
      }
    }
    const folders = [...new Set([...seen].map((f) => path.relative(ROOT, f).split(path.sep)[0]!))].sort();
    const copied = [...dockerfile.matchAll(/^COPY (\w+) \.\/\1$/gm)].map((m) => m[1]!);
    expect(folders.length).toBeGreaterThan(5);
    expect(folders.filter((f) => !copied.includes(f)), 'imported, not in the image').toEqual([]);
  });
});
