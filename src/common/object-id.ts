import { Types } from 'mongoose';
import { AppError } from './errors/app-error';

const OBJECT_ID = /^[0-9a-f]{24}$/i;

/**
 * Ids are opaque strings to clients: one that cannot name a stored thing is simply not found,
 * the same answer as one that names something the caller may not see.
 */
export function parseId(id: string, what: string): Types.ObjectId {
  if (!OBJECT_ID.test(id)) throw new AppError('NOT_FOUND', `${what} not found`);
  return new Types.ObjectId(id);
}
