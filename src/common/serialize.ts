import { ClassConstructor, plainToInstance } from 'class-transformer';
import { Types } from 'mongoose';

/** Shapes a stored document into an output DTO: only `@Expose`d fields leave the server. */
export function serialize<T>(dto: ClassConstructor<T>, source: object): T {
  return plainToInstance(dto, source, { excludeExtraneousValues: true });
}

type IdSource = { obj: Record<string, unknown> };

function idToString(value: unknown): string | null {
  if (value instanceof Types.ObjectId) return value.toHexString();
  return typeof value === 'string' ? value : null;
}

/**
 * Reads an ObjectId field from the source document as a hex string (null stays null).
 * It reads `obj`, not `value`: class-transformer has already rebuilt `value` as a plain object.
 */
export function idFrom(field: string) {
  return ({ obj }: IdSource): string | null => idToString(obj[field]);
}

export function idsFrom(field: string) {
  return ({ obj }: IdSource): string[] => {
    const list = obj[field];
    return Array.isArray(list) ? list.map((id) => idToString(id) ?? '') : [];
  };
}
