/** coordination/v1 protobuf fields, by their numbers in k8s.io/api's generated.proto. */
import { objectMeta } from "./meta-v1.js";
import { int, message, microTime, msg, str } from "./schema.js";

export const lease = message({
  1: msg("metadata", objectMeta),
  2: msg(
    "spec",
    message({
      // All pointers in Go: present, even when empty or zero, once set.
      1: str("holderIdentity", true),
      2: int("leaseDurationSeconds", true),
      3: microTime("acquireTime"),
      4: microTime("renewTime"),
      5: int("leaseTransitions", true),
      6: str("strategy", true),
      7: str("preferredHolder", true),
    }),
  ),
});
