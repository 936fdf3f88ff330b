import type { Writable } from 'node:stream';

interface Mux {
  out: Writable;
  _readIncoming(): void;
}

/**
 * amqplib's connection writes each frame it has ready with its own `socket.write`: one system
 * call and one TCP segment per publish or ack. Corked for its loop, the frames of one turn leave
 * as one `writev`. Flow control stays amqplib's: a write past the socket's high-water mark still
 * answers false, and the loop then waits for 'drain'. An amqplib without that loop is left as it is.
 */
export function corkWrites(model: unknown): boolean {
  const muxer = (model as { connection?: { muxer?: Partial<Mux> } } | null)?.connection?.muxer;
  const readIncoming = muxer?._readIncoming;
  if (!muxer || typeof readIncoming !== 'function' || typeof muxer.out?.cork !== 'function') return false;
  const out = muxer.out;
  muxer._readIncoming = () => {
    out.cork();
    try {
      readIncoming.call(muxer);
    } finally {
      out.uncork();
    }
  };
  return true;
}
