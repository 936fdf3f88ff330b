import { Type, applyDecorators } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiUnprocessableEntityResponse,
  type OpenAPIObject,
  type ResponseObject,
  type SchemaObject,
} from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto';

type Responses = Record<string, ResponseObject>;

const ERROR_CONTENT: ResponseObject['content'] = {
  'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } },
};

/** Answers the HTTP layer gives before any route runs, so every operation can answer them. */
const EVERY_OPERATION: Responses = {
  '400': {
    description: 'Invalid input (a parameter, a header or the body); the message names it',
    content: ERROR_CONTENT,
  },
  '408': {
    description:
      'The request did not arrive in time (headers within HTTP_HEADERS_TIMEOUT_MS, the whole ' +
      'request within HTTP_REQUEST_TIMEOUT_MS); the connection is closed',
  },
  '431': { description: 'The request headers are larger than 16 KiB; the connection is closed' },
};

/** What a request with a body can meet whatever its route (GET bodies are never read). */
const WITH_BODY: Responses = {
  '413': { description: 'The body is larger than HTTP_BODY_LIMIT_BYTES', content: ERROR_CONTENT },
  '415': { description: 'The body is of a media type the operation does not take', content: ERROR_CONTENT },
};

const STORE_DOWN: Responses = {
  '503': { description: 'PostgreSQL is unavailable; retry shortly', content: ERROR_CONTENT },
};

const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Whole-object examples by schema (class) name, set by `@ApiSchemaExample`. */
const SCHEMA_EXAMPLES = new Map<string, object>();

/**
 * A consistent example of the whole class for /docs: without one, Swagger UI assembles its
 * properties' examples into states that cannot exist (a queued task with a result and an error).
 * Spectral checks it against the schema in `make test`.
 */
export function ApiSchemaExample(example: object): ClassDecorator {
  return (target) => {
    SCHEMA_EXAMPLES.set(target.name, example);
  };
}

/**
 * The answers of a creation that takes an Idempotency-Key: 201 with the new `what`, 200 with the
 * one an earlier request with the key created, 422 when the key was used with other parameters.
 */
export function ApiIdempotentCreate(what: string, type: Type): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: `Repeat a request without creating a second ${what}`,
    }),
    ApiCreatedResponse({ type }),
    ApiOkResponse({ type, description: `The ${what} an earlier request with this Idempotency-Key created` }),
    ApiUnprocessableEntityResponse({
      type: ErrorResponseDto,
      description: 'The Idempotency-Key was already used with other parameters',
    }),
  );
}

/**
 * The answers of a server-sent event stream of one resource: `text/event-stream` of `events`
 * (each carrying a `type`), 404 for an unknown id, 503 when the gateway holds too many streams.
 */
export function ApiEventStream(type: Type, events: string): MethodDecorator {
  return applyDecorators(
    ApiProduces('text/event-stream'),
    ApiOkResponse({ type, description: `text/event-stream of ${events}` }),
    ApiNotFoundResponse({ type: ErrorResponseDto }),
    ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'Too many open streams' }),
  );
}

/** Finishes the generated document: whole-class examples, nullable objects, every answer. */
export function completeDocument(document: OpenAPIObject, storeless: ReadonlySet<string>): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, SchemaObject>;
  for (const [name, example] of SCHEMA_EXAMPLES) {
    if (schemas[name]) schemas[name].example = example;
  }
  const inlined = inlineNullableRefs(schemas);
  const used = JSON.stringify(document);
  for (const name of inlined) {
    if (!used.includes(`"#/components/schemas/${name}"`)) delete schemas[name];
  }
  documentCommonAnswers(document, storeless);
}

/**
 * OpenAPI 3.0 cannot say "this $ref or null": Nest writes `{nullable, allOf: [$ref]}`, whose
 * allOf still refuses null, so a `null` example is wrong to every validator. Inline the object.
 */
function inlineNullableRefs(schemas: Record<string, SchemaObject>): Set<string> {
  const inlined = new Set<string>();
  for (const schema of Object.values(schemas)) {
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
      const p = property as SchemaObject;
      const ref = p.nullable && p.allOf?.length === 1 ? (p.allOf[0] as { $ref?: string }).$ref : undefined;
      const name = ref?.replace('#/components/schemas/', '');
      const target = name ? schemas[name] : undefined;
      if (!name || !target) continue;
      inlined.add(name);
      // Not the object's own example: the property may be null, and its parent's example says which.
      const shape: SchemaObject = { ...target };
      delete shape.example;
      schema.properties![key] = {
        ...shape,
        nullable: true,
        ...(p.description ? { description: p.description } : {}),
      };
    }
  }
  return inlined;
}

/**
 * Adds to every operation the answers it can give but its controller does not declare: those of
 * the HTTP layer, of body parsing, and 503 when it reads PostgreSQL. An operation's own
 * description of a status wins. `storeless` names the paths that answer without PostgreSQL.
 */
function documentCommonAnswers(document: OpenAPIObject, storeless: ReadonlySet<string>): void {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const extra: Responses = {
        ...EVERY_OPERATION,
        ...(BODY_METHODS.has(method) ? WITH_BODY : {}),
        ...(storeless.has(path) ? {} : STORE_DOWN),
      };
      operation.responses = { ...extra, ...operation.responses };
    }
  }
}

/**
 * A whole hour `hoursAhead` from the gateway's start, for request examples that must lie in the
 * future (a fixed date would be refused once it passed, or when it is over a year away).
 */
export function exampleTime(hoursAhead: number): string {
  const hour = 3600_000;
  return new Date((Math.floor(Date.now() / hour) + hoursAhead) * hour).toISOString();
}
