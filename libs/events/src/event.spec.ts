import { EventsError, validateEvent } from './event';
import { decodeEvents, encodeEvents, isBatchMessage } from './wire';

const at = '2022-01-10T12:34:00.000Z';
const bet = {
  id: 7,
  player_id: 11,
  game_id: 101,
  type: 'bet',
  amount: 500,
  currency: 'USD',
  has_won: true,
  created_at: at,
};

describe('casino event validation', () => {
  it('keeps only the fields a type has', () => {
    expect(validateEvent({ ...bet, type: 'deposit' })).toEqual({
      id: 7,
      player_id: 11,
      type: 'deposit',
      amount: 500,
      currency: 'USD',
      created_at: at,
    });
    expect(validateEvent({ ...bet, type: 'game_stop' })).toEqual({
      id: 7,
      player_id: 11,
      game_id: 101,
      type: 'game_stop',
      created_at: at,
    });
    expect(
      validateEvent({
        id: '9007199254740991',
        player_id: 11n,
        type: 'bet',
        amount: 0,
        currency: 'EUR',
        created_at: at,
      }),
    ).toMatchObject({
      id: 9007199254740991,
      player_id: 11,
      amount: 0,
      has_won: false,
    });
  });

  it.each([
    [{ ...bet, id: 0 }, 'id: a positive integer is required'],
    [{ ...bet, id: 9007199254740992n }, 'id: a positive integer is required'],
    [{ ...bet, id: '1e3' }, 'id: a positive integer is required'],
    [{ ...bet, type: 'Bet' }, 'type: must be one of game_start, bet, deposit, game_stop'],
    [{ ...bet, player_id: undefined }, 'player_id: a positive integer is required'],
    [{ ...bet, amount: undefined }, 'amount: required for a bet'],
    [{ ...bet, amount: -1n }, 'amount: must be a non-negative integer (smallest unit of the currency)'],
    [{ ...bet, amount: 1.5 }, 'amount: must be a non-negative integer (smallest unit of the currency)'],
    [{ ...bet, currency: '' }, 'currency: required for a bet'],
    [{ ...bet, currency: 'usd' }, 'currency: must be an upper-case code like EUR or BTC'],
    [{ ...bet, has_won: 'yes' }, 'has_won: must be a boolean'],
    [{ ...bet, created_at: '2022-13-45T00:00:00Z' }, 'created_at: an ISO 8601 date-time is required'],
    [{ ...bet, game_id: -1 }, 'game_id: must be a non-negative integer'],
    [{ ...bet, extra: 1 }, 'extra: not a field of a casino event'],
  ])('refuses %o: %s', (raw, message) => {
    expect(() => validateEvent(raw, 'events[2].')).toThrow(
      new EventsError('INVALID_EVENT', `events[2].${message}`),
    );
  });
});

describe('the wire format', () => {
  it('round-trips one event and a batch through protobuf, and reads JSON alike', () => {
    const one = validateEvent(bet);
    expect(decodeEvents(encodeEvents([one], false), 'application/x-protobuf', false)).toEqual([one]);
    const deposit = validateEvent({ ...bet, id: 8, type: 'deposit', currency: 'BTC', amount: 12345 });
    expect(decodeEvents(encodeEvents([one, deposit], true), 'application/x-protobuf', true)).toEqual([
      one,
      deposit,
    ]);
    expect(decodeEvents(Buffer.from(JSON.stringify({ events: [bet] })), 'application/json', true)).toEqual([
      one,
    ]);
  });

  it('names what is wrong with a message', () => {
    expect(() => decodeEvents(Buffer.from('{}'), 'text/plain', false)).toThrow(/content type "text\/plain"/);
    expect(() => decodeEvents(Buffer.from('[1]'), 'application/json', false)).toThrow(
      'a JSON object is required',
    );
    expect(() => decodeEvents(Buffer.from('{"events":[]}'), 'application/json', true)).toThrow(
      'events: at least one event is required',
    );
    expect(() => isBatchMessage('casino.events')).toThrow(
      'message type "casino.events": casino.event or casino.event.batch only',
    );
    expect(() => isBatchMessage(undefined)).toThrow('message type null');
  });
});
