/**
 * The kubelet status manager's pod status write (pkg/util/pod PatchPodStatus): the conditions other writers
 * own are kept from the API server's status, then a two-way strategic merge patch is made from that status
 * to the wanted one, as strategicpatch.CreateTwoWayMergePatch makes it for a PodStatus.
 */

import type { PodStatus } from "../../client/types.js";
import { KUBELET_CONDITIONS, othersConditions } from "../pods/pod-conditions.js";

/** PodStatus lists merged item by item (patchStrategy "merge"), by these keys; other lists are replaced whole. */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  conditions: "type",
  hostIPs: "ip",
  podIPs: "ip",
  resourceClaimStatuses: "name",
};

type JsonObject = Record<string, unknown>;

/**
 * The kubelet's mergePodStatus: the held status's conditions that the kubelet does not own, then the kubelet's
 * own from the wanted status. Another writer's condition added since the wanted status was computed is kept.
 * With no other writer's condition on either side, `wanted` itself: the pod driver holds the result until
 * the next write, and a copy per write would be one more status per pod on the heap.
 */
export function mergePodStatus(held: PodStatus | undefined, wanted: PodStatus): PodStatus {
  if (!wanted.conditions) return wanted;
  const others = othersConditions(held);
  const owned = wanted.conditions.filter((condition) => KUBELET_CONDITIONS.has(condition.type));
  if (others.length === 0 && owned.length === wanted.conditions.length) return wanted;
  return { ...wanted, conditions: [...others, ...owned] };
}

/**
 * The strategic merge patch from what the API server may hold to `wanted`, or undefined when it already holds
 * it (the kubelet then sends no PATCH). The server holds one of `held`: the status the watch last delivered,
 * or the one this kubelet wrote last (undefined before the first), whose echo may still be on its way. A
 * field differing from any of them is sent, so the patch is right whichever one the server has.
 *
 * As in the Go original: a field gone from `wanted` is null; a merge list (conditions, podIPs, hostIPs) carries
 * its changed and new items with their key (only the changed fields of a changed item), `$patch: delete` for
 * items gone, and `$setElementOrder/<list>` for the order; a merge list the server holds empty, and any other
 * list, goes whole.
 */
export function podStatusPatch(
  held: readonly (PodStatus | undefined)[],
  wanted: PodStatus,
): JsonObject | undefined {
  const known = held.filter((status) => status !== undefined);
  // diffObjects makes a patch only to set something in it: never an empty one.
  return diffObjects(known.length > 0 ? known : [{}], wanted, MERGE_KEYS);
}

// The diff runs at every status write of every pod (a few per pod lifecycle): it is written with index loops
// and no closures, as each callback and its context would otherwise be garbage made per field compared.

function diffObjects(
  held: readonly JsonObject[],
  wanted: JsonObject,
  mergeKeys: Readonly<Record<string, string>>,
): JsonObject | undefined {
  let patch: JsonObject | undefined;
  for (const key in wanted) {
    const value = wanted[key];
    if (isEmpty(value)) continue;
    const mergeKey = mergeKeys[key];
    if (mergeKey !== undefined && Array.isArray(value))
      patch = diffMergeListField(patch, held, key, value as JsonObject[], mergeKey);
    else if (isObject(value) && everyIsObject(held, key)) {
      const nested = diffObjects(fieldOfEach(held, key), value, NO_MERGE_KEYS);
      if (nested) (patch ??= {})[key] = nested;
    } else if (anyDiffers(held, key, value)) (patch ??= {})[key] = value;
  }
  for (let i = 0; i < held.length; i++) {
    const h = held[i];
    for (const key in h) if (isEmpty(wanted[key]) && !isEmpty(h[key])) (patch ??= {})[key] = null;
  }
  return patch;
}

const NO_MERGE_KEYS: Readonly<Record<string, string>> = {};

/** A merge list's part of the patch: its changed items and, when any or the order changed, its order. */
function diffMergeListField(
  patch: JsonObject | undefined,
  held: readonly JsonObject[],
  key: string,
  wanted: readonly JsonObject[],
  mergeKey: string,
): JsonObject | undefined {
  const lists = new Array<readonly JsonObject[]>(held.length);
  let heldItems = 0;
  for (let i = 0; i < held.length; i++) {
    const list = held[i][key];
    lists[i] = Array.isArray(list) ? (list as JsonObject[]) : NO_ITEMS;
    heldItems += lists[i].length;
  }
  if (heldItems === 0) {
    const out = patch ?? {};
    out[key] = wanted;
    return out;
  }
  const items = diffMergeList(lists, wanted, mergeKey);
  if (items.length === 0 && sameOrder(lists[0], wanted, mergeKey)) return patch;
  const order = new Array<JsonObject>(wanted.length);
  for (let i = 0; i < wanted.length; i++) order[i] = keyOnly(mergeKey, wanted[i][mergeKey]);
  const out = patch ?? {};
  out[`$setElementOrder/${key}`] = order;
  if (items.length > 0) out[key] = items;
  return out;
}

