import type { HollowNodeConfig } from "../../src/hollow/node-config.js";

/** A hollow node's configuration for unit tests: 1 CPU, 1 GiB, 110 pods, no labels or taints. */
export function hollowNodeConfig(name: string): HollowNodeConfig {
  return {
    name,
    nodeIP: "127.0.1.1",
    fallbackPodCIDR: "10.64.1.0/24",
    labels: {},
    taints: [],
    capacity: { cpu: "1", memory: "1Gi", pods: "110" },
    kubeletVersion: "v1.37.2",
    instanceType: "kubemark",
  };
}
