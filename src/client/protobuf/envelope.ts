import { encodeEnveloped } from "./encode.js";
import { ProtoReader, WireType } from "./reader.js";
import { decodeMessage, type MessageSchema } from "./schema.js";

export const PROTOBUF_MEDIA_TYPE = "application/vnd.kubernetes.protobuf";

/** "k8s\0": the API server's protobuf bodies start with it (runtime/serializer/protobuf). */
const MAGIC = 0x6b_38_73_00;
const MAGIC_BYTES = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const FIELD_1_BYTES = (1 << 3) | WireType.LEN;
const FIELD_2_BYTES = (2 << 3) | WireType.LEN;

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

/** Opens the envelope: the magic, then a runtime.Unknown holding the type and the object's bytes. */
export function unwrap(buf: Buffer, start = 0, end = buf.length): ObjectSpan {
  if (end - start < 4 || buf.readUInt32BE(start) !== MAGIC)
    throw new Error("protobuf: body does not start with the Kubernetes magic number");
  const span: ObjectSpan = { apiVersion: "", kind: "", start: 0, end: 0 };
  const unknown = new ProtoReader(buf, start + 4, end);
  while (!unknown.done) {
    const tag = unknown.varint();
    if (tag === FIELD_1_BYTES) {
      const typeMeta = unknown.message();
      while (!typeMeta.done) {
        const field = typeMeta.varint();
        if (field === FIELD_1_BYTES) span.apiVersion = typeMeta.string();
        else if (field === FIELD_2_BYTES) span.kind = typeMeta.string();
        else typeMeta.skip(field & 7);
      }
    } else if (tag === FIELD_2_BYTES) {
      span.start = unknown.span();
      span.end = unknown.pos;
    } else unknown.skip(tag & 7);
  }
  return span;
}

/** The object in an enveloped body, decoded to its JSON shape, apiVersion and kind included. */
export function decodeObject(
  schema: MessageSchema,
  buf: Buffer,
  start = 0,
  end = buf.length,
): Record<string, unknown> {
  const span = unwrap(buf, start, end);
  return {
    apiVersion: span.apiVersion,
    kind: span.kind,
    ...decodeMessage(schema, buf, span.start, span.end),
  };
}

/** An object in its envelope, as a request body: the magic, its type, its bytes. */
export function encodeObject(schema: MessageSchema, object: Record<string, unknown>): Buffer {
  const typeMeta = { apiVersion: String(object.apiVersion ?? ""), kind: String(object.kind ?? "") };
  return encodeEnveloped(MAGIC_BYTES, typeMeta, schema, object);
}

/** A list (PodList, …): its metadata.resourceVersion and its items, each decoded with itemSchema. */
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
      const listMeta = list.message();
      while (!listMeta.done) {
        const field = listMeta.varint();
        if (field === FIELD_2_BYTES) resourceVersion = listMeta.string();
        else listMeta.skip(field & 7);
      }
    } else if (tag === FIELD_2_BYTES) {
      const item = list.message();
      items.push(decodeMessage(itemSchema, body, item.pos, item.end));
    } else list.skip(tag & 7);
  }
  return { resourceVersion, items };
}

/**
 * One frame of a protobuf watch, its 4-byte length cut: a metav1.WatchEvent whose object is a
 * runtime.RawExtension holding an enveloped object.
 */
export function decodeWatchEvent(frame: Buffer): { type: string; object: ObjectSpan | undefined } {
  const event = new ProtoReader(frame, 0, frame.length);
  let type = "";
  let object: ObjectSpan | undefined;
  while (!event.done) {
    const tag = event.varint();
    if (tag === FIELD_1_BYTES) type = event.string();
    else if (tag === FIELD_2_BYTES) {
      const raw = event.message();
      while (!raw.done) {
        const field = raw.varint();
        if (field === FIELD_1_BYTES) {
          const bytes = raw.message();
          object = unwrap(frame, bytes.pos, bytes.end);
        } else raw.skip(field & 7);
      }
    } else event.skip(tag & 7);
  }
  return { type, object };
}
