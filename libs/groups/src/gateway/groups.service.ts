import { Injectable } from '@nestjs/common';
import { GROUP_NAME, GROUP_NAME_RULE } from '@conveyor/contracts';
import { GroupRow, OutboxRelay, TaskGroupsRepository } from '@conveyor/tasks/gateway';
import { toPage } from '@conveyor/common';
import { GroupDto, GroupLimitsDto, GroupListDto } from './groups.dto';
import { GroupsError } from './groups.error';

/** Group limits through the API: set, read with their counts, removed. The relay applies them. */
@Injectable()
export class GroupsService {
  constructor(
    private readonly groups: TaskGroupsRepository,
    private readonly relay: OutboxRelay,
  ) {}

  async put(name: string, dto: GroupLimitsDto): Promise<{ group: GroupDto; created: boolean }> {
    checkName(name);
    const { row, created } = await this.groups.put({
      name,
      concurrency: dto.concurrency ?? null,
      ratePerSecond: dto.ratePerSecond ?? null,
    });
    // A raised limit lets waiting tasks go now, not at the relay's next poll.
    this.relay.wake();
    return { group: (await this.withCounts([row]))[0], created };
  }

  /** A group with limits, or without them while it has unfinished tasks. */
  async get(name: string): Promise<GroupDto> {
    checkName(name);
    const row = await this.groups.find(name);
    const [group] = await this.withCounts([
      row ?? { name, concurrency: null, ratePerSecond: null, createdAt: null, updatedAt: null },
    ]);
    if (!row && group.running === 0 && group.waiting === 0) {
      throw new GroupsError('NOT_FOUND', `group ${name} has no limits and no unfinished tasks`);
    }
    return group;
  }

  async list(limit: number, offset: number): Promise<GroupListDto> {
    const rows = await this.groups.list(limit + 1, offset);
    return toPage(await this.withCounts(rows), limit, offset);
  }

  /** Removes the limits: the group's waiting tasks go out as if it had none. */
  async delete(name: string): Promise<void> {
    checkName(name);
    if (!(await this.groups.delete(name))) throw new GroupsError('NOT_FOUND', `group ${name} has no limits`);
    this.relay.wake();
  }

  private async withCounts(
    rows: (Omit<GroupRow, 'createdAt' | 'updatedAt'> & { createdAt: Date | null; updatedAt: Date | null })[],
  ): Promise<GroupDto[]> {
    const counts = await this.groups.counts(rows.map((r) => r.name));
    return rows.map((r) => ({
      name: r.name,
      concurrency: r.concurrency,
      ratePerSecond: r.ratePerSecond,
      ...(counts.get(r.name) ?? { running: 0, waiting: 0 }),
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    }));
  }
}

function checkName(name: string): void {
  if (!GROUP_NAME.test(name)) throw new GroupsError('VALIDATION', GROUP_NAME_RULE);
}
