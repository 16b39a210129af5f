import type { KubeClient } from "../client/kube-client.js";
import { jsonObjectCodec, protobufObjectCodec, type ObjectCodec } from "../client/object-codec.js";
import { lease as leaseSchema } from "../client/protobuf/coordination-v1.js";
import { node as nodeSchema, pod as podSchema } from "../client/protobuf/core-v1.js";
import { PROTOBUF_MEDIA_TYPE } from "../client/protobuf/envelope.js";
import type { KubeObject, Node, Pod } from "../client/types.js";
import {
  objectCodec,
  protobufCodec,
  protobufResourceVersionCodec,
  resourceVersionCodec,
  type WatchCodec,
} from "../client/watch-codec.js";

/**
 * The codecs of a hollow component's watches, in the encoding its client asks for (--kube-api-content-type,
 * protobuf by default as for the kubelet and kube-proxy): the API server then serializes for them what it
 * would for the real components.
 */
export function podCodec(client: KubeClient): WatchCodec<Pod> {
  return client.preferredMediaType === PROTOBUF_MEDIA_TYPE
    ? protobufCodec<Pod>(podSchema)
    : objectCodec<Pod>({ dropManagedFields: true });
}

export function nodeCodec(client: KubeClient): WatchCodec<Node> {
  return client.preferredMediaType === PROTOBUF_MEDIA_TYPE
    ? protobufCodec<Node>(nodeSchema)
    : objectCodec<Node>({ dropManagedFields: true });
}

/** The Node's own registration and reads, in the same content type. */
export function nodeObjectCodec(client: KubeClient): ObjectCodec<Node> {
  return client.preferredMediaType === PROTOBUF_MEDIA_TYPE
    ? protobufObjectCodec<Node>(nodeSchema)
    : jsonObjectCodec<Node>();
}

/** For watches kept open for the master's sake, whose objects are never read. */
export function watchOnlyCodec(client: KubeClient): WatchCodec<never> {
  return client.preferredMediaType === PROTOBUF_MEDIA_TYPE
    ? protobufResourceVersionCodec
    : resourceVersionCodec;
}

/** The node Lease's reads and writes, which the kubelet sends in its content type too. */
export function leaseCodec<T extends KubeObject>(client: KubeClient): ObjectCodec<T> {
  return client.preferredMediaType === PROTOBUF_MEDIA_TYPE
    ? protobufObjectCodec<T>(leaseSchema)
    : jsonObjectCodec<T>();
}
