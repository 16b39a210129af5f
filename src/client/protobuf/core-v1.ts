/**
 * The core/v1 protobuf fields a hollow node reads, by their numbers in k8s.io/api's generated.proto. What is
 * not listed here is skipped.
 */
import {
  bool,
  inline,
  int,
  list,
  message,
  msg,
  quantityMap,
  str,
  stringMap,
  strings,
  time,
} from "./schema.js";
import { objectMeta, podObjectMeta } from "./meta-v1.js";

const localObjectReference = message({ 1: str("name") });
const objectReference = message({ 1: inline(localObjectReference) });

const resourceRequirements = message({ 1: quantityMap("limits"), 2: quantityMap("requests") });

const container = message({
  1: str("name", true),
  2: str("image"),
  6: list(
    "ports",
    message({
      1: str("name"),
      2: int("hostPort"),
      3: int("containerPort", true),
      4: str("protocol"),
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
  24: str("restartPolicy"),
});

const volumeProjection = message({
  1: msg("secret", objectReference),
  3: msg("configMap", objectReference),
  4: msg(
    "serviceAccountToken",
    message({ 1: str("audience"), 2: int("expirationSeconds", true), 3: str("path", true) }),
  ),
});

const volume = message({
  1: str("name", true),
  2: inline(
    message({
      6: msg("secret", message({ 1: str("secretName") })),
      19: msg("configMap", objectReference),
      26: msg("projected", message({ 1: list("sources", volumeProjection) })),
    }),
  ),
});

const nodeSelectorRequirement = message({
  1: str("key", true),
  2: str("operator", true),
  3: strings("values"),
});

const podSpec = message({
  1: list("volumes", volume),
  20: list("initContainers", container),
  2: list("containers", container),
  3: str("restartPolicy"),
  4: int("terminationGracePeriodSeconds", true),
  7: stringMap("nodeSelector"),
  8: str("serviceAccountName"),
  10: str("nodeName"),
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
      1: str("key"),
      2: str("operator"),
      3: str("value"),
      4: str("effect"),
      5: int("tolerationSeconds", true),
    }),
  ),
  25: int("priority", true),
  28: list("readinessGates", message({ 1: str("conditionType", true) })),
  32: quantityMap("overhead"),
  36: msg("os", message({ 1: str("name", true) })),
  40: msg("resources", resourceRequirements),
});

const containerState = message({
  1: msg("waiting", message({ 1: str("reason"), 2: str("message") })),
  2: msg("running", message({ 1: time("startedAt") })),
  3: msg(
    "terminated",
    message({
      1: int("exitCode", true),
      2: int("signal"),
      3: str("reason"),
      4: str("message"),
      5: time("startedAt"),
      6: time("finishedAt"),
      7: str("containerID"),
    }),
  ),
});

const containerStatus = message({
  1: str("name", true),
  2: msg("state", containerState),
  3: msg("lastState", containerState),
  4: bool("ready", true),
  5: int("restartCount", true),
  6: str("image", true),
  7: str("imageID", true),
  8: str("containerID"),
  9: bool("started", true),
  10: quantityMap("allocatedResources"),
  11: msg("resources", resourceRequirements),
  15: str("stopSignal"),
});

const podIP = message({ 1: str("ip", true) });

const podStatus = message({
  17: int("observedGeneration"),
  1: str("phase"),
  2: list(
    "conditions",
    message({
      1: str("type", true),
      7: int("observedGeneration"),
      2: str("status", true),
      3: time("lastProbeTime"),
      4: time("lastTransitionTime"),
      5: str("reason"),
      6: str("message"),
    }),
  ),
  3: str("message"),
  4: str("reason"),
  11: str("nominatedNodeName"),
  5: str("hostIP"),
  16: list("hostIPs", podIP),
  6: str("podIP"),
  12: list("podIPs", podIP),
  7: time("startTime"),
  10: list("initContainerStatuses", containerStatus),
  8: list("containerStatuses", containerStatus),
  9: str("qosClass"),
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

const nodeCondition = message({
  1: str("type", true),
  2: str("status", true),
  3: time("lastHeartbeatTime"),
  4: time("lastTransitionTime"),
  5: str("reason"),
  6: str("message"),
});

const nodeSpec = message({
  1: str("podCIDR"),
  7: strings("podCIDRs"),
  3: str("providerID"),
  4: bool("unschedulable"),
  5: list(
    "taints",
    message({ 1: str("key", true), 2: str("value"), 3: str("effect", true), 4: time("timeAdded") }),
  ),
});

const nodeStatus = message({
  1: quantityMap("capacity"),
  2: quantityMap("allocatable"),
  3: str("phase"),
  4: list("conditions", nodeCondition),
  5: list("addresses", message({ 1: str("type", true), 2: str("address", true) })),
  6: msg("daemonEndpoints", message({ 1: msg("kubeletEndpoint", message({ 1: int("Port", true) })) })),
  // Every NodeSystemInfo string is written to JSON even when empty.
  7: msg(
    "nodeInfo",
    message({
      1: str("machineID", true),
      2: str("systemUUID", true),
      3: str("bootID", true),
      4: str("kernelVersion", true),
      5: str("osImage", true),
      6: str("containerRuntimeVersion", true),
      7: str("kubeletVersion", true),
      8: str("kubeProxyVersion", true),
      9: str("operatingSystem", true),
      10: str("architecture", true),
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
