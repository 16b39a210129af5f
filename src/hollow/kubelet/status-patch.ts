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

function diffObjects(
  held: readonly JsonObject[],
  wanted: JsonObject,
  mergeKeys: Readonly<Record<string, string>>,
): JsonObject | undefined {
  let patch: JsonObject | undefined;
  const set = (key: string, value: unknown) => ((patch ??= {})[key] = value);
  for (const key in wanted) {
    const value = wanted[key];
    if (isEmpty(value)) continue;
    const mergeKey = mergeKeys[key];
    if (mergeKey !== undefined && Array.isArray(value)) {
      const lists = held.map((h) => (Array.isArray(h[key]) ? (h[key] as JsonObject[]) : []));
      if (lists.every((list) => list.length === 0)) set(key, value);
      else {
        const items = diffMergeList(lists, value as JsonObject[], mergeKey);
        if (items.length > 0 || !sameOrder(lists[0], value as JsonObject[], mergeKey)) {
          set(
            `$setElementOrder/${key}`,
            (value as JsonObject[]).map((item) => ({ [mergeKey]: item[mergeKey] })),
          );
          if (items.length > 0) set(key, items);
        }
      }
    } else if (isObject(value) && held.every((h) => isObject(h[key]))) {
      const nested = diffObjects(
        held.map((h) => h[key] as JsonObject),
        value,
        {},
      );
      if (nested) set(key, nested);
    } else if (held.some((h) => !same(h[key], value))) set(key, value);
  }
  for (const h of held) for (const key in h) if (isEmpty(wanted[key]) && !isEmpty(h[key])) set(key, null);
  return patch;
}

/** Changed items (their changed fields and key), new items whole, then deletions, in `wanted`'s order. */
function diffMergeList(
  held: readonly JsonObject[][],
  wanted: readonly JsonObject[],
  mergeKey: string,
): JsonObject[] {
  const items: JsonObject[] = [];
  for (const item of wanted) {
    const before = held.map((list) => list.find((b) => b[mergeKey] === item[mergeKey]));
    if (before.some((b) => b === undefined)) items.push(item);
    else {
      const changed = diffObjects(before as JsonObject[], item, {});
      if (changed) items.push({ ...changed, [mergeKey]: item[mergeKey] });
    }
  }
  const gone = new Set<unknown>();
  for (const list of held)
    for (const b of list) if (!wanted.some((item) => item[mergeKey] === b[mergeKey])) gone.add(b[mergeKey]);
  for (const key of gone) items.push({ $patch: "delete", [mergeKey]: key });
  return items;
}

function sameOrder(held: readonly JsonObject[], wanted: readonly JsonObject[], mergeKey: string): boolean {
  const kept = held.filter((b) => wanted.some((item) => item[mergeKey] === b[mergeKey]));
  return kept.length === wanted.length && kept.every((b, i) => b[mergeKey] === wanted[i][mergeKey]);
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
    return a.every((item, i) => same(item, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  for (const key in a) if (!same(a[key], b[key])) return false;
  for (const key in b) if (!(key in a) && !isEmpty(b[key])) return false;
  return true;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
