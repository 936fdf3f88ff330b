/** The random kills: one part of the system at a time, killed at a random moment and started again. */
import { setTimeout as sleep } from 'node:timers/promises';
import { Fleet } from './fleet';
import { Random } from './random';

export interface Fault {
  /** Seconds since the run began. */
  at: number;
  victim: string;
  /** How long it was down, and how long it took to be back (ms). */
  downMs: number;
  restartMs: number;
}

const KINDS = ['worker', 'gateway', 'rabbitmq', 'postgres', 'redis'] as const;

/** Kills and restarts until `until`, 5–15 s apart, each down for 2–8 s; answers what it did. */
export async function randomKills(fleet: Fleet, r: Random, begun: number, until: number): Promise<Fault[]> {
  const faults: Fault[] = [];
  for (;;) {
    await sleep(r.int(5_000, 15_000));
    if (Date.now() >= until) return faults;
    const kind = r.pick(KINDS);
    const down = r.int(2_000, 8_000);
    const at = (Date.now() - begun) / 1000;
    let victim: string = kind;
    let restart: () => Promise<void>;
    if (kind === 'worker' || kind === 'gateway') {
      const m = r.pick(kind === 'worker' ? fleet.workers : fleet.gateways);
      victim = m.id;
      await fleet.killApp(m);
      restart = () => fleet.up(m);
    } else if (kind === 'rabbitmq') {
      const n = r.int(1, 3);
      victim = `rabbitmq node ${n}`;
      await fleet.killRabbit(n);
      restart = () => fleet.startRabbit(n);
    } else if (kind === 'postgres') {
      await fleet.killPostgres();
      restart = () => fleet.startPostgres();
    } else {
      await fleet.killRedis();
      restart = () => fleet.startRedis();
    }
    await sleep(down);
    const started = Date.now();
    await restart();
    const fault = { at, victim, downMs: down, restartMs: Date.now() - started };
    faults.push(fault);
    process.stdout.write(
      `chaos: ${at.toFixed(0)} s  ${victim} killed, down ${down} ms, back in ${fault.restartMs} ms\n`,
    );
  }
}
