import { dirname, join } from 'node:path';
import { confirmInOrder } from './in-order-confirms';

// The library's class itself (its package exports only its type), loaded by path.
/* eslint-disable @typescript-eslint/no-require-imports */
const { default: ChannelWrapper } = require(
  join(dirname(require.resolve('amqp-connection-manager')), 'ChannelWrapper.js'),
) as { default: { prototype: Record<string, unknown> } };
/* eslint-enable @typescript-eslint/no-require-imports */

/** The library's own bookkeeping around the patched method: a list, and a method that searches it. */
function wrapper(count: number) {
  const messages = Array.from({ length: count }, (_, i) => ({ id: i, results: [] as unknown[] }));
  const pending = messages.map((m) => ({ resolve: (r: unknown) => m.results.push(r) }));
  const fallbacks: number[] = [];
  const w = {
    _unconfirmedMessages: [...pending] as unknown[],
    _messageResolved(this: { _unconfirmedMessages: unknown[] }, message: unknown, result: unknown) {
      fallbacks.push(pending.indexOf(message as (typeof pending)[number]));
      this._unconfirmedMessages.splice(this._unconfirmedMessages.indexOf(message), 1);
      (message as (typeof pending)[number]).resolve(result);
    },
  };
  return { w, messages, pending, fallbacks };
}

describe('confirmInOrder', () => {
  it('takes a confirm of the oldest message off the front, and leaves any other to the library', () => {
    const { w, messages, pending, fallbacks } = wrapper(5);
    expect(confirmInOrder(w)).toBe(true);
    w._messageResolved(pending[0], true);
    w._messageResolved(pending[2], true); // out of order: the library's search
    w._messageResolved(pending[1], false);
    expect(w._unconfirmedMessages).toEqual([pending[3], pending[4]]);
    expect(fallbacks).toEqual([2]);
    expect(messages.map((m) => m.results)).toEqual([[true], [false], [true], [], []]);
  });

  it('reads the list at each confirm, as the library replaces it when its channel closes', () => {
    const { w, pending } = wrapper(2);
    confirmInOrder(w);
    w._unconfirmedMessages = [pending[1]];
    w._messageResolved(pending[1], true);
    expect(w._unconfirmedMessages).toEqual([]);
  });

  it('finds the method it replaces in the installed amqp-connection-manager', () => {
    expect(typeof ChannelWrapper.prototype._messageResolved).toBe('function');
    expect(confirmInOrder({})).toBe(false);
  });
});
