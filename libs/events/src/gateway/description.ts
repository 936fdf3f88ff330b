import { CasinoEvent, GAMES, minorUnits } from '../event';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** 1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st, 22nd, 23rd … 31st. */
export function ordinal(day: number): string {
  const teen = day % 100 >= 11 && day % 100 <= 13;
  const suffix = teen ? 'th' : (['th', 'st', 'nd', 'rd'][day % 10] ?? 'th');
  return `${day}${suffix}`;
}

/** `January 10th, 2022 at 12:34 UTC` (24-hour, minutes truncated). */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${ordinal(d.getUTCDate())}, ${d.getUTCFullYear()} at ${hh}:${mm} UTC`;
}

/** 500 USD-cents → `5 USD`, 460 → `4.6 EUR`, 12345 satoshi → `0.00012345 BTC`: no trailing zeros. */
export function formatAmount(minor: number, currency: string): string {
  const units = minorUnits(currency);
  const digits = String(minor).padStart(units + 1, '0');
  const whole = digits.slice(0, digits.length - units);
  const fraction = digits.slice(digits.length - units).replace(/0+$/, '');
  return `${whole}${fraction ? `.${fraction}` : ''} ${currency}`;
}

export function gameTitle(id: number | undefined): string {
  return GAMES[id ?? 0] ?? `game #${id ?? 0}`;
}

/** The English description of an enriched event; `email` only when the player was found. */
export function describeEvent(event: CasinoEvent & { amount_eur?: number }, email: string | null): string {
  const who = `Player #${event.player_id}${email ? ` (${email})` : ''}`;
  const when = `on ${formatDate(event.created_at)}`;
  const game = `a game "${gameTitle(event.game_id)}"`;
  const money = () => {
    const amount = formatAmount(event.amount ?? 0, event.currency ?? 'EUR');
    return event.currency === 'EUR' ? amount : `${amount} (${formatAmount(event.amount_eur ?? 0, 'EUR')})`;
  };
  switch (event.type) {
    case 'game_start':
      return `${who} started playing ${game} ${when}.`;
    case 'game_stop':
      return `${who} stopped playing ${game} ${when}.`;
    case 'bet':
      return event.has_won
        ? `${who} placed a bet of ${money()} on ${game} and won, ${when}.`
        : `${who} placed a bet of ${money()} on ${game} ${when}.`;
    case 'deposit':
      return `${who} made a deposit of ${money()} ${when}.`;
  }
}
