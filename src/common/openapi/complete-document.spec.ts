import type { OpenAPIObject } from '@nestjs/swagger';
import { completeDocument, PATH_ID_DESCRIPTION } from './complete-document';

/** A generated document as @nestjs/swagger leaves it: a default error, bare path ids. */
function generated(): OpenAPIObject {
  return {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/api/things/{id}': {
        patch: {
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            {
              name: 'externalId',
              in: 'path',
              required: true,
              schema: { type: 'string', pattern: '^x$' },
            },
          ],
          requestBody: {
            content: { 'application/json': { schema: { $ref: '#/components/schemas/ThingDto' } } },
          },
          security: [{ bearer: [] }],
          responses: {
            '200': { description: 'ok' },
            '403': { description: 'Only the owner.' },
            default: { description: 'any error' },
          },
        },
      },
      '/api/health': { get: { responses: { '200': { description: 'ok' } } } },
    },
    components: {
      schemas: { ThingDto: { type: 'object', properties: { name: { type: 'string' } } } },
    },
  };
}

describe('completeDocument', () => {
  const document = completeDocument(generated());
  const patch = document.paths['/api/things/{id}'].patch;

  it('refuses unknown keys in request bodies', () => {
    expect(document.components?.schemas?.ThingDto).toMatchObject({ additionalProperties: false });
  });

  it('keeps path ids opaque (a malformed one is a 404, not a pattern to match) and other path parameters as declared', () => {
    expect(patch?.parameters).toEqual([
      {
        name: 'id',
        in: 'path',
        required: true,
        schema: { type: 'string', minLength: 1 },
        description: PATH_ID_DESCRIPTION,
      },
      {
        name: 'externalId',
        in: 'path',
        required: true,
        schema: { type: 'string', pattern: '^x$' },
      },
    ]);
  });

  it('lists each error status an operation may answer, with its exact body, and no default', () => {
    expect(Object.keys(patch?.responses ?? {}).sort()).toEqual(
      ['200', '400', '401', '403', '404', '413', '429', '500', '503'].sort(),
    );
    expect(patch?.responses['403']).toEqual({
      description: 'Only the owner.',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error_FORBIDDEN' } } },
    });
    expect(document.components?.schemas?.Error_FORBIDDEN).toMatchObject({
      additionalProperties: false,
      properties: {
        statusCode: { type: 'integer', enum: [403] },
        error: { type: 'string', enum: ['FORBIDDEN'] },
      },
    });
    // No body, no parameters, no token: only what any request may meet.
    expect(Object.keys(document.paths['/api/health'].get?.responses ?? {}).sort()).toEqual([
      '200',
      '429',
      '500',
      '503',
    ]);
  });
});
