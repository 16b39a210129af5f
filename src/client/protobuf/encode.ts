import { WireType } from "./reader.js";
import type { MessageSchema } from "./schema.js";

/**
 * Encodes a plain object of the JSON shape by the same schema the decoder reads: the fields it names, in
 * field-number order as Go's marshallers write them. A field whose value is undefined or null is left out,
 * which the API server reads as empty or nil. For requests the kubelet sends in protobuf (its Lease).
 */
export function encodeMessage(schema: MessageSchema, value: Record<string, unknown>): Buffer {
  const parts: Buffer[] = [];
  schema.fields.forEach((field, number) => {
    if (!field) return;
    if (field.kind === "inline") {
      // JSON writes an embedded struct's fields into the parent; protobuf keeps it a message of its own.
      parts.push(bytesField(number, encodeMessage(field.schema, value)));
      return;
    }
    const v = value[field.name];
    if (v === undefined || v === null) return;
    switch (field.kind) {
      case "string":
        parts.push(bytesField(number, Buffer.from(v as string, "utf8")));
        break;
      case "int":
        parts.push(varintField(number, v as number));
        break;
      case "bool":
        parts.push(varintField(number, v ? 1 : 0));
        break;
      case "time":
      case "microTime":
        parts.push(bytesField(number, encodeTime(v as string)));
        break;
      case "strings":
        for (const item of v as string[]) parts.push(bytesField(number, Buffer.from(item, "utf8")));
        break;
      case "stringMap":
      case "quantityMap":
        for (const [key, item] of Object.entries(v as Record<string, string>)) {
          const encoded = Buffer.from(item, "utf8");
          const entryValue = field.kind === "stringMap" ? encoded : bytesField(1, encoded);
          parts.push(
            bytesField(
              number,
              Buffer.concat([bytesField(1, Buffer.from(key, "utf8")), bytesField(2, entryValue)]),
            ),
          );
        }
        break;
      case "message":
        for (const item of field.repeated ? (v as Record<string, unknown>[]) : [v as Record<string, unknown>])
          parts.push(bytesField(number, encodeMessage(field.schema, item)));
        break;
    }
  });
  return Buffer.concat(parts);
}

/** metav1.Time or MicroTime from its RFC 3339 text: seconds, and nanoseconds when there are any. */
function encodeTime(text: string): Buffer {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`protobuf: ${JSON.stringify(text)} is not an RFC 3339 time`);
  const seconds = Math.floor(ms / 1000);
  const fraction = /\.(\d+)/.exec(text)?.[1] ?? "";
  const nanos = Number(fraction.padEnd(9, "0").slice(0, 9));
  return Buffer.concat([varintField(1, seconds), nanos ? varintField(2, nanos) : Buffer.alloc(0)]);
}

export function bytesField(number: number, bytes: Buffer): Buffer {
  return Buffer.concat([varint((number << 3) | WireType.LEN), varint(bytes.length), bytes]);
}

function varintField(number: number, value: number): Buffer {
  return Buffer.concat([varint((number << 3) | WireType.VARINT), varint(value)]);
}

/** A varint; a negative number as Go writes an int32 or int64, sign-extended to ten bytes. */
export function varint(value: number): Buffer {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(value));
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}
