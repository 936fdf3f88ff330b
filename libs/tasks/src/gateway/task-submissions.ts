import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { CommitHook, CommitRow, commitHooks, sqlState } from '@conveyor/db';
import { TasksError } from './tasks.error';
import { PreparedTask, TaskRow, TasksRepository } from './tasks.repository';

/**
 * Writes in flight at once. One: the next write takes everyone who arrived meanwhile. Measured
 * against two and four (a gateway alone, 64 connections): 1,357 and 1,513 requests/s against
 * 971–1,386 and 1,046–1,243.
 */
const MAX_IN_FLIGHT = 1;
/** As long as a request waits for a pooled connection before it is answered 503. */
const MAX_WAIT_MS = 3000;

interface Waiting {
  item: PreparedTask;
  /** The request's audit row, written in the same statement as its task. */
  audit?: CommitRow;
  hook?: CommitHook;
  since: number;
  resolve: (row: TaskRow) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit of single submissions: the `POST /tasks` of one moment go to PostgreSQL as one
 * statement (one transaction, one WAL flush) and each is answered when it has committed. A
 * submission that arrives while the writes are busy joins the next one, so a lone request waits
 * for nothing and a crowd shares its commits.
 */
@Injectable()
export class TaskSubmissions {
  private queue: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;
  private expiry?: NodeJS.Timeout;

  constructor(
    private readonly repo: TasksRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Stores one task (no idempotency key) with its message; resolves once it is committed. */
  submit(item: PreparedTask): Promise<TaskRow> {
    const hook = commitHooks.getStore();
    let audit: CommitRow | undefined;
    if (hook && !hook.done) {
      hook.done = true;
      audit = hook.row({ id: item.task.id });
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ item, audit, hook: audit && hook, since: Date.now(), resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.queue.length === 0) return;
    if (this.inFlight >= MAX_IN_FLIGHT) return this.expireLater();
    if (this.scheduled) return;
    this.scheduled = true;
    // After this turn of the event loop: the requests parsed in it join the same write. Outside
    // any request's context, so no request's commit hook is taken by the shared write.
    commitHooks.exit(() =>
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      }),
    );
  }

  /** While the write in flight is stuck (say, behind a lock), the waiting are still answered in time. */
  private expireLater(): void {
    if (this.expiry || this.queue.length === 0) return;
    const due = this.queue[0].since + MAX_WAIT_MS - Date.now();
    this.expiry = setTimeout(
      () => {
        this.expiry = undefined;
        this.expire();
        this.schedule();
      },
      Math.max(0, due) + 1,
    );
    this.expiry.unref();
  }

  /** Waited as long as a request waits for a pooled connection: answered as the pool answers it. */
  private expire(): void {
    const now = Date.now();
    while (this.queue.length > 0 && now - this.queue[0].since > MAX_WAIT_MS) {
      const w = this.queue.shift() as Waiting;
      this.fail(w, new TasksError('UNAVAILABLE', 'The database is busy; retry shortly'));
    }
  }

  private async flush(): Promise<void> {
    this.expire();
    const group = this.queue.splice(0, this.config.submit.groupMax);
    if (group.length === 0) return;
    this.inFlight++;
    try {
      await this.write(group);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }

  private async write(group: Waiting[]): Promise<void> {
    try {
      const rows = await this.repo.insertMany(
        group.map((w) => w.item),
        undefined,
        group.flatMap((w) => (w.audit ? [w.audit] : [])),
      );
      group.forEach((w, i) => w.resolve(rows[i]));
    } catch (err) {
      // The statement wrote nothing: alone, each request meets only its own problem.
      if (group.length === 1) return this.failAlone(group[0], err);
      await Promise.all(group.map((w) => this.write([w])));
    }
  }

  /**
   * A conflict on its own new id means the shared write did commit, its answer lost with the
   * connection (a session terminated at the commit): the task is there, so it is the answer.
   */
  private async failAlone(w: Waiting, err: unknown): Promise<void> {
    const { code, constraint } = sqlState(err);
    if (code === '23505' && constraint === 'tasks_pkey') {
      const row = await this.repo.findById(w.item.task.id).catch(() => null);
      if (row) return w.resolve(row);
    }
    this.fail(w, err);
  }

  private fail(w: Waiting, err: unknown): void {
    if (w.hook) w.hook.done = false; // nothing committed: the request's audit row is still to write
    w.reject(err);
  }
}
