/**
 * The bench runs authenticated, as production does: scripts/bench.sh makes an admin key for the
 * bench database and passes it in BENCH_API_KEY.
 */
export function authHeaders(): Record<string, string> {
  const key = process.env.BENCH_API_KEY;
  return key ? { authorization: `Bearer ${key}` } : {};
}
