import type { TransformFnParams } from 'class-transformer';

/**
 * Query parameters arrive as text: only plain decimal digits become a number. "0x10", "1e3",
 * " 1" or "" stay text, so @IsInt refuses them instead of reading something the client did not mean.
 */
export const decimalInteger = ({ value }: TransformFnParams): unknown =>
  typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
