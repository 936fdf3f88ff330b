import { Type, plainToInstance } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  Min,
  MaxLength,
  ValidateNested,
  getMetadataStorage,
  validateSync,
  ValidateIf,
  IsIn,
} from 'class-validator';
import { TASK_TYPES } from './task-types';
import { validInstance } from './valid-instance';
import { seeded } from '../../../test/support/seeded';

/** What class-transformer and class-validator themselves make of it: the instance, or undefined. */
function reference<T extends object>(cls: new () => T, plain: unknown): T | undefined {
  const instance = plainToInstance(cls, plain);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  return errors.length === 0 ? instance : undefined;
}

/** As a JSON body arrives (structuredClone would make objects of another realm under jest). */
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

const ABSENT = Symbol('absent');
const ODD_VALUES: unknown[] = [
  ABSENT,
  null,
  0,
  1,
  -1,
  2.5,
  20,
  21,
  3600,
  3601,
  1e13,
  '',
  'USD',
  'brl',
  '10.50',
  '1e3',
  'manual',
  true,
  false,
  [],
  [1],
  {},
  { a: 1 },
  1001,
  '2026-12-01T10:00:00Z',
];

/** Cases of `cls`: its example with one to three properties replaced or removed, sometimes an extra key. */
function cases(example: Record<string, unknown>, properties: string[], n: number, seed: number) {
  const r = seeded(seed);
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const c: Record<string, unknown> = clone(example);
    const changes = Math.floor(r.next() * 4);
    for (let j = 0; j < changes; j++) {
      const value = r.pick(ODD_VALUES);
      const key = r.pick(properties);
      if (value === ABSENT) delete c[key];
      else c[key] = clone(value);
    }
    if (r.next() < 0.05) c.extra = 1;
    out.push(c);
  }
  return out;
}

function propertiesOf(cls: new () => object): string[] {
  const metas = getMetadataStorage().getTargetValidationMetadatas(
    cls,
    undefined as unknown as string,
    false,
    false,
  );
  return [...new Set(metas.map((m) => m.propertyName))];
}

/** Same answer as the reference on every case, and enough of both answers that the cases mean something. */
function expectSameAnswers(cls: new () => object, plains: Record<string, unknown>[]) {
  let accepted = 0;
  for (const plain of plains) {
    const expected = reference(cls, clone(plain));
    const got = validInstance(cls, clone(plain));
    try {
      expect(got).toStrictEqual(expected);
    } catch (err) {
      throw new Error(`${cls.name} ${JSON.stringify(plain)}: ${String(err)}`);
    }
    if (got) accepted++;
  }
  expect(accepted).toBeGreaterThan(plains.length / 10);
  expect(accepted).toBeLessThan(plains.length * 0.9);
}

class Leaf {
  @IsString()
  @MaxLength(3)
  name!: string;

  @IsOptional()
  @IsInt({ each: true })
  @Min(0, { each: true })
  counts?: number[];
}

class Tree {
  @ValidateNested({ each: true })
  @Type(() => Leaf)
  leaves!: Leaf[];

  @IsOptional()
  @ValidateNested()
  @Type(() => Leaf)
  top?: Leaf;
}

class Conditional {
  @IsIn(['a', 'b'])
  kind!: string;

  @ValidateIf((o: Conditional) => o.kind === 'a')
  @IsString()
  detail?: string;
}

describe('validInstance: class-validator’s answer from rules read once', () => {
  it.each(TASK_TYPES.map((t) => [t.name, t] as const))(
    'answers as class-validator for %s payloads',
    (_, t) => {
      const example = t.example as Record<string, unknown>;
      expectSameAnswers(t.payload, cases(example, [...propertiesOf(t.payload), 'extra'], 1500, 7));
    },
  );

  it('builds nested classes, each-element rules and optional values as class-transformer does', () => {
    const r = seeded(11);
    const leaf = () =>
      r.pick<unknown>([
        { name: 'ab' },
        { name: 'abcd' },
        { name: 'a', counts: [1, 2] },
        { name: 'a', counts: [1, -1] },
        'x',
        null,
      ]);
    const plains = Array.from({ length: 1500 }, () => {
      const plain: Record<string, unknown> = {
        leaves:
          r.next() < 0.1 ? r.pick([null, 'x', {}]) : [leaf(), leaf()].slice(0, Math.floor(r.next() * 3)),
      };
      if (r.next() < 0.5) plain.top = leaf();
      if (r.next() < 0.03) plain.other = true;
      return plain;
    });
    expectSameAnswers(Tree, plains);
    const built = validInstance(Tree, { leaves: [{ name: 'ab' }], top: { name: 'c' } });
    expect(built).toBeInstanceOf(Tree);
    expect(built?.leaves[0]).toBeInstanceOf(Leaf);
    expect(built?.top).toBeInstanceOf(Leaf);
  });

  it('follows ValidateIf conditions', () => {
    const plains = [
      { kind: 'a', detail: 'x' },
      { kind: 'a', detail: 1 },
      { kind: 'b', detail: 1 },
      { kind: 'b' },
      { kind: 'a' },
    ];
    expectSameAnswers(Conditional, plains);
    expect(validInstance(Conditional, { kind: 'b', detail: 1 })).toBeInstanceOf(Conditional);
  });

  it('accepts only plain objects', () => {
    const ok = { seconds: 1, cpuBound: false };
    const demo = TASK_TYPES[0].payload;
    expect(validInstance(demo, ok)).toBeInstanceOf(demo);
    expect(validInstance(demo, [ok])).toBeUndefined();
    expect(validInstance(demo, Object.assign(Object.create(null) as object, ok))).toBeUndefined();
    expect(validInstance(demo, 'x')).toBeUndefined();
  });
});
