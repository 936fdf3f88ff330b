import type { OpenAPIObject } from '@nestjs/swagger';
import { completeDocument } from './openapi';

function document(): OpenAPIObject {
  return {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/things': {
        get: { responses: { '200': { description: 'ok' } } },
        post: { responses: { '201': { description: 'made' }, '400': { description: 'its own words' } } },
      },
      '/metrics': { get: { responses: { '200': { description: 'ok' } } } },
    },
    components: {
      schemas: {
        Thing: {
          type: 'object',
          properties: {
            error: { nullable: true, type: 'object', allOf: [{ $ref: '#/components/schemas/Oops' }] },
          },
        },
        Oops: {
          type: 'object',
          properties: { message: { type: 'string' } },
          required: ['message'],
          example: { message: 'x' },
        },
      },
    },
  };
}

describe('completeDocument', () => {
  it('adds the answers of the HTTP layer, keeping an operation its own words', () => {
    const doc = document();
    completeDocument(doc, new Set(['/metrics']));
    const things = doc.paths['/things'];
    expect(Object.keys(things.get!.responses).sort()).toEqual(['200', '400', '408', '431', '503']);
    expect(Object.keys(things.post!.responses).sort()).toEqual([
      '201',
      '400',
      '408',
      '413',
      '415',
      '431',
      '503',
    ]);
    expect(things.post!.responses['400']).toEqual({ description: 'its own words' });
    expect(Object.keys(doc.paths['/metrics'].get!.responses).sort()).toEqual(['200', '400', '408', '431']);
  });

  it('inlines a nullable reference, so that null is a valid value, and drops the unused schema', () => {
    const doc = document();
    completeDocument(doc, new Set());
    const schemas = doc.components!.schemas!;
    expect((schemas.Thing as { properties: Record<string, unknown> }).properties.error).toEqual({
      type: 'object',
      properties: { message: { type: 'string' } },
      required: ['message'],
      nullable: true,
    });
    expect(schemas.Oops).toBeUndefined();
  });
});
