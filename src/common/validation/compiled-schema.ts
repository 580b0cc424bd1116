import Ajv, { type SchemaObject, type ValidateFunction } from 'ajv';

// strictRequired off: `anyOf: [{ required: [...] }]` names properties defined one level up.
const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: false });
const COMPILED = Symbol('compiled schema');

type WithSchema = { [COMPILED]?: ValidateFunction };

/**
 * A JSON Schema, compiled once, that accepts only payloads its DTO's class-validator rules accept
 * too (send-message.dto.spec.ts checks that on generated payloads): the validation pipe's fast path for
 * the hot socket events. A payload it refuses goes through class-validator as before, which stays
 * the authority and words the error; so the schema may be stricter than the DTO, never looser.
 * Lengths: ajv counts code points, class-validator no more (a character and its variation
 * selector count once), so a maxLength here implies the DTO's.
 */
export function CompiledSchema(schema: SchemaObject): ClassDecorator {
  const check = ajv.compile(schema);
  return (target) => {
    // Own, not inherited: a subclass's rules differ from its parent's.
    Object.defineProperty(target, COMPILED, { value: check, enumerable: false });
  };
}

/** The DTO's compiled schema, if it has one of its own. */
export function compiledSchemaOf(dto: unknown): ValidateFunction | undefined {
  if (typeof dto !== 'function' || !Object.prototype.hasOwnProperty.call(dto, COMPILED)) {
    return undefined;
  }
  return (dto as WithSchema)[COMPILED];
}
