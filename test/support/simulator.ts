import { RunningApp, startApp } from './apps';
import { request } from './http';
import type { StackEnv } from './stack';

export interface SimState {
  mode: string;
  latencyMs: number;
  errorRate: number;
  plans: string;
  generated: { plans: number; zones: number };
  hits: { rates: number; plans: number; eventRates: number };
}

export interface Simulator {
  app: RunningApp;
  /** Settings that point the apps at this simulator. */
  providerEnv: Record<string, string>;
  set(knobs: Partial<Omit<SimState, 'hits'>> & { resetHits?: boolean }): Promise<SimState>;
  state(): Promise<SimState>;
  /** Stops it: the provider is down (connections refused). */
  down(): Promise<void>;
  /** Starts it again on the same port, knobs back to their defaults. */
  up(): Promise<void>;
}

/** Starts the provider simulator as a real process on a free port. */
export async function startSimulator(env: StackEnv, extra: Record<string, string> = {}): Promise<Simulator> {
  const sim: Simulator = {
    app: await startApp('provider-sim', env, extra),
    get providerEnv() {
      return {
        RATES_PROVIDER_URL: `${this.app.url}/rates`,
        PROVIDER_PLANS_URL: `${this.app.url}/plans`,
        EVENTS_RATES_PROVIDER_URL: `${this.app.url}/events-rates`,
      };
    },
    async set(knobs) {
      const r = await request<SimState>(sim.app.url, 'PUT', '/_sim', knobs);
      if (r.status !== 200)
        throw new Error(`simulator refused ${JSON.stringify(knobs)}: ${JSON.stringify(r.body)}`);
      return r.body;
    },
    async state() {
      return (await request<SimState>(sim.app.url, 'GET', '/_sim')).body;
    },
    async down() {
      await sim.app.stop();
    },
    async up() {
      const port = new URL(sim.app.url).port;
      sim.app = await startApp('provider-sim', env, { ...extra, PROVIDER_SIM_PORT: port });
    },
  };
  return sim;
}
