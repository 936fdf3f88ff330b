import {
  ValidationArguments,
  ValidationTypes,
  ValidatorConstraintInterface,
  getMetadataStorage,
} from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { TransformationType } from 'class-transformer';
import type { MetadataStorage as TransformerStorage } from 'class-transformer/types/MetadataStorage';

// class-transformer keeps its decorators' metadata here and does not re-export it from its index.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const storageModule = require('class-transformer/cjs/storage') as {
  defaultMetadataStorage: TransformerStorage;
};
const transformerStorage = storageModule.defaultMetadataStorage;

type Ctor = new () => object;
type Build = (plain: Record<string, unknown>) => object | undefined;

interface Check {
  meta: ValidationMetadata;
  validators: ValidatorConstraintInterface[];
}

interface Rule {
  property: string;
  conditions: ValidationMetadata[];
  checks: Check[];
  /** ValidateNested with the class class-transformer builds the value as (its @Type). */
  nested?: () => Build | undefined;
}

const builds = new Map<Ctor, Build | null>();

/**
 * What `plainToInstance(cls, plain)` then class-validator (`whitelist`, `forbidNonWhitelisted`) make
 * of a plain JSON object, when that passes; undefined when it fails or when these rules cannot tell,
 * and the caller then asks class-validator itself, for its messages. The rules are read from the
 * decorators once per class: class-validator filters every class's metadata on each call, which
 * with class-transformer took a tenth of the gateway's CPU for batches of 1,000 tasks.
 */
export function validInstance<T extends object>(cls: new () => T, plain: unknown): T | undefined {
  if (!isPlainObject(plain)) return undefined;
  const build = buildFor(cls, undefined);
  return build ? (build(plain) as T | undefined) : undefined;
}

function buildFor(cls: Ctor, schema: string | undefined): Build | null {
  let build = builds.get(cls);
  if (build === undefined) {
    build = compile(cls, schema);
    builds.set(cls, build);
  }
  return build;
}

/** null: a class whose rules this does not follow (async checks, @Transform, @Expose, @Exclude…). */
function compile(cls: Ctor, schema: string | undefined): Build | null {
  const storage = getMetadataStorage();
  // The call class-validator's executor makes: no groups, `always` off, groups not strict.
  const metas = storage.getTargetValidationMetadatas(cls, schema as string, false, false);
  if (metas.length === 0 || transformerStorage.getStrategy(cls) !== 'none') return null;
  if (
    transformerStorage.getExposedMetadatas(cls).length + transformerStorage.getExcludedMetadatas(cls).length
  ) {
    return null;
  }
  const rules = new Map<string, Rule>();
  for (const meta of metas) {
    const property = meta.propertyName;
    let rule = rules.get(property);
    if (!rule) {
      if (transformerStorage.findTransformMetadatas(cls, property, TransformationType.PLAIN_TO_CLASS).length)
        return null;
      rule = { property, conditions: [], checks: [] };
      rules.set(property, rule);
    }
    if (meta.validateIf) return null;
    if (meta.type === ValidationTypes.CONDITIONAL_VALIDATION) rule.conditions.push(meta);
    else if (meta.type === ValidationTypes.CUSTOM_VALIDATION || meta.type === ValidationTypes.IS_DEFINED) {
      const constraints = storage.getTargetValidatorConstraints(meta.constraintCls);
      if (constraints.some((c) => c.async)) return null;
      rule.checks.push({ meta, validators: constraints.map((c) => c.instance) });
    } else if (meta.type === ValidationTypes.NESTED_VALIDATION) {
      const type = transformerStorage.findTypeMetadata(cls, property);
      if (!type || type.options?.discriminator) return null;
      rule.nested = () => buildFor(type.typeFunction() as Ctor, cls.name) ?? undefined;
    } else if (meta.type !== ValidationTypes.WHITELIST) return null;
  }
  for (const rule of rules.values()) {
    // Any other @Type changes what class-transformer builds; class fields without rules fail the whitelist.
    if (!rule.nested && transformerStorage.findTypeMetadata(cls, rule.property)) return null;
  }
  if (Object.keys(new cls()).some((k) => !rules.has(k))) return null;
  const list = [...rules.values()];
  return (plain) => {
    for (const key of Object.keys(plain)) if (!rules.has(key)) return undefined;
    const object = new cls() as Record<string, unknown>;
    for (const rule of list) {
      if (!Object.hasOwn(plain, rule.property)) continue;
      const value = rule.nested ? buildNested(rule.nested(), plain[rule.property]) : plain[rule.property];
      if (value === FAILED) return undefined;
      object[rule.property] = value;
    }
    return list.every((rule) => passes(cls, object, rule)) ? object : undefined;
  };
}

const FAILED = Symbol('failed');

/** class-transformer builds the class of @Type for an object and for each object of an array. */
function buildNested(build: Build | undefined, value: unknown): unknown {
  if (!build) return FAILED;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const built = isPlainObject(item) ? build(item) : undefined;
      if (!built) return FAILED;
      out.push(built);
    }
    return out;
  }
  if (isPlainObject(value)) return build(value) ?? FAILED;
  return value; // null or a primitive: left as it is, then judged by the rules below
}

/** One property's rules in class-validator's order: its conditions, then its checks, then nesting. */
function passes(cls: Ctor, object: Record<string, unknown>, rule: Rule): boolean {
  const value = object[rule.property];
  for (const c of rule.conditions)
    if (!(c.constraints[0] as (o: object, v: unknown) => boolean)(object, value)) return true;
  for (const { meta, validators } of rule.checks) {
    const args: ValidationArguments = {
      targetName: cls.name,
      property: rule.property,
      object,
      value,
      constraints: meta.constraints,
    };
    const values = meta.each && Array.isArray(value) ? value : [value];
    for (const v of values)
      for (const validator of validators) if (!isTrue(validator.validate(v, args))) return false;
  }
  // A nested value that is there was built above, each of its objects valid; anything else fails.
  if (rule.nested && value !== undefined) return value !== null && typeof value === 'object';
  return true;
}

/** Truthy and settled: a promise is an async check, which is class-validator's to await. */
function isTrue(result: unknown): boolean {
  return Boolean(result) && !(result instanceof Promise);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  // Not a null-prototype object either: class-transformer calls its (missing) constructor.
  return Object.getPrototypeOf(value) === Object.prototype;
}
