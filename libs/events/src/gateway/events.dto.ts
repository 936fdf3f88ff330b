import { ApiProperty, ApiPropertyOptional, ExampleObject } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ApiSchemaExample, decimalInt } from '@conveyor/common';
import { Transform } from 'class-transformer';
import { EVENT_TYPES } from '../event';
import { RECENT_MAX } from './event-stats';

/** One casino event as JSON (protobuf: casino-event.proto, the same field names). */
export class CasinoEventDto {
  @ApiProperty({
    minimum: 1,
    description: 'Unique per event: the same id again is the same event',
    example: 1,
  })
  id!: number;
  @ApiProperty({ minimum: 1, description: 'A user id', example: 10 })
  player_id!: number;
  @ApiPropertyOptional({ description: 'The game; not for deposits', example: 100 })
  game_id?: number;
  @ApiProperty({ enum: EVENT_TYPES })
  type!: string;
  @ApiPropertyOptional({ minimum: 0, description: 'Bets and deposits: in the smallest unit of the currency' })
  amount?: number;
  @ApiPropertyOptional({
    description: 'Bets and deposits: EUR, USD, GBP, NZD, BTC or another the rate table has',
  })
  currency?: string;
  @ApiPropertyOptional({ description: 'Bets only' })
  has_won?: boolean;
  @ApiProperty({ format: 'date-time', example: '2026-12-01T09:30:00Z' })
  created_at!: string;
}

export class CasinoEventBatchDto {
  @ApiProperty({ type: [CasinoEventDto], minItems: 1, maxItems: 1000 })
  events!: CasinoEventDto[];
}

/** The request examples /docs offers for POST /events; a test sends each one. */
export const EVENT_EXAMPLES: Record<string, ExampleObject> = {
  bet: {
    summary: 'A won bet of 5 USD',
    value: {
      id: 1001,
      player_id: 10,
      game_id: 101,
      type: 'bet',
      amount: 500,
      currency: 'USD',
      has_won: true,
      created_at: '2026-12-01T09:30:00Z',
    },
  },
  batch: {
    summary: 'A batch: a game started and a deposit in BTC',
    value: {
      events: [
        { id: 1002, player_id: 11, game_id: 100, type: 'game_start', created_at: '2026-12-01T09:31:00Z' },
        {
          id: 1003,
          player_id: 12,
          type: 'deposit',
          amount: 12345,
          currency: 'BTC',
          created_at: '2026-12-01T09:32:00Z',
        },
      ],
    },
  },
};

export class EventsAcceptedDto {
  @ApiProperty({ description: 'Events the broker confirmed', example: 1 })
  accepted!: number;
  @ApiProperty({ type: [Number], example: [1001] })
  ids!: number[];
}

class TopPlayerDto {
  @ApiProperty({ example: 10 })
  id!: number;
  @ApiProperty({ example: 150 })
  count!: number;
}

@ApiSchemaExample({
  events_total: 12345,
  events_per_minute: 123.45,
  events_per_second_moving_average: 3.12,
  top_player_bets: { id: 10, count: 150 },
  top_player_wins: { id: 11, count: 50 },
  top_player_deposits: { id: 12, count: 15000 },
})
export class MaterializedDto {
  @ApiProperty({ description: 'Events enriched since the statistics began, each counted once' })
  events_total!: number;
  @ApiProperty({ description: 'events_total over the minutes since the first counted event (at least one)' })
  events_per_minute!: number;
  @ApiProperty({ description: 'Events counted in the last 60 seconds, divided by 60' })
  events_per_second_moving_average!: number;
  @ApiProperty({ type: TopPlayerDto, nullable: true, description: 'Most bets (won or not); ties: lower id' })
  top_player_bets!: TopPlayerDto | null;
  @ApiProperty({ type: TopPlayerDto, nullable: true, description: 'Most won bets' })
  top_player_wins!: TopPlayerDto | null;
  @ApiProperty({
    type: TopPlayerDto,
    nullable: true,
    description: 'Largest sum of deposits; count in euro cents',
  })
  top_player_deposits!: TopPlayerDto | null;
}

class PlayerDto {
  @ApiProperty({ description: 'Empty when the player is unknown', example: 'john@example.com' })
  email!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_signed_in_at!: string | null;
}

@ApiSchemaExample({
  id: 1001,
  player_id: 11,
  game_id: 101,
  type: 'bet',
  amount: 500,
  currency: 'USD',
  has_won: false,
  created_at: '2022-02-02T23:45:00.000Z',
  amount_eur: 468,
  player: { email: 'john@example.com', last_signed_in_at: '2022-02-02T20:00:00.000Z' },
  description:
    'Player #11 (john@example.com) placed a bet of 5 USD (4.68 EUR) on a game "It\'s bananas!" on February 2nd, 2022 at 23:45 UTC.',
})
export class LoggedEventDto extends CasinoEventDto {
  @ApiPropertyOptional({ description: 'Bets and deposits: the amount in euro cents, rounded half-even' })
  amount_eur?: number;
  @ApiProperty({ type: PlayerDto })
  player!: PlayerDto;
  @ApiProperty()
  description!: string;
}

export class RecentEventsDto {
  @ApiProperty({ type: [LoggedEventDto] })
  items!: LoggedEventDto[];
}

export class RecentQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: RECENT_MAX, default: 20 })
  @IsOptional()
  @Transform(decimalInt)
  @IsInt()
  @Min(1)
  @Max(RECENT_MAX)
  limit = 20;
}
