/** What `make bench` prints, part by part. */
import { availableParallelism } from 'node:os';
import type { BaselineResult } from './baselines';
import { EVENTS, EventsResult } from './events-bench';
import type { RunResult } from './runs';
import type { LoadResult, searchBench } from './search-bench';

export const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Where a run's CPU went, beside what the machine had over the run. */
export function cpuLine(r: RunResult, label = ''): string {
  const parts = Object.entries(r.cpu).map(([k, v]) => `${k} ${v.toFixed(2)}`);
  const wal = `WAL ${(r.walBytes / 2 ** 20).toFixed(0)} MB, ${(r.walBytes / r.count).toFixed(0)} bytes a task`;
  return `  ${label}CPU seconds in that run: ${parts.join(', ')} (the machine has ${availableParallelism()} cores × ${r.seconds.toFixed(2)} s); ${wal}`;
}
export function baselineLines(raw: BaselineResult, bull: BaselineResult): string[] {
  return [
    `baselines, ${raw.count} each: raw broker in separate processes (window of 500 confirms, prefetch 400): ${raw.rate.toFixed(0)} msg/s (${raw.seconds.toFixed(2)} s; RabbitMQ ${raw.brokerCpu.toFixed(2)} CPU s)`,
    `  BullMQ (addBulk of 1,000, one worker process at concurrency 200, Redis appendfsync everysec): ${bull.rate.toFixed(0)} jobs/s (${bull.seconds.toFixed(2)} s; Redis ${bull.brokerCpu.toFixed(2)} CPU s)`,
  ];
}

export function eventsLines(events: EventsResult[], rawRate: number): string[] {
  const lines = [
    `casino events: ${EVENTS} generated events per run, 2 workers, 1 gateway; raw broker at one event's message size (${events[0].messageBytes} B): ${rawRate.toFixed(0)} msg/s`,
  ];
  for (const e of events) {
    const ratio = e.rate / rawRate;
    const bar = e.perMessage === 1 ? ` ${ratio >= 0.3 ? '(>= 0.3 bar)' : '(below the 0.3 bar)'}` : '';
    lines.push(
      `  ${e.perMessage === 1 ? 'one event per message' : `${e.perMessage} events per message`}: ${e.rate.toFixed(0)} events/s ` +
        `publish→counted (${e.seconds.toFixed(2)} s); latency p50 ${e.p50.toFixed(0)} ms p99 ${e.p99.toFixed(0)} ms; ratio ${ratio.toFixed(3)}${bar}`,
    );
  }
  return lines;
}

export function searchLines(search: Awaited<ReturnType<typeof searchBench>>): string[] {
  const [ceiling, sized, cached] = search.results;
  const lines = [
    `search: 5,000 plans, 50 one-day ranges (${search.eventsPerAnswer.toFixed(1)} plans, ${search.bytesPerAnswer.toFixed(0)} bytes per answer on average), 20 connections`,
  ];
  for (const r of search.results) {
    lines.push(
      `  ${r.what}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}` +
        (r === ceiling ? '' : `; ${(r.rps / ceiling.rps).toFixed(2)} of the ceiling`),
    );
  }
  const bar = (against: LoadResult) => (cached.rps >= against.rps / 2 && cached.p99 < 20 ? 'met' : 'NOT met');
  lines.push(
    `  cached search bar (>= 0.5 of the ceiling, p99 < 20 ms): ${bar(ceiling)} against the tiny constant, ${bar(sized)} against the same-size constant`,
  );
  return lines;
}
