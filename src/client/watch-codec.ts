import type { KubeList, KubeObject } from "./types.js";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface DecodedEvent<E> {
  type: WatchEventType;
  resourceVersion?: string;
  object?: E;
  /** For ERROR events: the Status code (410 when the resourceVersion is too old). */
  errorCode?: number;
  errorMessage?: string;
}

/** How a reflector reads list bodies and watch lines. */
export interface WatchCodec<E> {
  decodeList(body: string): { resourceVersion: string; items: E[] };
  decodeEvent(line: string): DecodedEvent<E>;
}

/** Decodes whole objects, for informers that cache and act on them. */
export function objectCodec<T extends KubeObject>(): WatchCodec<T> {
  return {
    decodeList(body) {
      const list = JSON.parse(body) as KubeList<T>;
      return { resourceVersion: list.metadata.resourceVersion ?? "", items: list.items };
    },
    decodeEvent(line) {
      const event = JSON.parse(line) as {
        type: WatchEventType;
        object: T & { code?: number; message?: string };
      };
      if (event.type === "ERROR")
        return { type: "ERROR", errorCode: event.object.code, errorMessage: event.object.message };
      return {
        type: event.type,
        resourceVersion: event.object.metadata?.resourceVersion,
        object: event.object,
      };
    },
  };
}

const RV_KEY = '"resourceVersion":"';

/**
 * Reads only the event type and resourceVersion, never parsing the object: for watches a hollow node
 * keeps open for the master's sake (Services, EndpointSlices, RuntimeClasses) whose content it ignores.
 * Relies on the API server's field order: a list's own metadata precedes its items, and an object's
 * resourceVersion precedes any nested object inside its metadata.
 */
export const resourceVersionCodec: WatchCodec<never> = {
  decodeList(body) {
    return { resourceVersion: scanResourceVersion(body, 0) ?? "", items: [] };
  },
  decodeEvent(line) {
    // Lines start with {"type":"<TYPE>", as the API server's watch encoder writes them.
    const typeEnd = line.indexOf('"', 9);
    const type = line.slice(9, typeEnd) as WatchEventType;
    if (type === "ERROR") {
      const status = JSON.parse(line) as { object: { code?: number; message?: string } };
      return { type, errorCode: status.object.code, errorMessage: status.object.message };
    }
    return { type, resourceVersion: scanResourceVersion(line, typeEnd) };
  },
};

function scanResourceVersion(text: string, from: number): string | undefined {
  const at = text.indexOf(RV_KEY, from);
  if (at < 0) return undefined;
  const start = at + RV_KEY.length;
  return text.slice(start, text.indexOf('"', start));
}
