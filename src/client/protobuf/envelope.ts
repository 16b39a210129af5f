import { ProtoWriter } from "./encode.js";
import { FIELD_1_BYTES, FIELD_2_BYTES, ProtoReader } from "./reader.js";
import { decodeMessage, message, str, word, type MessageSchema, type PreviousObject } from "./schema.js";

export const PROTOBUF_MEDIA_TYPE = "application/vnd.kubernetes.protobuf";

/** "k8s\0": the API server's protobuf bodies start with it (runtime/serializer/protobuf). */
const MAGIC = 0x6b_38_73_00;
const MAGIC_BYTES = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const typeMeta = message({ 1: word("apiVersion"), 2: word("kind") });
const listMeta = message({ 2: str("resourceVersion") });

export function isProtobufBody(body: Buffer): boolean {
  return body.length >= 4 && body.readUInt32BE(0) === MAGIC;
}

/** Where an object's own bytes sit inside a buffer, with the type its envelope names. */
export interface ObjectSpan {
  apiVersion: string;
  kind: string;
  start: number;
  end: number;
}

/** Where the first length-delimited field with this tag lies in buf[start, end). */
function fieldSpan(
  buf: Buffer,
  start: number,
  end: number,
  tag: number,
): { start: number; end: number } | undefined {
  const r = new ProtoReader(buf, start, end);
  while (!r.done) {
    const found = r.varint();
    if (found === tag) return { start: r.span(), end: r.pos };
    r.skip(found & 7);
  }
  return undefined;
}

/** Opens the envelope: the magic, then a runtime.Unknown holding the type (1) and the object's bytes (2). */
export function unwrap(buf: Buffer, start = 0, end = buf.length): ObjectSpan {
  if (end - start < 4 || buf.readUInt32BE(start) !== MAGIC)
    throw new Error("protobuf: body does not start with the Kubernetes magic number");
  const type = fieldSpan(buf, start + 4, end, FIELD_1_BYTES);
  const { apiVersion = "", kind = "" } = type
    ? (decodeMessage(typeMeta, buf, type.start, type.end) as { apiVersion?: string; kind?: string })
    : {};
  const raw = fieldSpan(buf, start + 4, end, FIELD_2_BYTES) ?? { start: end, end };
  return { apiVersion, kind, start: raw.start, end: raw.end };
}

/** An unwrapped object decoded to its JSON shape, apiVersion and kind included (see decodeMessage). */
export function decodeSpan(
  schema: MessageSchema,
  buf: Buffer,
  span: ObjectSpan,
  previous?: PreviousObject,
): Record<string, unknown> {
  const object = decodeMessage(schema, buf, span.start, span.end, previous);
  object.apiVersion = span.apiVersion;
  object.kind = span.kind;
  return object;
}

/** The object in an enveloped body, decoded to its JSON shape. */
export function decodeObject(schema: MessageSchema, body: Buffer): Record<string, unknown> {
  return decodeSpan(schema, body, unwrap(body));
}

/** An object in its envelope, as a request body: the magic, its type, its bytes. */
export function encodeObject(schema: MessageSchema, object: Record<string, unknown>): Buffer {
  const w = new ProtoWriter();
  w.raw(MAGIC_BYTES);
  w.nested(1, () => w.message(typeMeta, object));
  w.nested(2, () => w.message(schema, object));
  return w.finish();
}

/** A list (PodList, …): its metadata.resourceVersion (1) and its items (2), each decoded with itemSchema. */
export function decodeList(
  itemSchema: MessageSchema,
  body: Buffer,
): { resourceVersion: string; items: Record<string, unknown>[] } {
  const span = unwrap(body);
  const list = new ProtoReader(body, span.start, span.end);
  let resourceVersion = "";
  const items: Record<string, unknown>[] = [];
  while (!list.done) {
    const tag = list.varint();
    if (tag === FIELD_1_BYTES) {
      const start = list.span();
      resourceVersion = (decodeMessage(listMeta, body, start, list.pos).resourceVersion as string) ?? "";
    } else if (tag === FIELD_2_BYTES) {
      const start = list.span();
      items.push(decodeMessage(itemSchema, body, start, list.pos));
    } else list.skip(tag & 7);
  }
  return { resourceVersion, items };
}

/**
 * One frame of a protobuf watch, its 4-byte length cut: a metav1.WatchEvent, its type (1) and a
 * runtime.RawExtension (2) whose raw bytes (1) are an enveloped object.
 */
export function decodeWatchEvent(frame: Buffer): { type: string; object: ObjectSpan | undefined } {
  const type = fieldSpan(frame, 0, frame.length, FIELD_1_BYTES);
  const extension = fieldSpan(frame, 0, frame.length, FIELD_2_BYTES);
  const raw = extension && fieldSpan(frame, extension.start, extension.end, FIELD_1_BYTES);
  return {
    type: type ? frame.toString("utf8", type.start, type.end) : "",
    object: raw && unwrap(frame, raw.start, raw.end),
  };
}
