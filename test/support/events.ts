import { execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { RunningApp } from './apps';
import { request, waitFor } from './http';
import { ROOT } from './stack';

/** Encodes protobuf text format with Debian's protoc (an encoder this project did not write). */
export function protocEncode(message: 'CasinoEvent' | 'CasinoEventBatch', text: string): Buffer {
  return execFileSync(
    'protoc',
    [
      `--encode=conveyor.events.v1.${message}`,
      '-I',
      'libs/events/src/proto',
      '-I',
      '/usr/include',
      'casino-event.proto',
    ],
    { cwd: ROOT, input: text },
  );
}

/** The JSON lines a gateway writes on stdout (its enriched events), from now on. */
export function eventLog(gateway: RunningApp): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  createInterface({ input: gateway.proc.stdout! }).on('line', (line) => {
    if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  return lines;
}

/** Waits until GET /events/recent shows the event with this id; answers it. */
export function recentEvent(base: string, id: number, ms = 20_000): Promise<Record<string, unknown>> {
  return waitFor(
    `event ${id} to be enriched`,
    async () => {
      const r = await request(base, 'GET', '/events/recent?limit=100');
      return (r.body.items as Record<string, unknown>[]).find((e) => e.id === id);
    },
    ms,
    50,
  );
}
