import type { KubeClient } from "../client/kube-client.js";
import { jsonObjectCodec, protobufObjectCodec, type ObjectCodec } from "../client/object-codec.js";
import { PROTOBUF_MEDIA_TYPE } from "../client/protobuf/envelope.js";
import type { MessageSchema } from "../client/protobuf/schema.js";
import type { KubeObject } from "../client/types.js";
import {
  objectCodec,
  protobufCodec,
  protobufResourceVersionCodec,
  resourceVersionCodec,
  type WatchCodec,
} from "../client/watch-codec.js";

/*
 * A hollow component's codecs, in the encoding its client asks for (--kube-api-content-type, protobuf by
 * default as for the kubelet and kube-proxy): the API server then serializes for them what it would for
 * the real components. `schema` names the protobuf fields read.
 */

function speaksProtobuf(client: KubeClient): boolean {
  return client.preferredMediaType === PROTOBUF_MEDIA_TYPE;
}

/** Watches of objects the component reads (its pods, its Node). */
export function watchCodec<T extends KubeObject>(client: KubeClient, schema: MessageSchema): WatchCodec<T> {
  return speaksProtobuf(client) ? protobufCodec<T>(schema) : objectCodec<T>({ dropManagedFields: true });
}

/** Requests whose body and response are one kind of object (the Node's registration, the Lease). */
export function requestCodec<T extends KubeObject>(
  client: KubeClient,
  schema: MessageSchema,
): ObjectCodec<T> {
  return speaksProtobuf(client) ? protobufObjectCodec<T>(schema) : jsonObjectCodec<T>();
}

/** For watches kept open for the master's sake, whose objects are never read. */
export function watchOnlyCodec(client: KubeClient): WatchCodec<never> {
  return speaksProtobuf(client) ? protobufResourceVersionCodec : resourceVersionCodec;
}
