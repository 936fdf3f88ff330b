/**
 * The chaos run's mixed workload: IO and CPU tasks, retried and cancelled ones, conversions, ID
 * batches and casino events, with a ledger of what Conveyor accepted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as amqplib from 'amqplib';
import { eventMessage, generateEvent } from '../tools/events-generator';
import { callAny } from './client';
import { Random } from './random';

export interface Ledger {
  /** Task ids from 201 answers. */
  accepted: Set<string>;
  /** Tasks whose cancel answered 200. */
  cancelled: Set<string>;
  /** Event ids whose publish the broker confirmed. */
  events: Set<number>;
  counts: Record<string, number>;
}

export function newLedger(): Ledger {
  return { accepted: new Set(), cancelled: new Set(), events: new Set(), counts: {} };
}

export function count(ledger: Ledger, what: string, by = 1): void {
  ledger.counts[what] = (ledger.counts[what] ?? 0) + by;
}

/** One task of the mix: mostly IO, some CPU, some failing retryably once, some long to cancel. */
function item(r: Random): { type: string; payload: Record<string, unknown>; maxAttempts?: number } {
  const roll = r.next();
  if (roll < 0.15) return { type: 'demo.work', payload: { seconds: 0.05, cpuBound: true } };
  if (roll < 0.25)
    return { type: 'demo.work', payload: { seconds: 0, cpuBound: false, failAttempts: 1 }, maxAttempts: 5 };
  if (roll < 0.3) return { type: 'demo.work', payload: { seconds: 5, cpuBound: false } };
  return { type: 'demo.work', payload: { seconds: 0.2, cpuBound: false } };
}

/** Submits a batch; answers the accepted ids. */
export async function submitBatch(
  gateways: () => string[],
  ledger: Ledger,
  items: unknown[],
): Promise<string[]> {
  const r = await callAny(gateways, 'POST', '/tasks/batch', { items });
  if (r.status === 201) {
    const ids = (r.body.items as { id: string }[]).map((t) => t.id);
    ids.forEach((id) => ledger.accepted.add(id));
    count(ledger, 'tasks accepted', ids.length);
    return ids;
  }
  count(ledger, r.status === 0 ? 'batches unanswered' : `batches answered ${r.status}`);
  return [];
}

/** Runs until `until` (ms epoch): about 100 tasks a second plus the rest of the mix. */
export async function mixedLoad(
  gateways: () => string[],
  ledger: Ledger,
  r: Random,
  until: number,
): Promise<void> {
  let tick = 0;
  const long: string[] = [];
  while (Date.now() < until) {
    tick += 1;
    const items = Array.from({ length: 25 }, () => item(r));
    const ids = await submitBatch(gateways, ledger, items);
    ids.forEach((id, i) => {
      if ((items[i].payload as { seconds: number }).seconds === 5 && r.next() < 0.5) long.push(id);
    });
    if (tick % 4 === 0 && long.length > 0) {
      const id = long.shift()!;
      const c = await callAny(gateways, 'PATCH', `/tasks/${id}`, { status: 'cancelled' });
      if (c.status === 200) ledger.cancelled.add(id);
      count(ledger, `cancels answered ${c.status}`);
    }
    if (tick % 20 === 0) {
      const c = await callAny(gateways, 'GET', `/conversions?from=EUR&to=USD&amount=${r.int(1, 1000)}`);
      count(ledger, `conversions answered ${c.status}`);
    }
    if (tick % 40 === 0) {
      const ids = Array.from({ length: 10 }, (_, i) => tick * 10 + i + 1);
      // Starting now, not at the next quarter hour: its tasks run within the chaos run and its drain.
      const startAt = new Date(Date.now() + 2000).toISOString();
      const b = await callAny(gateways, 'POST', '/id-batches', { ids, rpm: 60, startAt });
      count(ledger, `ID batches answered ${b.status}`);
    }
    await sleep(250);
  }
}

/**
 * Publishes casino events, 20 every 250 ms, to whichever node takes them; an event the broker did
 * not confirm is published again (the gateway counts an id once), so every id tried is confirmed.
 */
export async function publishEvents(urls: string[], ledger: Ledger, until: number): Promise<void> {
  let next = 1;
  let pending: number[] = [];
  let node = 0;
  while (Date.now() < until || pending.length > 0) {
    let conn: Awaited<ReturnType<typeof amqplib.connect>> | undefined;
    try {
      conn = await amqplib.connect(urls[node % urls.length]);
      conn.on('error', () => undefined);
      const ch = await conn.createConfirmChannel();
      ch.on('error', () => undefined);
      while (Date.now() < until || pending.length > 0) {
        const ids = pending.length > 0 ? pending : Array.from({ length: 20 }, () => next++);
        pending = ids;
        for (const id of ids) {
          const m = eventMessage([generateEvent(id)], false);
          ch.publish('conveyor.events', m.routingKey, m.body, m.options);
        }
        await ch.waitForConfirms();
        ids.forEach((id) => ledger.events.add(id));
        pending = [];
        await sleep(250);
      }
      await ch.close();
    } catch {
      count(ledger, 'event publishes retried on another node');
      node += 1;
      await sleep(500);
    } finally {
      await conn?.close().catch(() => undefined);
    }
  }
}
