import type { OpenAPIObject } from '@nestjs/swagger';
import type {
  OperationObject,
  ParameterObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ERROR_STATUS, type ErrorCode } from '../errors/app-error';

/**
 * Ids in paths are opaque strings to clients (the server issues 24 hex digits): one that is
 * malformed names nothing, so it is answered 404 like a missing one, never 400.
 */
export const PATH_ID_DESCRIPTION =
  'An id as the server issued it; a malformed one is answered 404, like one that names nothing the caller may see.';

/** A path parameter that carries one of the server's ids (`id`, `userId`, ...; not `externalId`). */
const isServerId = (name: string): boolean =>
  name === 'id' || (/^[a-z]+Id$/.test(name) && name !== 'externalId');

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const isReference = (value: unknown): value is ReferenceObject =>
  typeof value === 'object' && value !== null && '$ref' in value;

/** The error body for one code, as the server sends it (HttpErrorFilter). */
function errorSchema(code: ErrorCode): SchemaObject {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['statusCode', 'error', 'message'],
    properties: {
      statusCode: { type: 'integer', enum: [ERROR_STATUS[code]] },
      error: { type: 'string', enum: [code] },
      message: { type: 'string', description: 'Human-readable; never a stack trace.' },
    },
  };
}

const ERROR_WHEN: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'The input breaks a rule of the contract (an unknown key included).',
  UNAUTHORIZED: 'No valid access token (or, for login, a wrong username or password).',
  FORBIDDEN: 'Allowed to members, but not to this one (edit or delete by a non-sender).',
  NOT_FOUND: 'Nothing with that id that the caller may see (a non-member gets this too).',
  CONFLICT: 'Clashes with what is stored (a taken username, an edit of a deleted message).',
  PAYLOAD_TOO_LARGE: 'The body is larger than the server accepts.',
  RATE_LIMITED: 'Too many requests in the window; slow down.',
  UNAVAILABLE: 'The database is unreachable or the server is busy or shutting down; retry.',
  INTERNAL: 'A bug: reported without detail.',
};

/** The errors every operation of this API may answer with, by what it takes. */
function errorsOf(operation: OperationObject): ErrorCode[] {
  const parameters = (operation.parameters ?? []).filter(
    (parameter): parameter is ParameterObject => !isReference(parameter),
  );
  const codes: ErrorCode[] = [];
  if (operation.requestBody || parameters.length > 0) codes.push('VALIDATION_FAILED');
  if (operation.security?.length) codes.push('UNAUTHORIZED');
  if (parameters.some((parameter) => parameter.in === 'path')) codes.push('NOT_FOUND');
  if (operation.requestBody) codes.push('PAYLOAD_TOO_LARGE');
  codes.push('RATE_LIMITED', 'UNAVAILABLE', 'INTERNAL');
  return codes;
}

/**
 * Fills in what the generated OpenAPI document cannot know from the DTOs, so that it carries
 * every rule the server enforces: request bodies refuse unknown keys, path ids are opaque (and
 * answered 404 when malformed), and each operation lists every error status it may answer (besides those its
 * controller declares) with that status's exact error body. Mutates and returns `document`.
 */
export function completeDocument(document: OpenAPIObject): OpenAPIObject {
  const schemas = (document.components ??= {}).schemas ?? {};
  document.components.schemas = schemas;
  const codes = Object.keys(ERROR_STATUS) as ErrorCode[];
  for (const code of codes) schemas[`Error_${code}`] = errorSchema(code);

  for (const path of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = path[method];
      if (!operation) continue;

      // The validation pipe refuses keys a DTO does not declare.
      const body = operation.requestBody;
      const bodySchema =
        body && !isReference(body) ? body.content['application/json']?.schema : undefined;
      if (bodySchema && isReference(bodySchema)) {
        const target = schemas[bodySchema.$ref.split('/').pop() ?? ''];
        if (target && !isReference(target)) target.additionalProperties = false;
      }

      for (const parameter of operation.parameters ?? []) {
        if (isReference(parameter) || parameter.in !== 'path' || !isServerId(parameter.name)) {
          continue;
        }
        parameter.schema = { type: 'string', minLength: 1 };
        parameter.description ??= PATH_ID_DESCRIPTION;
      }

      const declared = Object.keys(operation.responses)
        .map(Number)
        .filter((status) => status >= 400);
      const statuses = new Set([
        ...declared,
        ...errorsOf(operation).map((code) => ERROR_STATUS[code]),
      ]);
      for (const status of [...statuses].sort()) {
        const code = codes.find((candidate) => ERROR_STATUS[candidate] === status);
        if (!code) continue;
        const existing = operation.responses[status] as ResponseObject | undefined;
        operation.responses[status] = {
          description: existing?.description || ERROR_WHEN[code],
          content: {
            'application/json': { schema: { $ref: `#/components/schemas/Error_${code}` } },
          },
        };
      }
      delete operation.responses.default;
    }
  }
  return document;
}
