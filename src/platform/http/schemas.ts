import { type TSchema, Type } from '@sinclair/typebox';

/** The error body every route may return. */
export const ErrorSchema = Type.Object(
  { code: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) },
  { $id: undefined, description: 'Error with a stable code' },
);

/** Standard error responses, merged into each route's response schema. */
export function errors(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorSchema]));
}

export const Uuid = Type.String({ format: 'uuid' });
export const Email = Type.String({ format: 'email', maxLength: 254 });
export const ShortText = (max = 200) => Type.String({ minLength: 1, maxLength: max });
export const Names = Type.Object(
  { ca: ShortText(), es: ShortText(), en: ShortText() },
  { additionalProperties: false },
);

/** A body object: unknown fields are refused. */
export function Body<T extends Parameters<typeof Type.Object>[0]>(props: T) {
  return Type.Object(props, { additionalProperties: false });
}
