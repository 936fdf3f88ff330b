import { describeEvent, formatAmount, formatDate, ordinal } from './description';

describe('event descriptions (casino-events.md)', () => {
  it.each([
    [1, '1st'],
    [2, '2nd'],
    [3, '3rd'],
    [4, '4th'],
    [11, '11th'],
    [12, '12th'],
    [13, '13th'],
    [21, '21st'],
    [22, '22nd'],
    [23, '23rd'],
    [24, '24th'],
    [30, '30th'],
    [31, '31st'],
  ])('day %i is %s', (day, text) => {
    expect(ordinal(day)).toBe(text);
  });

  it.each([
    ['2022-01-10T12:34:59.999Z', 'January 10th, 2022 at 12:34 UTC'],
    ['2022-02-02T23:45:00Z', 'February 2nd, 2022 at 23:45 UTC'],
    ['2022-03-03T00:05:00Z', 'March 3rd, 2022 at 00:05 UTC'],
    ['2021-12-31T09:00:00Z', 'December 31st, 2021 at 09:00 UTC'],
  ])('%s reads %s', (iso, text) => {
    expect(formatDate(iso)).toBe(text);
  });

  it.each([
    [500, 'USD', '5 USD'],
    [468, 'EUR', '4.68 EUR'],
    [460, 'EUR', '4.6 EUR'],
    [7, 'GBP', '0.07 GBP'],
    [0, 'NZD', '0 NZD'],
    [12345, 'BTC', '0.00012345 BTC'],
    [100000, 'BTC', '0.001 BTC'],
    [250000000, 'BTC', '2.5 BTC'],
    [1234, 'JPY', '1234 JPY'],
  ])('%i in %s is %s', (minor, currency, text) => {
    expect(formatAmount(minor, currency)).toBe(text);
  });

  const at = '2022-01-10T12:34:00Z';
  it.each([
    [
      { id: 1, player_id: 10, game_id: 100, type: 'game_start' as const, created_at: at },
      null,
      'Player #10 started playing a game "Rocket Dice" on January 10th, 2022 at 12:34 UTC.',
    ],
    [
      { id: 2, player_id: 10, game_id: 100, type: 'game_stop' as const, created_at: at },
      'ada@example.com',
      'Player #10 (ada@example.com) stopped playing a game "Rocket Dice" on January 10th, 2022 at 12:34 UTC.',
    ],
    [
      {
        id: 3,
        player_id: 11,
        game_id: 101,
        type: 'bet' as const,
        amount: 500,
        currency: 'USD',
        has_won: false,
        amount_eur: 468,
        created_at: '2022-02-02T23:45:00Z',
      },
      'john@example.com',
      'Player #11 (john@example.com) placed a bet of 5 USD (4.68 EUR) on a game "It\'s bananas!" on February 2nd, 2022 at 23:45 UTC.',
    ],
    [
      {
        id: 4,
        player_id: 11,
        game_id: 107,
        type: 'bet' as const,
        amount: 12345,
        currency: 'BTC',
        has_won: true,
        amount_eur: 1020,
        created_at: at,
      },
      null,
      'Player #11 placed a bet of 0.00012345 BTC (10.2 EUR) on a game "#BarsAndBells" and won, on January 10th, 2022 at 12:34 UTC.',
    ],
    [
      {
        id: 5,
        player_id: 12,
        type: 'deposit' as const,
        amount: 10000,
        currency: 'EUR',
        amount_eur: 10000,
        created_at: '2022-03-03T12:12:00Z',
      },
      null,
      'Player #12 made a deposit of 100 EUR on March 3rd, 2022 at 12:12 UTC.',
    ],
    [
      { id: 6, player_id: 13, game_id: 555, type: 'game_start' as const, created_at: at },
      null,
      'Player #13 started playing a game "game #555" on January 10th, 2022 at 12:34 UTC.',
    ],
  ])('describes %o', (event, email, text) => {
    expect(describeEvent(event, email)).toBe(text);
  });
});
