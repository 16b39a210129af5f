import { remembered } from "../../util/remembered.js";
import { lazyPrototype } from "./lazy-fields.js";
import {
  FIELD_1_BYTES,
  FIELD_1_VARINT,
  FIELD_2_BYTES,
  FIELD_2_VARINT,
  ProtoReader,
  WireType,
} from "./reader.js";

/**
 * Which protobuf fields of a Kubernetes message to read, and under which JSON names: decoding yields the
 * same plain object the JSON encoding parses to, restricted to the fields listed. Fields not listed are
 * skipped by length. Kubernetes' generated marshallers write every non-pointer field, zero or not, while
 * JSON omits empty ones; a zero value is therefore dropped unless the field is marked `keep` (a pointer,
 * or a JSON field without omitempty).
 */
export type Field =
  | { kind: "string" | "int" | "bool" | "time" | "microTime"; name: string; keep?: boolean; word?: boolean }
  | { kind: "strings" | "stringMap" | "quantityMap"; name: string }
  | { kind: "message"; name: string; schema: MessageSchema; repeated?: boolean }
  /** A message kept as its bytes and decoded when first read (see lazyMsg). */
  | { kind: "lazy"; name: string; schema: MessageSchema; bytes: symbol }
  /** An embedded Go struct whose fields JSON writes into the parent (LocalObjectReference, VolumeSource). */
  | { kind: "inline"; schema: MessageSchema };

export interface MessageSchema {
  /** Indexed by field number. */
  readonly fields: readonly (Field | undefined)[];
  /** With lazy fields: the prototype of decoded objects, whose accessors decode those fields when read. */
  readonly prototype?: object;
}

export function message(fields: Record<number, Field>): MessageSchema {
  const byNumber: (Field | undefined)[] = [];
  for (const [number, field] of Object.entries(fields)) byNumber[Number(number)] = field;
  return schemaOf(byNumber);
}

function schemaOf(fields: (Field | undefined)[]): MessageSchema {
  const lazy = fields.filter((field): field is LazyField => field?.kind === "lazy");
  return lazy.length === 0 ? { fields } : { fields, prototype: lazyPrototype(lazy, decodeBytes) };
}

export type LazyField = Extract<Field, { kind: "lazy" }>;

function decodeBytes(schema: MessageSchema, bytes: string): Record<string, unknown> {
  const buf = Buffer.from(bytes, "latin1");
  return decodeMessage(schema, buf, 0, buf.length);
}

function newObject(schema: MessageSchema): Record<string, unknown> {
  return schema.prototype ? (Object.create(schema.prototype) as Record<string, unknown>) : {};
}

/** The same message with only the numbered fields read; the others are skipped. */
export function fieldsOf(schema: MessageSchema, numbers: readonly number[]): MessageSchema {
  const fields: (Field | undefined)[] = [];
  for (const number of numbers) fields[number] = schema.fields[number];
  return schemaOf(fields);
}

export const str = (name: string, keep = false): Field => ({ kind: "string", name, keep });
/** A string whose values repeat across objects (a condition's status, an image): one copy is shared. */
export const word = (name: string, keep = false): Field => ({ kind: "string", name, keep, word: true });
export const int = (name: string, keep = false): Field => ({ kind: "int", name, keep });
export const bool = (name: string, keep = false): Field => ({ kind: "bool", name, keep });
/** metav1.Time: RFC 3339 to the second, as its JSON; an empty (zero) time is null. */
export const time = (name: string): Field => ({ kind: "time", name, keep: true });
/** metav1.MicroTime: RFC 3339 with microseconds, as its JSON; an empty (zero) time is null. */
export const microTime = (name: string): Field => ({ kind: "microTime", name, keep: true });
export const strings = (name: string): Field => ({ kind: "strings", name });
/** map<string, string> (labels, annotations): keys and values are words, shared across objects. */
export const stringMap = (name: string): Field => ({ kind: "stringMap", name });
/** map<string, resource.Quantity>: each Quantity as its canonical string, as in JSON; words, as above. */
export const quantityMap = (name: string): Field => ({ kind: "quantityMap", name });
export const msg = (name: string, schema: MessageSchema): Field => ({ kind: "message", name, schema });
/**
 * A message read only when used: the decoded object holds its bytes (as a one-byte string, compact and off
 * the buffer pool) until the field is first read. For a field most events carry and few readers look at.
 */
