/** Reads an OpenAPI 3.0 document the way Swagger UI's "Try it out" does. */

type Schema = Record<string, any>;
export type OpenApi = {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, Schema> };
};

export interface Operation {
  method: string;
  path: string;
  op: any;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

export function operations(doc: OpenApi): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method] })),
  );
}

function resolve(doc: OpenApi, schema: Schema): Schema {
  return schema.$ref ? resolve(doc, doc.components.schemas[String(schema.$ref).split('/').pop()!]) : schema;
}

/**
 * The value Swagger UI puts in a request editor when the operation offers no example of its own:
 * the schema's example, else its default, its first enum value, its first alternative, or a value
 * of its type built from its properties' examples (every property, optional ones included).
 */
export function sample(doc: OpenApi, raw: Schema): unknown {
  const schema = resolve(doc, raw);
  if ('example' in schema) return schema.example;
  if ('default' in schema) return schema.default;
  if (schema.enum) return schema.enum[0];
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) return sample(doc, alternatives[0]);
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s: Schema) => sample(doc, s)));
  if (schema.type === 'array') return [sample(doc, schema.items ?? {})];
  if (schema.type === 'object' || schema.properties) {
    return Object.fromEntries(
      Object.entries(schema.properties ?? {})
        .filter(([, p]) => !(p as Schema).readOnly)
        .map(([k, p]) => [k, sample(doc, p as Schema)]),
    );
  }
  if (schema.type === 'integer' || schema.type === 'number') return schema.minimum ?? 0;
  if (schema.type === 'boolean') return true;
  if (schema.format === 'date-time') return new Date().toISOString();
  if (schema.format === 'uuid') return '3fa85f64-5717-4562-b3fc-2c963f66afa6';
  if (schema.format === 'email') return 'user@example.com';
  return 'string';
}

/** The request bodies the operation offers: each named example, or the sample of its schema. */
export function requestBodies(doc: OpenApi, op: any): { name: string; body: unknown }[] {
  const media = op.requestBody?.content?.['application/json'];
  if (!media) return [];
  if (media.examples) {
    return Object.entries(media.examples).map(([name, e]) => ({
      name,
      body: (e as { value: unknown }).value,
    }));
  }
  if ('example' in media) return [{ name: 'example', body: media.example }];
  return [{ name: 'sample', body: sample(doc, media.schema) }];
}

/** The query Swagger UI pre-fills: parameters with an example, and required ones. */
export function exampleQuery(doc: OpenApi, op: any): URLSearchParams {
  const query = new URLSearchParams();
  for (const p of op.parameters ?? []) {
    if (p.in !== 'query') continue;
    const example = p.example ?? p.schema?.example;
    if (example !== undefined) query.set(p.name, String(example));
    else if (p.required) query.set(p.name, String(sample(doc, p.schema ?? {})));
  }
  return query;
}
