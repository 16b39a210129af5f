/**
 * The core/v1 protobuf fields a hollow node reads, by their numbers in k8s.io/api's generated.proto. What is
 * not listed here is skipped.
 */
import {
  bool,
  inline,
  int,
  lazyMsg,
  list,
  message,
  msg,
  quantityMap,
  str,
  stringMap,
  word,
  strings,
  time,
} from "./schema.js";
import { objectMeta, podObjectMeta } from "./meta-v1.js";

const localObjectReference = message({ 1: word("name") });
const objectReference = message({ 1: inline(localObjectReference) });

const resourceRequirements = message({ 1: quantityMap("limits"), 2: quantityMap("requests") });

const container = message({
  1: word("name", true),
  2: word("image"),
  6: list(
    "ports",
    message({
      1: str("name"),
      2: int("hostPort"),
      3: int("containerPort", true),
      4: word("protocol"),
      5: str("hostIP"),
    }),
  ),
  19: list(
    "envFrom",
    message({
      1: str("prefix"),
      2: msg("configMapRef", objectReference),
      3: msg("secretRef", objectReference),
    }),
  ),
  7: list(
    "env",
    message({
      1: str("name", true),
      2: str("value"),
      3: msg(
        "valueFrom",
        message({ 3: msg("configMapKeyRef", objectReference), 4: msg("secretKeyRef", objectReference) }),
      ),
    }),
  ),
  8: msg("resources", resourceRequirements),
  24: word("restartPolicy"),
});

const volumeProjection = message({
  1: msg("secret", objectReference),
  3: msg("configMap", objectReference),
  4: msg(
    "serviceAccountToken",
    message({ 1: word("audience"), 2: int("expirationSeconds", true), 3: word("path", true) }),
  ),
});

const volume = message({
  1: str("name", true),
  2: inline(
    message({
      6: msg("secret", message({ 1: word("secretName") })),
      19: msg("configMap", objectReference),
      26: msg("projected", message({ 1: list("sources", volumeProjection) })),
    }),
  ),
});

const nodeSelectorRequirement = message({
  1: word("key", true),
  2: word("operator", true),
  3: strings("values"),
});

const podSpec = message({
  1: list("volumes", volume),
  20: list("initContainers", container),
  2: list("containers", container),
  3: word("restartPolicy"),
  4: int("terminationGracePeriodSeconds", true),
  7: stringMap("nodeSelector"),
  8: word("serviceAccountName"),
  10: word("nodeName"),
  11: bool("hostNetwork"),
  18: msg(
    "affinity",
    message({
      1: msg(
        "nodeAffinity",
        message({
          1: msg(
            "requiredDuringSchedulingIgnoredDuringExecution",
            message({
              1: list(
                "nodeSelectorTerms",
                message({
                  1: list("matchExpressions", nodeSelectorRequirement),
                  2: list("matchFields", nodeSelectorRequirement),
                }),
              ),
            }),
          ),
        }),
      ),
    }),
  ),
  22: list(
    "tolerations",
    message({
      1: word("key"),
      2: word("operator"),
      3: word("value"),
      4: word("effect"),
      5: int("tolerationSeconds", true),
    }),
  ),
  25: int("priority", true),
  28: list("readinessGates", message({ 1: word("conditionType", true) })),
  32: quantityMap("overhead"),
  36: msg("os", message({ 1: word("name", true) })),
  40: msg("resources", resourceRequirements),
});

const containerState = message({
  1: msg("waiting", message({ 1: word("reason"), 2: str("message") })),
  2: msg("running", message({ 1: time("startedAt") })),
  3: msg(
    "terminated",
    message({
      1: int("exitCode", true),
      2: int("signal"),
      3: word("reason"),
      4: str("message"),
      5: time("startedAt"),
      6: time("finishedAt"),
      7: str("containerID"),
    }),
  ),
});

const containerStatus = message({
  1: word("name", true),
  2: msg("state", containerState),
  3: msg("lastState", containerState),
  4: bool("ready", true),
  5: int("restartCount", true),
  6: word("image", true),
  7: word("imageID", true),
  8: str("containerID"),
  9: bool("started", true),
  10: quantityMap("allocatedResources"),
  11: msg("resources", resourceRequirements),
  15: str("stopSignal"),
});

const podIP = message({ 1: str("ip", true) });
/** A node's IP, the same in every pod of the node. */
const hostIP = message({ 1: word("ip", true) });

const podStatus = message({
  17: int("observedGeneration"),
  1: word("phase"),
  2: list(
    "conditions",
    message({
      1: word("type", true),
      7: int("observedGeneration"),
      2: word("status", true),
      3: time("lastProbeTime"),
      4: time("lastTransitionTime"),
      5: word("reason"),
      6: str("message"),
    }),
  ),
  3: str("message"),
  4: word("reason"),
  11: str("nominatedNodeName"),
  5: word("hostIP"),
  16: list("hostIPs", hostIP),
  6: str("podIP"),
  12: list("podIPs", podIP),
  7: time("startTime"),
  10: list("initContainerStatuses", containerStatus),
  8: list("containerStatuses", containerStatus),
  9: word("qosClass"),
  13: list("ephemeralContainerStatuses", containerStatus),
  14: str("resize"),
  19: quantityMap("allocatedResources"),
  20: msg("resources", resourceRequirements),
});

export const pod = message({
  1: msg("metadata", podObjectMeta),
  2: msg("spec", podSpec),
  3: msg("status", podStatus),
});

/**
 * A node's pod watch: most of the six or so events a pod brings are the echoes of the node's own status
 * writes, which it reads nothing from. The status is decoded when the node reads it (to build or write the
 * next status, about three times a pod), and a Running pod is held with its status as bytes.
 */
export const watchedPod = message({
  1: msg("metadata", podObjectMeta),
  2: msg("spec", podSpec),
  3: lazyMsg("status", podStatus),
});

const nodeCondition = message({
  1: word("type", true),
  2: word("status", true),
  3: time("lastHeartbeatTime"),
  4: time("lastTransitionTime"),
  5: word("reason"),
  6: word("message"),
});

const nodeSpec = message({
  1: str("podCIDR"),
  7: strings("podCIDRs"),
  3: str("providerID"),
  4: bool("unschedulable"),
  5: list(
    "taints",
    message({ 1: word("key", true), 2: str("value"), 3: word("effect", true), 4: time("timeAdded") }),
  ),
});

const nodeStatus = message({
  1: quantityMap("capacity"),
  2: quantityMap("allocatable"),
  3: word("phase"),
  4: list("conditions", nodeCondition),
  5: list("addresses", message({ 1: word("type", true), 2: str("address", true) })),
  6: msg("daemonEndpoints", message({ 1: msg("kubeletEndpoint", message({ 1: int("Port", true) })) })),
  // Every NodeSystemInfo string is written to JSON even when empty.
  7: msg(
    "nodeInfo",
    message({
      1: str("machineID", true),
      2: str("systemUUID", true),
      3: str("bootID", true),
      4: word("kernelVersion", true),
      5: word("osImage", true),
      6: word("containerRuntimeVersion", true),
      7: word("kubeletVersion", true),
      8: word("kubeProxyVersion", true),
      9: word("operatingSystem", true),
      10: word("architecture", true),
    }),
  ),
  8: list("images", message({ 1: strings("names"), 2: int("sizeBytes") })),
  9: strings("volumesInUse"),
});

export const node = message({
  1: msg("metadata", objectMeta),
  2: msg("spec", nodeSpec),
  3: msg("status", nodeStatus),
});