export const lazyMsg = (name: string, schema: MessageSchema): Field => ({
  kind: "lazy",
  name,
  schema,
  bytes: Symbol(`${name} bytes`),
});
export const list = (name: string, schema: MessageSchema): Field => ({
  kind: "message",
  name,
  schema,
  repeated: true,
});
export const inline = (schema: MessageSchema): Field => ({ kind: "inline", schema });

/**
 * Decodes the message in buf[start, end) into a plain object. Given `previous`, the message is an object
 * whose spec changes only with metadata.generation (a Pod's in Kubernetes 1.37): when the one held before
 * has the same uid and generation, its spec is kept and the spec's bytes skipped. Most pod events are the
 * echoes of status writes; this spares their spec's decoding and its garbage. It relies on field order:
 * metadata (1) precedes spec (2), as Go's marshallers write them.
 */
export function decodeMessage(
  schema: MessageSchema,
  buf: Buffer,
  start: number,
  end: number,
  previous?: PreviousObject,
): Record<string, unknown> {
  const out = newObject(schema);
  decodeInto(out, schema, new ProtoReader(buf, start, end), end, previous);
  return out;
}

/** Reads fields up to `end` into `out`; one reader walks the whole message tree. */
function decodeInto(
  out: Record<string, unknown>,
  schema: MessageSchema,
  r: ProtoReader,
  end: number,
  previous?: PreviousObject,
): void {
  let grown: Set<string> | undefined;
  while (r.pos < end) {
    const tag = r.varint();
    const field = schema.fields[tag >>> 3];
    if (field === undefined) r.skip(tag & 7);
    else if (previous && tag === FIELD_2_BYTES && field.kind === "message" && field.name === "spec")
      keepOrDecodeSpec(out, field, tag, r, previous);
    else {
      const grew = decodeField(out, field, tag, r);
      if (grew) (grown ??= new Set()).add(grew);
    }
  }
  // An array grown by push keeps V8's slack (16 spare slots, 128 bytes), and a decoded object may be held
  // for the life of a pod: lists of more than one item are copied to their size once complete.
  if (grown) for (const name of grown) out[name] = (out[name] as unknown[]).slice();
}

/** Adds an item to a repeated field; returns the field's name when its list grew past one (see decodeInto). */
function append(out: Record<string, unknown>, name: string, item: unknown): string | undefined {
  const list = out[name] as unknown[] | undefined;
  if (list === undefined) {
    out[name] = [item];
    return undefined;
  }
  list.push(item);
  return name;
}

function keepOrDecodeSpec(
  out: Record<string, unknown>,
  field: Field,
  tag: number,
  r: ProtoReader,
  previous: PreviousObject,
): void {
  const spec = sameGenerationSpec(out.metadata as IdentityMeta | undefined, previous);
  if (spec === undefined) {
    decodeField(out, field, tag, r);
    return;
  }
  r.skip(WireType.LEN);
  out.spec = spec;
}

