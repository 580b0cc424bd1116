import { ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError } from '../errors/app-error';

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
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
