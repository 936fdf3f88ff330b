import { dirname, join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { corkWrites } from './corked-writes';

// amqplib's own classes (its package exports do not list these files, so they are loaded by path).
const lib = (file: string) => join(dirname(require.resolve('amqplib')), 'lib', file);
/* eslint-disable @typescript-eslint/no-require-imports */
const { Mux } = require(lib('mux.js'));
const { Connection } = require(lib('connection.js'));
const { ChannelModel } = require(lib('channel_model.js'));
/* eslint-enable @typescript-eslint/no-require-imports */

/** A socket stand-in that records how the chunks arrived: one call per write or per writev. */
function recorder() {
  const calls: number[] = [];
  const out = new Writable({
    write(_chunk, _enc, done) {
      calls.push(1);
      done();
    },
    writev(chunks, done) {
      calls.push(chunks.length);
      done();
    },
  });
  return { out, calls };
}

async function framesOfOneTurn(cork: boolean) {
  const { out, calls } = recorder();
  const muxer = new Mux(out);
  if (cork) corkWrites({ connection: { muxer } });
  const channel = new PassThrough({ objectMode: true });
  muxer.pipeFrom(channel);
  for (const frame of ['method', 'header', 'body', 'ack']) channel.write(Buffer.from(frame));
  const deadline = Date.now() + 2000;
  while (calls.reduce((a, b) => a + b, 0) < 4 && Date.now() < deadline)
    await new Promise((r) => setImmediate(r));
  return calls;
}

describe('corkWrites', () => {
  it("sends the frames of one turn as one writev, where amqplib's Mux wrote them one by one", async () => {
    expect(await framesOfOneTurn(false)).toEqual([1, 1, 1, 1]);
    expect(await framesOfOneTurn(true)).toEqual([4]);
  });

  it('finds the loop in the installed amqplib’s connection, as the connect event hands it over', () => {
    expect(corkWrites(new ChannelModel(new Connection(new PassThrough())))).toBe(true);
  });

  it('leaves a connection without that loop as it is', () => {
    const model = { connection: { muxer: { out: new PassThrough() } } };
    expect(corkWrites(model)).toBe(false);
    expect(corkWrites(null)).toBe(false);
    expect(model.connection.muxer).not.toHaveProperty('_readIncoming');
  });
});
