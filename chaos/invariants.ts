/** What must hold after a chaos run, each checked against the database, the broker and the API. */
import * as amqplib from 'amqplib';
import { Client } from 'pg';
import { TERMINAL_STATUSES } from '@conveyor/contracts';
import { callAny } from './client';
import { Ledger } from './workload';

export interface Invariant {
  name: string;
  /** What was seen, in words and numbers. */
  seen: string;
  ok: boolean;
}

const TERMINAL = [...TERMINAL_STATUSES];

/** Waits (bounded) for every task in the database to reach a terminal state; answers the seconds. */
export async function drain(db: Client, ms: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tasks WHERE status <> ALL($1::text[])`,
      [TERMINAL],
    );
    if (rows[0].n === 0) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return (Date.now() - started) / 1000;
}

async function one(db: Client, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: number }>(sql, params);
  return rows[0].n;
}

/** Messages in a dead-letter queue with neither Conveyor's rejection header nor the broker's x-death. */
async function deadLetters(url: string, queue: string): Promise<DeadLetters> {
  const conn = await amqplib.connect(url);
  try {
    const ch = await conn.createChannel();
    const found: DeadLetters = { total: 0, unexplained: 0, reasons: {} };
    for (let msg = await ch.get(queue); msg; msg = await ch.get(queue)) {
      found.total += 1;
      const reason = reasonOf(msg.properties.headers ?? {});
      if (reason === null) found.unexplained += 1;
      else found.reasons[reason] = (found.reasons[reason] ?? 0) + 1;
    }
    await ch.close(); // unacknowledged: they go back to the queue
    return found;
  } finally {
    await conn.close();
  }
}

interface DeadLetters {
  total: number;
  unexplained: number;
  /** By the worker's rejection code, or the broker's x-death reason. */
  reasons: Record<string, number>;
}

function reasonOf(headers: Record<string, unknown>): string | null {
  const rejection = headers['x-conveyor-rejection'];
  if (typeof rejection === 'string' || Buffer.isBuffer(rejection)) {
    try {
      return String((JSON.parse(rejection.toString()) as { code?: unknown }).code);
    } catch {
      return 'unreadable rejection';
    }
  }
  const death = (headers['x-death'] as { reason?: unknown }[] | undefined)?.[0];
  return death ? `x-death ${String(death.reason)}` : null;
}

/** The gateways' count of events, once it reaches `expected` or `ms` have passed. */
async function eventsCounted(
  gateways: () => string[],
  expected: number,
  ms: number,
): Promise<number | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const counted = (await callAny(gateways, 'GET', '/materialized')).body?.events_total as
      number | undefined;
    if (counted === expected || Date.now() > deadline) return counted;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export async function checkInvariants(
  db: Client,
  gateways: () => string[],
  ledger: Ledger,
): Promise<Invariant[]> {
  const accepted = [...ledger.accepted];
  const cancelled = [...ledger.cancelled];
  const out: Invariant[] = [];
  const add = (name: string, n: number, of: string) => out.push({ name, seen: `${n} ${of}`, ok: n === 0 });

  const missing = await one(db, `SELECT $2::int - count(*)::int AS n FROM tasks WHERE id = ANY($1::uuid[])`, [
    accepted,
    accepted.length,
  ]);
  add('none lost', missing, `of ${accepted.length} accepted tasks missing from the database`);
  add(
    'every accepted task terminal',
    await one(
      db,
      `SELECT count(*)::int AS n FROM tasks WHERE id = ANY($1::uuid[]) AND status <> ALL($2::text[])`,
      [accepted, TERMINAL],
    ),
    `of ${accepted.length} not terminal`,
  );
  const total = await one(db, `SELECT count(*)::int AS n FROM tasks`);
  add(
    'every task in the database terminal',
    await one(db, `SELECT count(*)::int AS n FROM tasks WHERE status <> ALL($1::text[])`, [TERMINAL]),
    `of ${total} tasks not terminal (answers lost in a kill included)`,
  );
  add(
    'no attempt applied twice',
    await one(
      db,
      `SELECT count(*)::int AS n FROM tasks t WHERE
         (SELECT count(*) FROM task_attempts a WHERE a.task_id = t.id AND a.status = 'succeeded') > 1
         OR (SELECT count(*) FROM task_attempts a WHERE a.task_id = t.id) > t.attempts`,
    ),
    `of ${total} tasks with two successes or more attempt records than attempts`,
  );
  add(
    'terminal state matches what ran',
    await one(
      db,
      `SELECT count(*)::int AS n FROM tasks t WHERE
         (t.status = 'succeeded' AND NOT EXISTS
            (SELECT 1 FROM task_attempts a WHERE a.task_id = t.id AND a.attempt = t.attempts AND a.status = 'succeeded'))
         OR (t.status <> 'succeeded' AND EXISTS
            (SELECT 1 FROM task_attempts a WHERE a.task_id = t.id AND a.status = 'succeeded'))
         OR (t.status = ANY($1::text[]) AND EXISTS
            (SELECT 1 FROM task_attempts a WHERE a.task_id = t.id AND a.status = 'running'))`,
      [TERMINAL],
    ),
    `of ${total} tasks whose status contradicts their attempts`,
  );
  add(
    'a cancel answered 200 ends cancelled',
    await one(
      db,
      `SELECT count(*)::int AS n FROM tasks WHERE id = ANY($1::uuid[]) AND status <> 'cancelled'`,
      [cancelled],
    ),
    `of ${cancelled.length} cancelled tasks in another state`,
  );
  const counted = await eventsCounted(gateways, ledger.events.size, 120_000);
  out.push({
    name: 'every event counted once',
    seen: `${counted ?? 'no answer'} counted of ${ledger.events.size} confirmed`,
    ok: counted === ledger.events.size,
  });
  add(
    'every outbox row published',
    await one(db, `SELECT count(*)::int AS n FROM outbox WHERE available_at <= now()`),
    'due outbox rows left',
  );
  const url = process.env.AMQP_URLS!.split(',')[0];
  const dead = await Promise.all(['conveyor.dead', 'conveyor.dead.gateway'].map((q) => deadLetters(url, q)));
  add(
    'no dead letter without a reason',
    dead.reduce((n, d) => n + d.unexplained, 0),
    `of ${dead.reduce((n, d) => n + d.total, 0)} dead letters without a reason` + reasonsSeen(dead),
  );
  return out;
}

/** The dead letters' reasons, most first: `(RATES_UNAVAILABLE 79, x-death delivery_limit 2)`. */
function reasonsSeen(dead: DeadLetters[]): string {
  const all: Record<string, number> = {};
  for (const d of dead) for (const [r, n] of Object.entries(d.reasons)) all[r] = (all[r] ?? 0) + n;
  const list = Object.entries(all).sort((a, b) => b[1] - a[1]);
  return list.length === 0 ? '' : ` (${list.map(([r, n]) => `${r} ${n}`).join(', ')})`;
}

/** The invariants as a Markdown table, the way the README shows them. */
export function table(rows: Invariant[]): string {
  const lines = ['| invariant | seen | holds |', '|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.name} | ${r.seen} | ${r.ok ? 'yes' : '**NO**'} |`);
  return lines.join('\n');
}
