import {
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';

/** Below this, a production JWT_SECRET is refused (64 random hex digits carry about 250). */
export const MIN_SECRET_BITS = 96;

/**
 * A secret's bits judged by its own characters (Shannon: length × entropy of their frequencies).
 * Crude, but `aaaa…` or `abababab…` scores near 0, and any random string of 32 characters passes.
 */
export function estimatedBits(secret: string): number {
  const counts = new Map<string, number>();
  for (const char of secret) counts.set(char, (counts.get(char) ?? 0) + 1);
  const length = [...secret].length;
  let perChar = 0;
  for (const count of counts.values()) perChar -= (count / length) * Math.log2(count / length);
  return perChar * length;
}

/** In production only: a guessable JWT_SECRET lets anyone mint tokens. */
@ValidatorConstraint({ name: 'strongSecret' })
export class StrongSecret implements ValidatorConstraintInterface {
  validate(value: unknown, { object }: ValidationArguments): boolean {
    if ((object as { NODE_ENV?: string }).NODE_ENV !== 'production') return true;
    return typeof value === 'string' && estimatedBits(value) >= MIN_SECRET_BITS;
  }

  defaultMessage({ property }: ValidationArguments): string {
    return `${property} looks guessable (repeated characters); use a random one, e.g. \`openssl rand -hex 32\``;
  }
}
