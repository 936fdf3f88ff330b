import { ArgumentMetadata, HttpException, ValidationPipe } from '@nestjs/common';
import { HOUSE_VALIDATION, houseValidationPipe } from '@conveyor/common';
import { BATCH_MAX, TaskBatchCreateDto, TaskCreateDto } from './tasks.dto';
import { seeded } from '../../../../test/support/seeded';

/** Nest's own pipe with the house options: what every body went through before validInstance. */
const nest = new ValidationPipe(HOUSE_VALIDATION);
const house = houseValidationPipe();

type Answer = { value: unknown } | { status: number; body: unknown };

async function answer(
  pipe: ValidationPipe,
  body: unknown,
  metatype: ArgumentMetadata['metatype'],
): Promise<Answer> {
  try {
    return { value: await pipe.transform(JSON.parse(JSON.stringify(body)), { type: 'body', metatype }) };
  } catch (err) {
    if (err instanceof HttpException) return { status: err.getStatus(), body: err.getResponse() };
    throw err;
  }
}

const ABSENT = Symbol('absent');
const VALUES: Record<string, unknown[]> = {
  type: ['demo.work', 'demo.work', 'a.b-c', 'Demo.work', 'x'.repeat(101), '', 5, null, ['demo.work']],
  payload: [{ seconds: 0, cpuBound: false }, {}, { a: { b: [1, { c: null }] } }, [], null, 'x', 3],
  priority: [ABSENT, ABSENT, 'high', 'normal', 'low', null, 1],
  runAt: [
    ABSENT,
    ABSENT,
    '2026-12-01T10:00:00Z',
    '2026-12-01T10:00:00.123+02:00',
    '2026-12-01 10:00:00',
    '2026-13-01T10:00:00Z',
    'nope',
    null,
    123,
  ],
  delaySeconds: [ABSENT, ABSENT, 0, 5, -1, 1.5, 365 * 86400 + 1, '5', null],
  maxAttempts: [ABSENT, ABSENT, 1, 20, 21, 0, 2.5, null, '3'],
  group: [ABSENT, ABSENT, 'tenant-42', '', 'Bad Group!', 'x'.repeat(201), null, 7],
};

function taskBody(r: ReturnType<typeof seeded>, wild: number): Record<string, unknown> {
  const body: Record<string, unknown> = { type: 'demo.work', payload: { seconds: 0, cpuBound: false } };
  for (const [key, values] of Object.entries(VALUES)) {
    if (r.next() >= wild) continue;
    const v = r.pick(values);
    if (v === ABSENT) delete body[key];
    else body[key] = v;
  }
  if (r.next() < wild / 10) body.extra = true;
  return body;
}

async function expectSameAnswers(bodies: unknown[], metatype: ArgumentMetadata['metatype']) {
  let accepted = 0;
  for (const body of bodies) {
    const [expected, got] = [await answer(nest, body, metatype), await answer(house, body, metatype)];
    try {
      expect(got).toStrictEqual(expected);
    } catch (err) {
      throw new Error(`${JSON.stringify(body)}: ${String(err)}`);
    }
    if ('value' in got) accepted++;
  }
  expect(accepted).toBeGreaterThan(bodies.length / 10);
  expect(accepted).toBeLessThan(bodies.length * 0.9);
}

describe('the house pipe on task bodies: Nest’s answers, from rules read once', () => {
  it('answers POST /tasks bodies as Nest’s ValidationPipe does: the same DTO, or the same 400', async () => {
    const r = seeded(3);
    await expectSameAnswers(
      Array.from({ length: 2000 }, () => taskBody(r, 0.3)),
      TaskCreateDto,
    );
  });

  it('answers batches as Nest’s ValidationPipe does, nested items included', async () => {
    const r = seeded(5);
    const bodies: unknown[] = Array.from({ length: 600 }, () => {
      const items = Array.from({ length: 1 + Math.floor(r.next() * 4) }, () => taskBody(r, 0.05));
      const body: Record<string, unknown> = { items };
      const odd = r.next();
      if (odd < 0.03) body.items = [];
      else if (odd < 0.06) body.items = r.pick([null, 'x', {}, [1], [null]]);
      else if (odd < 0.08) body.more = 1;
      return body;
    });
    bodies.push({ items: Array.from({ length: BATCH_MAX + 1 }, () => taskBody(r, 0)) });
    bodies.push({ items: Array.from({ length: BATCH_MAX }, () => taskBody(r, 0)) });
    await expectSameAnswers(bodies, TaskBatchCreateDto);
    const built = (await answer(house, { items: [taskBody(r, 0)] }, TaskBatchCreateDto)) as {
      value: TaskBatchCreateDto;
    };
    expect(built.value).toBeInstanceOf(TaskBatchCreateDto);
    expect(built.value.items[0]).toBeInstanceOf(TaskCreateDto);
  });
});
