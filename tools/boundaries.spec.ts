import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '..');
const run = promisify(execFile);

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/**
 * Each boundary rule of .dependency-cruiser.cjs and .dependency-cruiser.runtime.cjs, caught in the
 * act: a small tree laid out like this repository, one violation per rule, cruised by the real CLI
 * with the real configs (as `npm run lint` does).
 */
describe('import boundaries (dependency-cruiser)', () => {
  let dir: string;
  let violations: Violation[];

  const files: Record<string, string> = {
    // worker-no-database, directly and through a lib's worker side
    'apps/worker/src/main.ts': `import '../../../libs/db/src/index';\nimport '../../../libs/currency/src/worker/index';`,
    'libs/db/src/index.ts': `export const db = 1;`,
    'libs/currency/src/worker/index.ts': `import { DataSource } from 'typeorm';\nexport const x = DataSource;`,
    // gateway-not-worker
    'apps/gateway/src/main.ts': `import '../../../libs/plans/src/worker/index';`,
    'libs/plans/src/worker/index.ts': `export const feed = 1;`,
    // cpu-functions-light; a type-only import loads nothing, so it is no violation at run time
    'libs/plans/src/worker/parse.cpu.ts': `import '@nestjs/common';`,
    'libs/plans/src/worker/typed.cpu.ts': `import type { Logger } from '@nestjs/common';\nexport type L = Logger;`,
    // a cycle of types only is a cycle too
    'libs/users/src/gateway/a.ts': `import type { B } from './b';\nexport type A = B | 1;`,
    'libs/users/src/gateway/b.ts': `import type { A } from './a';\nexport type B = A | 2;`,
    // libs-not-apps
    'libs/users/src/gateway/index.ts': `import '../../../../apps/gateway/src/tasks.controller';`,
    'apps/gateway/src/tasks.controller.ts': `export const c = 1;`,
    // contracts-standalone and config-standalone
    'libs/contracts/src/index.ts': `import '../../common/src/index';`,
    'libs/config/src/index.ts': `import '../../contracts/src/index';`,
    // common-below-infrastructure (and a cycle: common -> messaging -> common)
    'libs/common/src/index.ts': `import '../../messaging/src/index';`,
    'libs/messaging/src/index.ts': `import '../../common/src/index';\nimport '../../db/src/index';`,
    // layers-point-down
    'libs/db/src/migrate.ts': `import '../../tasks/src/gateway/index';`,
    'libs/tasks/src/gateway/index.ts': `export const t = 1;`,
    // entry-points-only
    'libs/plans/src/gateway/index.ts': `import '../../../tasks/src/gateway/tasks.repository';`,
    'libs/tasks/src/gateway/tasks.repository.ts': `export const r = 1;`,
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'commonjs', moduleResolution: 'node' } }),
  };

  /** Exit code 1 means "violations found": the report is on stdout either way. */
  async function cruise(config: string): Promise<Violation[]> {
    const out = await run(
      join(ROOT, 'node_modules/.bin/depcruise'),
      ['--config', join(ROOT, config), '--output-type', 'json', 'apps', 'libs'],
      { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
    ).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    return (JSON.parse(out.stdout) as { summary: { violations: Violation[] } }).summary.violations;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'boundaries-'));
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    violations = [
      ...(await cruise('.dependency-cruiser.cjs')),
      ...(await cruise('.dependency-cruiser.runtime.cjs')),
    ];
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const caught = (rule: string) =>
    violations.filter((v) => v.rule.name === rule).map((v) => `${v.from} -> ${v.to}`);

  it('catches a worker import of the database, direct or through another module', () => {
    expect(caught('worker-not-gateway')).toEqual(['apps/worker/src/main.ts -> libs/db/src/index.ts']);
    expect(caught('worker-no-database')).toEqual(
      expect.arrayContaining([
        'apps/worker/src/main.ts -> libs/db/src/index.ts',
        expect.stringMatching(/^libs\/currency\/src\/worker\/index\.ts -> .*node_modules\/typeorm\//),
      ]),
    );
  });

  it('catches an import cycle, also one of types only', () => {
    expect(caught('no-circular')).toEqual(
      expect.arrayContaining([
        'libs/common/src/index.ts -> libs/messaging/src/index.ts',
        'libs/users/src/gateway/a.ts -> libs/users/src/gateway/b.ts',
      ]),
    );
  });

  it('catches the gateway loading a worker side', () => {
    expect(caught('gateway-not-worker')).toEqual([
      'apps/gateway/src/main.ts -> libs/plans/src/worker/index.ts',
    ]);
  });

  it('catches a CPU function that loads Nest (a type import of it is no load)', () => {
    expect(caught('cpu-functions-light')).toEqual([
      expect.stringMatching(/^libs\/plans\/src\/worker\/parse\.cpu\.ts -> .*node_modules\/@nestjs\/common\//),
    ]);
  });

  it('catches a library importing an app', () => {
    expect(caught('libs-not-apps')).toEqual([
      'libs/users/src/gateway/index.ts -> apps/gateway/src/tasks.controller.ts',
    ]);
  });

  it('catches contracts and config importing the project', () => {
    expect(caught('contracts-standalone')).toEqual([
      'libs/contracts/src/index.ts -> libs/common/src/index.ts',
    ]);
    expect(caught('config-standalone')).toEqual(['libs/config/src/index.ts -> libs/contracts/src/index.ts']);
  });

  it('catches arrows that point up the layers', () => {
    expect(caught('common-below-infrastructure')).toEqual([
      'libs/common/src/index.ts -> libs/messaging/src/index.ts',
    ]);
    expect(caught('layers-point-down')).toEqual([
      'libs/db/src/migrate.ts -> libs/tasks/src/gateway/index.ts',
    ]);
    expect(caught('infrastructure-apart')).toEqual(['libs/messaging/src/index.ts -> libs/db/src/index.ts']);
  });

  it('catches a reach into another library past its entry point', () => {
    expect(caught('entry-points-only')).toEqual([
      'libs/plans/src/gateway/index.ts -> libs/tasks/src/gateway/tasks.repository.ts',
    ]);
  });
});
