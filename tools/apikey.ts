import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ApiKeysRepository, ApiKeysService } from '@conveyor/access/gateway';
import { loadConfig } from '@conveyor/config';
import { Database, createDataSource } from '@conveyor/db';

const USAGE = `usage: npm run apikey -- <command>
  create --name <name> --scopes <scope,scope> [--expires-at <ISO time>]   prints the new key (once)
  list                                                                     keys, newest first (never a secret)
  revoke <id>
  ensure --file <path> [--name <name>]    development: an admin key in <path>, made unless the one there works`;

/** API keys from the command line, straight against PostgreSQL: how the first admin key is made. */
async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      scopes: { type: 'string' },
      'expires-at': { type: 'string' },
      file: { type: 'string' },
    },
  });
  const [command, arg] = positionals;
  const config = loadConfig();
  const source = createDataSource(config);
  await source.initialize();
  const keys = new ApiKeysService(new ApiKeysRepository(new Database(source)), config);
  try {
    switch (command) {
      case 'create': {
        if (!values.name || !values.scopes) break;
        const scopes = values.scopes.split(',').map((s) => s.trim());
        const { row, key } = await keys.create({
          name: values.name,
          scopes,
          expiresAt: values['expires-at'],
        });
        process.stderr.write(`created key ${row.id} "${row.name}" with ${row.scopes.join(', ')}\n`);
        process.stdout.write(`${key}\n`);
        return 0;
      }
      case 'list':
        for (const k of await keys.list(1000, 0)) {
          const state = k.revokedAt
            ? 'revoked'
            : k.expiresAt && k.expiresAt < new Date()
              ? 'expired'
              : 'active';
          process.stdout.write(`${k.id}  ${state.padEnd(7)}  ${k.name}  [${k.scopes.join(',')}]\n`);
        }
        return 0;
      case 'revoke':
        if (!arg) break;
        await keys.revoke(arg);
        process.stderr.write(`revoked ${arg}\n`);
        return 0;
      case 'ensure': {
        if (!values.file) break;
        if (config.env === 'production')
          throw new Error('ensure is for development; use create in production');
        const current = existsSync(values.file) ? readFileSync(values.file, 'utf8').trim() : '';
        const identity = current ? await keys.authenticate(current) : undefined;
        if (identity?.scopes.includes('admin')) return 0;
        const { key } = await keys.create({ name: values.name ?? 'development admin', scopes: ['admin'] });
        writeFileSync(values.file, `${key}\n`, { mode: 0o600 });
        chmodSync(values.file, 0o600);
        process.stderr.write(`development admin key written to ${values.file}\n`);
        return 0;
      }
    }
    process.stderr.write(`${USAGE}\n`);
    return 2;
  } finally {
    await source.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`apikey: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
