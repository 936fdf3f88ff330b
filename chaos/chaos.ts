/**
 * `make chaos`: a mixed workload on two gateways and two workers over a three-node RabbitMQ
 * cluster while a seeded driver kills and restarts a worker, a gateway, a RabbitMQ node,
 * PostgreSQL and Redis; then the adversities (sessions terminated, pool saturated, a retry storm,
 * xmin held); then the invariants as a table. Exits 1 when one fails. See scripts/chaos.sh.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT } from '../tools/apps';
import { firstAccepted, retryStorm, saturatePool, session, terminateBackends } from './adversities';
import { randomKills } from './faults';
import { Fleet } from './fleet';
import { checkInvariants, drain, table } from './invariants';
import { Random } from './random';
import { mixedLoad, newLedger, publishEvents } from './workload';
import { holdXmin } from './xmin';

const log = (line: string) => process.stdout.write(`chaos: ${line}\n`);

async function main(): Promise<void> {
  const seconds = Number(process.env.CHAOS_SECONDS ?? 600);
  if (!Number.isInteger(seconds) || seconds < 60)
    throw new Error('CHAOS_SECONDS must be an integer of at least 60');
  const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : Math.floor(Math.random() * 2 ** 31);
  // The hold is 5 minutes; a shorter run holds for half its length.
  const holdS = Math.min(300, Math.floor(seconds / 2));
  const killsS = Math.max(30, seconds - holdS - 150);
  log(
    `seed ${seed} (CHAOS_SEED=${seed} replays the kills), ${seconds} s: ${killsS} s of kills, xmin held ${holdS} s`,
  );

  // Two streams: the load draws as fast as it is answered, so sharing one would move the kills.
  const kills = new Random(seed);
  const load = new Random(seed + 1);
  const fleet = new Fleet();
  await fleet.start();
  const gateways = () => fleet.liveGateways();
  const ledger = newLedger();
  const begun = Date.now();
  let db: Awaited<ReturnType<typeof session>> | undefined;
  try {
    const until = begun + killsS * 1000;
    const [faults] = await Promise.all([
      randomKills(fleet, kills, begun, until),
      mixedLoad(gateways, ledger, load, until),
      publishEvents(process.env.AMQP_URLS!.split(','), ledger, until),
    ]);
    await fleet.ensureUp();
    log(`${faults.length} kills; everything is up again`);
    db = await session(); // after the kills: PostgreSQL's restarts would have closed it

    const [terminated] = await Promise.all([
      terminateBackends(20),
      mixedLoad(gateways, ledger, load, Date.now() + 20_000),
    ]);
    const afterTerminations = await firstAccepted(gateways, ledger, 30_000);
    log(`${terminated} gateway sessions terminated over 20 s; a task accepted ${afterTerminations} ms after`);

    const saturation = await saturatePool(gateways, ledger, 15);
    log(`pool saturated 15 s: ${JSON.stringify(saturation)}`);

    const storm = await retryStorm(gateways, ledger, db);
    log(
      `retry storm: ${storm.asExpected} of ${storm.tasks} succeeded on attempt 3 after two failures, in ${storm.seconds.toFixed(1)} s`,
    );

    const xmin = await holdXmin(gateways, ledger, db, holdS);
    log(`xmin held: ${JSON.stringify(xmin)}`);

    const drainS = await drain(db, 300_000);
    log(`drained in ${drainS.toFixed(1)} s`);
    const invariants = await checkInvariants(db, gateways, ledger);
    invariants.push({
      name: 'the retry storm: each task succeeded on its third attempt',
      seen: `${storm.asExpected} of ${storm.tasks}`,
      ok: storm.asExpected === storm.tasks,
    });
    invariants.push({
      name: 'no hang after sessions terminated or the pool saturated',
      seen: `a task accepted ${afterTerminations} ms and ${saturation.recoveredMs} ms after`,
      ok: afterTerminations < 10_000 && saturation.recoveredMs < 10_000,
    });
    const errors = Object.entries(ledger.counts).filter(([what]) => / 500$/.test(what));
    invariants.push({
      name: 'no 500 for anything a client sent',
      seen: errors.length ? errors.map(([what, n]) => `${n} ${what}`).join(', ') : 'none',
      ok: errors.length === 0,
    });
    process.stdout.write(`\n${table(invariants)}\n\nledger: ${JSON.stringify(ledger.counts)}\n`);
    writeFileSync(
      resolve(ROOT, 'chaos/results.json'),
      `${JSON.stringify({ seed, seconds, faults, terminated, saturation, storm, xmin, invariants, counts: ledger.counts }, null, 2)}\n`,
    );
    if (invariants.some((i) => !i.ok)) process.exitCode = 1;
  } catch (err) {
    process.stdout.write(`ledger so far: ${JSON.stringify(ledger.counts)}\n`);
    for (const m of fleet.members)
      process.stdout.write(`--- ${m.id}, its last words:\n${m.app?.output().slice(-1500) ?? '(down)'}\n`);
    throw err;
  } finally {
    await db?.end();
    await fleet.stopAll();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `chaos run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
