/**
 * The framework's ceiling for `make bench`: a bare Fastify route that answers a constant, on the
 * same machine, measured with the same load generator as GET /search. The constant is the body in
 * BENCH_CONSTANT_BODY (a real search answer, so both move the same bytes) or a tiny empty answer.
 */
import Fastify from 'fastify';

const body = process.env.BENCH_CONSTANT_BODY || JSON.stringify({ data: { events: [] }, error: null });
const app = Fastify({ logger: false });
app.get('/search', (_req, reply) => reply.type('application/json; charset=utf-8').send(body));
app.listen({ host: '127.0.0.1', port: Number(process.argv[2]) }).catch((err: unknown) => {
  process.stderr.write(`constant server failed: ${String(err)}\n`);
  process.exit(1);
});
