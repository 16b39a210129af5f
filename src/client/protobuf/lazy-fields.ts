/**
 * Lazy protobuf fields (see lazyMsg in schema.ts): a decoded object holds such a field's bytes until it is
 * first read, which spares the decoding, and the objects held, of a field most readers never look at.
 */
import type { LazyField, MessageSchema } from "./schema.js";

type Holder = Record<string | symbol, unknown>;

/**
 * The prototype of decoded objects with lazy fields. Each lazy field is an accessor: the first read decodes
 * the bytes the object holds under the field's symbol and puts the result on the object itself, as a plain
 * property. JSON.stringify (toJSON) and for...in see lazy fields as any other; a spread or structuredClone
 * copies own properties only.
 */
export function lazyPrototype(
  fields: LazyField[],
  decode: (schema: MessageSchema, bytes: string) => Record<string, unknown>,
): object {
  const prototype = {};
  for (const field of fields) {
    Object.defineProperty(prototype, field.name, {
      enumerable: true,
      configurable: true,
      get(this: Holder) {
        const bytes = this[field.bytes] as string | undefined;
        const value = bytes === undefined ? undefined : decode(field.schema, bytes);
        settle(this, field, value);
        return value;
      },
      set(this: Holder, value: unknown) {
        settle(this, field, value);
      },
    });
  }
  Object.defineProperty(prototype, "toJSON", {
    value(this: Record<string, unknown>) {
      const out: Record<string, unknown> = {};
      for (const key in this) out[key] = this[key];
      return out;
    },
  });
  return prototype;
}

/** The lazy field becomes an own data property; its bytes are let go. */
function settle(object: Holder, field: LazyField, value: unknown): void {
  Object.defineProperty(object, field.name, { value, writable: true, enumerable: true, configurable: true });
  object[field.bytes] = undefined;
}
