/**
 * meta/v1 protobuf fields, by their numbers in k8s.io/apimachinery's generated.proto. ObjectMeta's
 * managedFields (field 17) is left out: nothing here reads it, and on an update the API server keeps the
 * live object's when none are sent, as it does for any client that does not know them.
 */
import { bool, fieldsOf, int, list, message, msg, str, stringMap, strings, time, word } from "./schema.js";

export const objectMeta = message({
  1: str("name"),
  2: str("generateName"),
  3: word("namespace"),
  5: str("uid"),
  6: str("resourceVersion"),
  7: int("generation"),
  8: time("creationTimestamp"),
  9: time("deletionTimestamp"),
  10: int("deletionGracePeriodSeconds", true),
  11: stringMap("labels"),
  12: stringMap("annotations"),
  13: list(
    "ownerReferences",
    message({
      5: word("apiVersion", true),
      1: word("kind", true),
      3: str("name", true),
      4: str("uid", true),
      6: bool("controller", true),
      7: bool("blockOwnerDeletion", true),
    }),
  ),
  14: strings("finalizers"),
});

/**
 * The ObjectMeta a node reads of its pods: what identifies them, their deletion, and the labels and
 * annotations it acts on. A pod is never written back whole, so the rest (owner references, creation time,
 * finalizers) is skipped; its pod watch decodes about six events per pod.
 */
export const podObjectMeta = fieldsOf(
  objectMeta,
  // name, namespace, uid, resourceVersion, generation, deletionTimestamp, deletionGracePeriodSeconds,
  // labels, annotations
  [1, 3, 5, 6, 7, 9, 10, 11, 12],
);

/** Only what a watch needs to resume: the resourceVersion, and a bookmark's annotations. */
export const resourceVersionOnly = message({
  1: msg("metadata", message({ 6: str("resourceVersion"), 12: stringMap("annotations") })),
});

/** metav1.Status, as an error response or a watch's ERROR event carries it. */
export const status = message({
  2: str("status"),
  3: str("message"),
  4: str("reason"),
  6: int("code"),
});
