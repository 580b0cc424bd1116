import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError } from '../errors/app-error';
import { compiledSchemaOf } from '../validation/compiled-schema';
import { nestsDeeperThan, TOO_DEEP_MESSAGE } from '../validation/payload-depth';
import { findMalformedText } from '../validation/well-formed-text';

// class-transformer silently skips these keys, so whitelisting alone would let them through unseen.
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

function messages(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {});
    return [...own, ...messages(error.children ?? [], path)];
  });
}

/**
 * The one validation policy for REST bodies, queries and socket payloads: unknown keys are an
 * error (not silently dropped), types are not coerced implicitly, and failures are VALIDATION_FAILED.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // First: every walk below (and class-validator's recursion) costs with the depth.
    if (nestsDeeperThan(value)) throw new AppError('VALIDATION_FAILED', TOO_DEEP_MESSAGE);
    if (typeof value === 'object' && value !== null) {
      const key = PROTOTYPE_KEYS.find((name) => Object.prototype.hasOwnProperty.call(value, name));
      if (key) throw new AppError('VALIDATION_FAILED', `property ${key} should not exist`);
    }
    const malformed = findMalformedText(value);
    if (malformed !== undefined) {
      throw new AppError('VALIDATION_FAILED', `${malformed} must be well-formed Unicode text`);
    }
    // The hot socket events: a compiled schema that passes means class-validator would too, and
    // these DTOs are plain fields, so the instance is the payload's own properties.
    const fast = compiledSchemaOf(metadata.metatype);
    if (fast?.(value) && metadata.metatype) {
      return Object.assign(new (metadata.metatype as new () => object)(), value);
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const list = messages(errors);
      return new AppError(
        'VALIDATION_FAILED',
        list.length > 0 ? list.join('; ') : 'The payload must be a JSON object',
      );
    },
  });
}
