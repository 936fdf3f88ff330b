import { Injectable, OnModuleInit } from '@nestjs/common';
import { toPage } from '@conveyor/common';
import { TaskReportsService } from '@conveyor/tasks/gateway';
import { UserCreateDto, UserDto, UserListDto, UserPatchDto, UserReplaceDto } from './users.dto';
import { UsersError } from './users.error';
import { PlayerRow, UserRow, UsersRepository } from './users.repository';

@Injectable()
export class UsersService implements OnModuleInit {
  constructor(
    private readonly repo: UsersRepository,
    private readonly reports: TaskReportsService,
  ) {}

  /** A succeeded `user.process` task upserts its user, in the transaction that records the success. */
  onModuleInit(): void {
    this.reports.onSucceeded('user.process', (tx, tasks) =>
      this.repo.recordProcessed(
        tx,
        tasks.map((t) => (t.payload as { userId: number }).userId),
      ),
    );
  }

  async list(limit: number, offset: number): Promise<UserListDto> {
    const rows = await this.repo.list(limit + 1, offset);
    return toPage(rows.map(userView), limit, offset);
  }

  async get(id: number): Promise<UserDto> {
    const user = await this.repo.find(id);
    if (!user) throw new UsersError('NOT_FOUND', `user ${id} not found`);
    return userView(user);
  }

  async create(dto: UserCreateDto): Promise<UserDto> {
    const { lastSignedInAt, ...rest } = dto;
    const user = await this.repo.insert({
      ...rest,
      lastSignedInAt: lastSignedInAt ? new Date(lastSignedInAt) : null,
    });
    if (!user) throw new UsersError('CONFLICT', `user ${dto.id} already exists`);
    return userView(user);
  }

  async replace(id: number, dto: UserReplaceDto): Promise<UserDto> {
    return this.patch(id, { name: dto.name, email: dto.email, lastSignedInAt: dto.lastSignedInAt ?? null });
  }

  async patch(id: number, dto: UserPatchDto): Promise<UserDto> {
    if (dto.name === undefined && dto.email === undefined && dto.lastSignedInAt === undefined) {
      throw new UsersError('VALIDATION', 'give name, email, lastSignedInAt or some of them');
    }
    const { lastSignedInAt, ...rest } = dto;
    const user = await this.repo.update(id, {
      ...rest,
      ...(lastSignedInAt !== undefined
        ? { lastSignedInAt: lastSignedInAt === null ? null : new Date(lastSignedInAt) }
        : {}),
    });
    if (!user) throw new UsersError('NOT_FOUND', `user ${id} not found`);
    return userView(user);
  }

  /** The players of casino events (users by id), read in one query. */
  players(ids: number[]): Promise<PlayerRow[]> {
    return this.repo.findPlayers(ids);
  }

  async delete(id: number): Promise<void> {
    if (!(await this.repo.delete(id))) throw new UsersError('NOT_FOUND', `user ${id} not found`);
  }
}

function userView(row: UserRow): UserDto {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    lastProcessedAt: row.lastProcessedAt,
    processCount: row.processCount,
    lastSignedInAt: row.lastSignedInAt,
  };
}
