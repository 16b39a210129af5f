import { resourceVersionOnly, status as statusSchema } from "./protobuf/meta-v1.js";
import { decodeList, decodeSpan, decodeWatchEvent, PROTOBUF_MEDIA_TYPE } from "./protobuf/envelope.js";
import {
  decodeMessage,
  sameGenerationSpec,
  type MessageSchema,
  type PreviousObject,
} from "./protobuf/schema.js";
import type { KubeList, KubeObject } from "./types.js";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface DecodedEvent<E> {
  type: WatchEventType;
  resourceVersion?: string;
  object?: E;
  /** For ERROR events: the Status code (410 when the resourceVersion is too old). */
  errorCode?: number;
  errorMessage?: string;
  /** The bookmark that ends a watch-list's initial events. */
  initialEventsEnd?: boolean;
}

/** How a reflector asks for and reads list bodies and watch events. */
export interface WatchCodec<E> {
  /** The Accept header of its lists and watches. */
  readonly mediaType: string;
  decodeList(body: Buffer): { resourceVersion: string; items: E[] };
  /**
   * One watch event: a JSON line, or one length-prefixed protobuf message. `previous` looks up the object
   * held under the same name, which a codec may reuse parts of.
   */
  decodeEvent(frame: Buffer, previous?: PreviousObject): DecodedEvent<E>;
}

const JSON_MEDIA_TYPE = "application/json";
const INITIAL_EVENTS_END = "k8s.io/initial-events-end";

/**
 * Decodes whole objects. With dropManagedFields, for objects with a spec (Pods, Nodes),
 * metadata.managedFields (40% of a pod's bytes, read by nothing here) is cut from the text before
 * parsing, which spares both the parse and the garbage.
 */
export function objectCodec<T extends KubeObject>(opts: { dropManagedFields?: boolean } = {}): WatchCodec<T> {
  const parse: (text: string) => unknown = opts.dropManagedFields ? parseWithoutManagedFields : JSON.parse;
  return {
    mediaType: JSON_MEDIA_TYPE,
    decodeList(body) {
      const list = parse(body.toString("utf8")) as KubeList<T>;
      return { resourceVersion: list.metadata.resourceVersion ?? "", items: list.items };
    },
    decodeEvent(frame, previous) {
      const event = parse(frame.toString("utf8")) as {
        type: WatchEventType;
        object: T & { code?: number; message?: string };
      };
      if (event.type === "ERROR")
        return { type: "ERROR", errorCode: event.object.code, errorMessage: event.object.message };
      const metadata = event.object.metadata;
      // The spec already held, when its generation is the same, so that the one just parsed dies young.
      const spec = previous && sameGenerationSpec(metadata, previous);
      if (spec !== undefined) (event.object as KubeObject).spec = spec;
      return {
        type: event.type,
        resourceVersion: metadata?.resourceVersion,
        object: event.object,
        initialEventsEnd: isInitialEventsEnd(event.type, metadata?.annotations),
      };
    },
  };
}

/**
 * Decodes objects from protobuf, the kubelet's default encoding, into the same shape JSON parses to,
 * restricted to the fields the schema names: everything else (managedFields first) is skipped by length.
 */
export function protobufCodec<T extends KubeObject>(schema: MessageSchema): WatchCodec<T> {
  return {
    mediaType: PROTOBUF_MEDIA_TYPE,
    decodeList(body) {
      const list = decodeList(schema, body);
      return { resourceVersion: list.resourceVersion, items: list.items as T[] };
    },
    decodeEvent(frame, previous) {
      const { type, object } = decodeWatchEvent(frame);
      if (!object) throw new Error(`protobuf watch event ${type} carries no object`);
      if (type === "ERROR") return errorEvent(frame, object.start, object.end);
      const decoded = decodeSpan(schema, frame, object, previous) as T;
      return {
        type: type as WatchEventType,
        resourceVersion: decoded.metadata?.resourceVersion,
        object: decoded,
        initialEventsEnd: isInitialEventsEnd(type, decoded.metadata?.annotations),
      };
    },
  };
}

