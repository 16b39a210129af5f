import { decodeObject, encodeObject, PROTOBUF_MEDIA_TYPE } from "./protobuf/envelope.js";
import type { MessageSchema } from "./protobuf/schema.js";
import type { KubeObject } from "./types.js";

/** How one kind of object travels in a request and its response. */
export interface ObjectCodec<T> {
  /** Content-Type of the request body and Accept of the response. */
  readonly mediaType: string;
  encode(object: T): Buffer;
  decode(body: Buffer): T;
}

export function jsonObjectCodec<T extends KubeObject>(): ObjectCodec<T> {
  return {
    mediaType: "application/json",
    encode: (object) => Buffer.from(JSON.stringify(object), "utf8"),
    decode: (body) => JSON.parse(body.toString("utf8")) as T,
  };
}

/** Objects in protobuf, restricted to the fields the schema names (see protobuf/schema.ts). */
export function protobufObjectCodec<T extends KubeObject>(schema: MessageSchema): ObjectCodec<T> {
  return {
    mediaType: PROTOBUF_MEDIA_TYPE,
    encode: (object) => encodeObject(schema, object),
    decode: (body) => decodeObject(schema, body) as T,
  };
}
