import { parseConfig } from '@conveyor/config';
import { TaskSubmissions } from './task-submissions';
import type { PreparedTask, TaskRow, TasksRepository } from './tasks.repository';

/** A stand-in for the repository: what each insertMany call was given, and what it answers. */
function repository(insertMany: (items: PreparedTask[]) => Promise<TaskRow[]>, existing: string[] = []) {
  const calls: number[] = [];
  const repo = {
    insertMany: (items: PreparedTask[]) => {
      calls.push(items.length);
      return insertMany(items);
    },
    findById: (id: string) => Promise.resolve(existing.includes(id) ? ({ id } as TaskRow) : null),
  };
  return { calls, repo: repo as unknown as TasksRepository };
}

const item = (id: string) => ({ task: { id } }) as PreparedTask;
const rows = (items: PreparedTask[]) => items.map((i) => ({ id: i.task.id }) as TaskRow);
const uniqueViolation = Object.assign(new Error('duplicate key'), {
  driverError: { code: '23505', constraint: 'tasks_pkey' },
});

describe('TaskSubmissions', () => {
  const config = parseConfig({});

  it('writes the submissions of one moment as one statement, answering each its own row', async () => {
    const { calls, repo } = repository((items) => Promise.resolve(rows(items)));
    const submissions = new TaskSubmissions(repo, config);
    const answers = await Promise.all(['a', 'b', 'c'].map((id) => submissions.submit(item(id))));
    expect(answers.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(calls).toEqual([3]);
  });

  it('when the shared statement fails, writes each alone so only the bad one is refused', async () => {
    const { calls, repo } = repository((items) =>
      items.some((i) => i.task.id === 'bad')
        ? Promise.reject(new Error('invalid input'))
        : Promise.resolve(rows(items)),
    );
    const submissions = new TaskSubmissions(repo, config);
    const answers = await Promise.allSettled(['a', 'bad', 'c'].map((id) => submissions.submit(item(id))));
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toEqual([3, 1, 1, 1]);
  });

  it('answers a task the lost shared commit wrote after all with that task, not an error', async () => {
    let first = true;
    const { repo } = repository(
      (items) => {
        if (first) {
          first = false;
          return Promise.reject(new Error('Connection terminated unexpectedly'));
        }
        return items[0].task.id === 'a' ? Promise.reject(uniqueViolation) : Promise.resolve(rows(items));
      },
      ['a'],
    );
    const submissions = new TaskSubmissions(repo, config);
    const answers = await Promise.all(['a', 'b'].map((id) => submissions.submit(item(id))));
    expect(answers.map((r) => r.id)).toEqual(['a', 'b']);
  });
});