const resourceVersionOnlyCodec = protobufCodec<KubeObject>(resourceVersionOnly);

/** resourceVersionCodec's protobuf twin: a watch kept for the master's sake, in the kubelet's encoding. */
export const protobufResourceVersionCodec: WatchCodec<never> = {
  mediaType: PROTOBUF_MEDIA_TYPE,
  decodeList: (body) => ({
    resourceVersion: resourceVersionOnlyCodec.decodeList(body).resourceVersion,
    items: [],
  }),
  decodeEvent(frame) {
    const { type, resourceVersion, errorCode, errorMessage, initialEventsEnd } =
      resourceVersionOnlyCodec.decodeEvent(frame);
    return { type, resourceVersion, errorCode, errorMessage, initialEventsEnd };
  },
};

function errorEvent(frame: Buffer, start: number, end: number): DecodedEvent<never> {
  const status = decodeMessage(statusSchema, frame, start, end) as { code?: number; message?: string };
  return { type: "ERROR", errorCode: status.code, errorMessage: status.message };
}

function isInitialEventsEnd(type: string, annotations: Record<string, string> | undefined): boolean {
  return type === "BOOKMARK" && annotations?.[INITIAL_EVENTS_END] === "true";
}

const MANAGED_FIELDS = ',"managedFields":[';
/**
 * Where an object's managedFields end. The API server writes ObjectMeta in field order, managedFields
 * last, and spec follows metadata. A quote inside a JSON string is escaped, so this text cannot occur
 * inside one: it is always structure, the end of the managedFields array and of metadata.
 */
const MANAGED_FIELDS_END = ']},"spec":{';

/**
 * Parses an object, a watch event or a list of objects that have a spec, each without
 * metadata.managedFields. Text in another shape is parsed whole.
 */
export function parseWithoutManagedFields(text: string): unknown {
  let cut = "";
  let from = 0;
  for (let at = text.indexOf(MANAGED_FIELDS); at >= 0; at = text.indexOf(MANAGED_FIELDS, from)) {
    const end = text.indexOf(MANAGED_FIELDS_END, at);
    if (end < 0) break;
    cut += text.slice(from, at);
    from = end + 1;
  }
  return JSON.parse(from === 0 ? text : cut + text.slice(from));
}

const RV_KEY = '"resourceVersion":"';

/**
 * Reads only the event type and resourceVersion, never parsing the object: for watches a hollow node
 * keeps open for the master's sake (Services, EndpointSlices, RuntimeClasses) whose content it ignores.
 * Relies on the API server's field order: a list's own metadata precedes its items, and an object's
 * resourceVersion precedes any nested object inside its metadata.
 */
export const resourceVersionCodec: WatchCodec<never> = {
  mediaType: JSON_MEDIA_TYPE,
  decodeList(body) {
    return { resourceVersion: scanResourceVersion(body.toString("utf8"), 0) ?? "", items: [] };
  },
  decodeEvent(frame) {
    const line = frame.toString("utf8");
    // Lines start with {"type":"<TYPE>", as the API server's watch encoder writes them.
    const typeEnd = line.indexOf('"', 9);
    const type = line.slice(9, typeEnd) as WatchEventType;
    if (type === "ERROR") {
      const status = JSON.parse(line) as { object: { code?: number; message?: string } };
      return { type, errorCode: status.object.code, errorMessage: status.object.message };
    }
    return {
      type,
      resourceVersion: scanResourceVersion(line, typeEnd),
      initialEventsEnd: type === "BOOKMARK" && line.includes(`"${INITIAL_EVENTS_END}":"true"`),
    };
  },
};

function scanResourceVersion(text: string, from: number): string | undefined {
  const at = text.indexOf(RV_KEY, from);
  if (at < 0) return undefined;
  const start = at + RV_KEY.length;
  return text.slice(start, text.indexOf('"', start));
}