/** Decodes one field into `out`; returns a list's name when the field added a second or later item to it. */
function decodeField(
  out: Record<string, unknown>,
  field: Field,
  tag: number,
  r: ProtoReader,
): string | undefined {
  const wire = tag & 7;
  if (wire !== (field.kind === "int" || field.kind === "bool" ? WireType.VARINT : WireType.LEN))
    throw new Error(`protobuf: field ${tag >>> 3} has wire type ${wire}, not that of ${field.kind}`);
  switch (field.kind) {
    case "string": {
      const value = field.word ? r.word() : r.string();
      if (value !== "" || field.keep) out[field.name] = value;
      break;
    }
    case "int": {
      const value = r.varint();
      if (value !== 0 || field.keep) out[field.name] = value;
      break;
    }
    case "bool": {
      const value = r.varint() !== 0;
      if (value || field.keep) out[field.name] = value;
      break;
    }
    case "time":
      out[field.name] = decodeTime(r, false);
      break;
    case "microTime":
      out[field.name] = decodeTime(r, true);
      break;
    case "strings":
      return append(out, field.name, r.string());
    case "stringMap":
    case "quantityMap": {
      const entryEnd = r.enter();
      let key = "";
      let value = "";
      while (r.pos < entryEnd) {
        const entryTag = r.varint();
        if (entryTag === FIELD_1_BYTES) key = r.word();
        else if (entryTag === FIELD_2_BYTES)
          value = field.kind === "stringMap" ? r.word() : decodeQuantity(r);
        else r.skip(entryTag & 7);
      }
      leave(r, entryEnd);
      ((out[field.name] ??= {}) as Record<string, string>)[key] = value;
      break;
    }
    case "message": {
      const value = newObject(field.schema);
      const messageEnd = r.enter();
      decodeInto(value, field.schema, r, messageEnd);
      leave(r, messageEnd);
      if (field.repeated) return append(out, field.name, value);
      out[field.name] = value;
      break;
    }
    case "lazy": {
      const start = r.span();
      (out as Record<symbol, unknown>)[field.bytes] = r.buf.toString("latin1", start, r.pos);
      break;
    }
    case "inline": {
      const messageEnd = r.enter();
      decodeInto(out, field.schema, r, messageEnd);
      leave(r, messageEnd);
      break;
    }
  }
  return undefined;
}

interface IdentityMeta {
  namespace?: string;
  name?: string;
  uid?: string;
  generation?: number;
}

/** The object held before under the same namespace and name, if any: its identity and its spec. */
export type PreviousObject = (
  metadata: IdentityMeta,
) => { metadata: IdentityMeta; spec?: unknown } | undefined;

/** The spec held for an object of this uid and generation, if any: one generation's spec does not change. */
export function sameGenerationSpec(metadata: IdentityMeta | undefined, previous: PreviousObject): unknown {
  if (!metadata?.generation) return undefined;
  const before = previous(metadata);
  if (!before || before.metadata.uid !== metadata.uid || before.metadata.generation !== metadata.generation)
    return undefined;
  return before.spec;
}

/** A nested message's last field must end where the message does. */
function leave(r: ProtoReader, end: number): void {
  if (r.pos !== end) throw new Error("protobuf: field runs past the end of its message");
}

function decodeTime(r: ProtoReader, micro: boolean): string | null {
  const end = r.enter();
  if (r.pos === end) return null;
  let seconds = 0;
  let nanos = 0;
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === FIELD_1_VARINT) seconds = r.varint();
    else if (tag === FIELD_2_VARINT) nanos = r.varint();
    else r.skip(tag & 7);
  }
  leave(r, end);
  if (!micro) return formatTimeCached(seconds);
  const time = formatTime(seconds);
  return `${time.slice(0, -1)}.${String(Math.floor(nanos / 1000)).padStart(6, "0")}Z`;
}

function decodeQuantity(r: ProtoReader): string {
  const end = r.enter();
  let value = "";
  while (r.pos < end) {
    const tag = r.varint();
    if (tag === FIELD_1_BYTES) value = r.word();
    else r.skip(tag & 7);
  }
  leave(r, end);
  return value;
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"));
let cachedDay = NaN;
let cachedDayPrefix = "";

/**
 * The times seen lately, formatted. A pod's times repeat in every event about it, and a cluster's pods
 * start in the same seconds: one string each, not one per event, is also less for the GC to copy.
 */
const formatTimeCached = remembered(formatTime, 4096);

/** RFC 3339 in UTC to the second, as metav1.Time's JSON. Building a Date for each costs ten times more. */
export function formatTime(seconds: number): string {
  const day = Math.floor(seconds / 86_400);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
  }
  const inDay = seconds - day * 86_400;
  const hour = Math.floor(inDay / 3600);
  const minute = Math.floor((inDay % 3600) / 60);
  return `${cachedDayPrefix}${TWO_DIGITS[hour]}:${TWO_DIGITS[minute]}:${TWO_DIGITS[inDay % 60]}Z`;
}
