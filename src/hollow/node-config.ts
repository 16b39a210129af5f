import type { ContainerImage, Node, NodeCondition, ResourceList, Taint } from "../client/types.js";
import { sha256 } from "./pods/image-ref.js";
import { rfc3339 } from "./pods/timestamp.js";

/** What one hollow node is: its identity, what it reports, and what it admits. */
export interface HollowNodeConfig {
  name: string;
  /** Node IPs live in 127.0.0.0/8: nothing is ever sent to them but, if at all, loopback. */
  nodeIP: string;
  /** Used when the master does not allocate a podCIDR (--allocate-node-cidrs=false). */
  fallbackPodCIDR: string;
  labels: Record<string, string>;
  taints: Taint[];
  capacity: ResourceList;
  kubeletVersion: string;
  instanceType: string;
}

/** Upstream's hollow kubelet reports its fake cAdvisor's machine: 1 core, 4026531840 bytes (3840Mi). */
export const DEFAULT_CAPACITY: ResourceList = {
  cpu: "1",
  memory: "3840Mi",
  pods: "110",
  "ephemeral-storage": "100Gi",
  "hugepages-1Gi": "0",
  "hugepages-2Mi": "0",
};

/** node i of a process: 127.(1+i>>16).(i>>8).(i&255), so 5,000 nodes get distinct loopback addresses. */
export function nodeIPFor(index: number): string {
  return `127.${1 + ((index >> 16) & 0x7f)}.${(index >> 8) & 0xff}.${index & 0xff}`;
}

/** A /24 inside the cluster CIDR 10.64.0.0/10, the one the controller-manager would give node i. */
export function fallbackPodCIDRFor(index: number): string {
  const block = index & 0x3fff;
  return `10.${64 + (block >> 8)}.${block & 0xff}.0/24`;
}

/** The labels a kubelet sets on its Node, plus the user's --node-labels. */
export function kubeletLabels(
  name: string,
  instanceType: string,
  extra: Record<string, string>,
): Record<string, string> {
  return {
    "beta.kubernetes.io/arch": "amd64",
    "beta.kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    "kubernetes.io/hostname": name,
    "kubernetes.io/os": "linux",
    "node.kubernetes.io/instance-type": instanceType,
    ...extra,
  };
}

/**
 * The Node a kubelet registers, its status set as the kubelet's initialNode() sets it: the conditions say
 * Ready=False until the node has a podCIDR. The status sync right after still reports, as the kubelet's does.
 */
export function registrationObject(cfg: HollowNodeConfig, now: number): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: cfg.name,
      labels: cfg.labels,
      annotations: {
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
      },
    },
    spec: { providerID: `kubemark://${cfg.name}`, ...(cfg.taints.length ? { taints: cfg.taints } : {}) },
    status: nodeStatus(cfg, kubeletConditions(false, now, now)),
  };
}

/** The status a kubelet writes: capacity, allocatable (no reservations, as upstream's hollow node), addresses, info. */
export function nodeStatus(
  cfg: HollowNodeConfig,
  conditions: NodeCondition[],
  images: ContainerImage[] = [],
): NonNullable<Node["status"]> {
  return {
    capacity: cfg.capacity,
    allocatable: cfg.capacity,
    conditions,
    addresses: [
      { type: "InternalIP", address: cfg.nodeIP },
      { type: "Hostname", address: cfg.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    ...(images.length > 0 ? { images } : {}),
    nodeInfo: {
      machineID: machineId(cfg.name),
      systemUUID: machineId(cfg.name),
      bootID: machineId(`${cfg.name}-boot`),
      kernelVersion: "6.1.0-kubemark",
      osImage: "kubemark hollow node",
      containerRuntimeVersion: "fake://1.0.0",
      kubeletVersion: cfg.kubeletVersion,
      kubeProxyVersion: "",
      operatingSystem: "linux",
      architecture: "amd64",
    },
  };
}

/** A kubelet's own conditions, all healthy; heartbeat and transition times set by the caller. */
export function kubeletConditions(ready: boolean, heartbeat: number, since: number): NodeCondition[] {
  const at = rfc3339(heartbeat);
  const from = rfc3339(since);
  const c = (
    type: string,
    status: NodeCondition["status"],
    reason: string,
    message: string,
  ): NodeCondition => ({
    type,
    status,
    lastHeartbeatTime: at,
    lastTransitionTime: from,
    reason,
    message,
  });
  return [
    c("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    c("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    c("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ready
      ? c("Ready", "True", "KubeletReady", "kubelet is posting ready status")
      : c(
          "Ready",
          "False",
          "KubeletNotReady",
          "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: no podCIDR yet",
        ),
  ];
}

/** A stable 32-hex-digit id, as /etc/machine-id holds. */
function machineId(seed: string): string {
  return sha256(seed).slice(0, 32);
}

/** A stable index for a node named freely (upstream's --name), for its IP and fallback podCIDR. */
export function indexForName(name: string): number {
  return parseInt(sha256(name).slice(0, 4), 16) & 0x3fff;
}
