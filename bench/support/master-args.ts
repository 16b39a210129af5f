/** Master flags for benchmarks: the controllers' default client limits would otherwise be what a big run measures. */
export const BENCH_MASTER_ARGS = {
  "kube-controller-manager": ["--kube-api-qps=500", "--kube-api-burst=1000"],
  "kube-scheduler": ["--kube-api-qps=500", "--kube-api-burst=1000"],
  "kube-apiserver": ["--max-requests-inflight=1000", "--max-mutating-requests-inflight=500"],
};
