import { harness, request } from './support';

/** The slots of an ID batch answer from its plan at once, before the background creator is done. */
const h = harness({ worker: false });

describe('ID batch slots while the tasks are being created', () => {
  it('shows every ID in its planned slot at once, and how many have their task yet', async () => {
    const created = await request(h.gateway.url, 'POST', '/id-batches', {
      range: { from: 1, to: 100_000 },
      rpm: 5000,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    try {
      const res = await request(h.gateway.url, 'GET', `/id-batches/${id}/slots?limit=3&offset=1`);
      expect(res.status).toBe(200);
      const slots = res.body.items as { slot: number; count: number; created: number; ids: number[] }[];
      // rpm 5000: 5,000 per slot first (75,000), then the other 25,000 one per slot round-robin
      expect(slots.map((s) => s.count)).toEqual([...Array(10).fill(6667), ...Array(5).fill(6666)]);
      expect(slots.reduce((n, s) => n + s.count, 0)).toBe(100_000);
      expect(slots[0].ids).toEqual([2, 3, 4]);
      expect(slots[1].ids).toEqual([5002, 5003, 5004]);
      for (const s of slots) expect(s.created).toBeLessThanOrEqual(s.count);
      expect(res.body.scheduled).toBeGreaterThan(0); // the creator has not finished
      // (the creator goes on between the two reads: at least what it had made, at most all)
      const made = slots.reduce((n, s) => n + s.created, 0);
      expect(made).toBeGreaterThanOrEqual(100_000 - res.body.scheduled);
      expect(made).toBeLessThan(100_000);
    } finally {
      expect((await request(h.gateway.url, 'DELETE', `/id-batches/${id}`)).status).toBe(200);
    }
  });
});