const NO_ITEMS: readonly JsonObject[] = [];

/** Changed items (their changed fields and key), new items whole, then deletions, in `wanted`'s order. */
function diffMergeList(
  held: readonly (readonly JsonObject[])[],
  wanted: readonly JsonObject[],
  mergeKey: string,
): JsonObject[] {
  const items: JsonObject[] = [];
  for (let i = 0; i < wanted.length; i++) {
    const item = wanted[i];
    const before = itemInEach(held, mergeKey, item[mergeKey]);
    if (before === undefined) items.push(item);
    else {
      const changed = diffObjects(before, item, NO_MERGE_KEYS);
      if (changed) {
        changed[mergeKey] = item[mergeKey];
        items.push(changed);
      }
    }
  }
  let gone: Set<unknown> | undefined;
  for (let l = 0; l < held.length; l++) {
    const list = held[l];
    for (let i = 0; i < list.length; i++) {
      const id = list[i][mergeKey];
      if (indexOfItem(wanted, mergeKey, id) < 0) (gone ??= new Set()).add(id);
    }
  }
  if (gone) for (const id of gone) items.push({ $patch: "delete", ...keyOnly(mergeKey, id) });
  return items;
}

/** A merge list item's key alone: `{ type: "Ready" }`. */
function keyOnly(mergeKey: string, id: unknown): JsonObject {
  const item: JsonObject = {};
  item[mergeKey] = id;
  return item;
}

/** The item with this key in each list, or undefined when a list has none. */
function itemInEach(
  lists: readonly (readonly JsonObject[])[],
  mergeKey: string,
  id: unknown,
): JsonObject[] | undefined {
  const found = new Array<JsonObject>(lists.length);
  for (let l = 0; l < lists.length; l++) {
    const at = indexOfItem(lists[l], mergeKey, id);
    if (at < 0) return undefined;
    found[l] = lists[l][at];
  }
  return found;
}

function indexOfItem(list: readonly JsonObject[], mergeKey: string, id: unknown): number {
  for (let i = 0; i < list.length; i++) if (list[i][mergeKey] === id) return i;
  return -1;
}

/** Whether the held items still wanted come in `wanted`'s order. */
function sameOrder(held: readonly JsonObject[], wanted: readonly JsonObject[], mergeKey: string): boolean {
  let next = 0;
  for (let i = 0; i < held.length; i++) {
    const id = held[i][mergeKey];
    if (indexOfItem(wanted, mergeKey, id) < 0) continue;
    if (next >= wanted.length || wanted[next][mergeKey] !== id) return false;
    next++;
  }
  return next === wanted.length;
}

function everyIsObject(held: readonly JsonObject[], key: string): boolean {
  for (let i = 0; i < held.length; i++) if (!isObject(held[i][key])) return false;
  return true;
}

function fieldOfEach(held: readonly JsonObject[], key: string): JsonObject[] {
  const out = new Array<JsonObject>(held.length);
  for (let i = 0; i < held.length; i++) out[i] = held[i][key] as JsonObject;
  return out;
}

function anyDiffers(held: readonly JsonObject[], key: string, value: unknown): boolean {
  for (let i = 0; i < held.length; i++) if (!same(held[i][key], value)) return true;
  return false;
}

/**
 * Go's JSON of the two statuses compares equal here: an absent field, null, "", [] and {} are all what an
 * omitted or zero field decodes to, whichever encoding the status was read in.
 */
function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  if (!isObject(value)) return false;
  for (const key in value) if (!isEmpty(value[key])) return false;
  return true;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmpty(a) || isEmpty(b)) return isEmpty(a) && isEmpty(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  if (!isObject(a) || !isObject(b)) return false;
  for (const key in a) if (!same(a[key], b[key])) return false;
  for (const key in b) if (!(key in a) && !isEmpty(b[key])) return false;
  return true;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
