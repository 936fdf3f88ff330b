import { loadConfig } from '@conveyor/config';
import { createDataSource } from './data-source';

/** Runs pending migrations: `npm run migration:run` (also done by `make up` and the tests). */
async function main(): Promise<void> {
  const ds = createDataSource(loadConfig());
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    process.stdout.write(
      applied.length
        ? `applied migrations: ${applied.map((m) => m.name).join(', ')}\n`
        : 'schema is up to date\n',
    );
  } finally {
    await ds.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
