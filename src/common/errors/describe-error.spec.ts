import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { mongo } from 'mongoose';
import { AppError } from './app-error';
import { describeError } from './describe-error';

describe('describeError', () => {
  it('keeps an AppError code and message', () => {
    expect(describeError(new AppError('FORBIDDEN', 'Only the sender may edit'))).toEqual({
      code: 'FORBIDDEN',
      status: 403,
      message: 'Only the sender may edit',
      unexpected: false,
    });
  });

  it('maps Nest HTTP exceptions by status and joins validation messages', () => {
    const error = new BadRequestException(['a must be a string', 'b should not exist']);
    expect(describeError(error)).toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
      message: 'a must be a string; b should not exist',
    });
    expect(describeError(new NotFoundException('Cannot GET /nope'))).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Cannot GET /nope',
    });
    expect(describeError(new PayloadTooLargeException()).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('reports an unreachable database as UNAVAILABLE', () => {
    const error = new Error('Server selection timed out after 3000 ms');
    error.name = 'MongoServerSelectionError';
    expect(describeError(error)).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
  });

  const { MongoNetworkError, MongoServerError } = mongo;

  it('reports what the driver raises for a lost or restarting database as UNAVAILABLE', () => {
    // The driver's own classes, as a killed database raises them: a connection lost under an
    // operation, the pool cleared under it (a subclass whose name is none of the base's), a
    // server shutting down, and anything labelled retryable.
    const lost = new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed');
    class PoolClearedOnNetworkError extends MongoNetworkError {
      override get name(): string {
        return 'PoolClearedOnNetworkError';
      }
    }
    const cleared = new PoolClearedOnNetworkError('Connection to 127.0.0.1:27017 interrupted');
    const shuttingDown = new MongoServerError({
      code: 91,
      errmsg: 'The server is in quiesce mode',
    });
    const labelled = new MongoServerError({ code: 1, errmsg: 'x' });
    labelled.addErrorLabel('RetryableWriteError');
    for (const error of [lost, cleared, shuttingDown, labelled]) {
      expect(describeError(error)).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
    }
    // A server error that a retry cannot cure stays INTERNAL.
    expect(describeError(new MongoServerError({ code: 2, errmsg: 'bad value' })).code).toBe(
      'INTERNAL',
    );
  });

  it('tells a bulk insert that never reached the database from one a document failed in', () => {
    const bulk = (writeErrors: unknown[]) =>
      Object.assign(new Error('x'), { name: 'MongoBulkWriteError', writeErrors });
    expect(describeError(bulk([])).code).toBe('UNAVAILABLE');
    expect(describeError(bulk([{ index: 0, code: 2 }])).code).toBe('INTERNAL');
  });

  it('maps body-parser failures', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), {
      type: 'entity.too.large',
    });
    const malformed = Object.assign(new Error('Unexpected token'), { type: 'entity.parse.failed' });
    expect(describeError(tooLarge)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    expect(describeError(malformed)).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
  });

  it('hides anything unknown behind INTERNAL', () => {
    const described = describeError(new TypeError('secret internals at line 42'));
    expect(described).toEqual({
      code: 'INTERNAL',
      status: 500,
      message: 'Internal server error',
      unexpected: true,
    });
  });
});
