/**
 * Resource requests of a pod running K hollow nodes, from bench:hollow's figures (README, "Benchmarks"):
 * a process holds about 1.1 MiB per node at 100 nodes (RSS / nodes, so its base included) and 0.57 MiB
 * at 500, and uses 0.28 millicores per node steady plus about 5 ms of CPU per pod lifecycle.
 */
const BASE_MEMORY_MIB = 64;
const MEMORY_MIB_PER_NODE = 1.2;
/** Steady heartbeats take 0.28 mc per node; the rest is room for pod lifecycles (30 pods per node). */
const BASE_CPU_MILLIS = 20;
const CPU_MILLIS_PER_NODE = 1;

export interface PodResources {
  requests: { cpu: string; memory: string };
  limits: { memory: string };
}

/**
 * Requests sized for K nodes; a memory limit of twice the request bounds a leak without cutting the
 * start-up peak. No CPU limit: throttling would delay heartbeats, which the master would see as failures.
 */
export function hollowPodResources(nodesPerPod: number): PodResources {
  const memory = Math.ceil(BASE_MEMORY_MIB + MEMORY_MIB_PER_NODE * nodesPerPod);
  return {
    requests: {
      cpu: `${BASE_CPU_MILLIS + Math.ceil(CPU_MILLIS_PER_NODE * nodesPerPod)}m`,
      memory: `${memory}Mi`,
    },
    limits: { memory: `${2 * memory}Mi` },
  };
}
