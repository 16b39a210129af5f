import type { KubeObject } from "../../client/types.js";
import type { NodeCredentials } from "../../master/node-identities.js";
import { credentialArgs } from "../../master/local-hollow-nodes.js";
import { flagMapFromArgs, type FlagMap } from "../../util/flag-file.js";
import { CLUSTER_NODE_LABEL } from "../master-objects.js";
import { hollowPodResources } from "./hollow-pod-resources.js";

/** The guide's isolated namespace. */
export const EXTERNAL_NAMESPACE = "kubemark";
export const DEPLOYMENT_NAME = "hollow-node";
export const KUBECONFIG_SECRET = "hollow-node-kubeconfigs";
export const CONFIG_MAP = "hollow-node-config";
export const CONFIG_FILE = "hollow-node.yaml";
/** A --stages file given as a hollow-node flag travels in the ConfigMap: the pod has none of our files. */
export const STAGES_FILE = "stages.yaml";
export const CONTAINER_NAME = "hollow-node";
/** Where the pod mounts what it runs with; the test maps these onto local directories. */
export const MOUNTS = {
  kubeconfigs: "/etc/kubemark/kubeconfigs",
  config: "/etc/kubemark/config",
  pki: "/var/lib/kubemark/pki",
} as const;
/** The UID of the image's user (Dockerfile): non-root, as the pod's securityContext insists. */
export const IMAGE_UID = 65532;

export interface ExternalPlan {
  cluster: string;
  image: string;
  nodesPerPod: number;
  replicas: number;
  kubernetesVersion: string;
  sharedWatch: boolean;
  extraArgs: string[];
}

/** The labels of everything kubemark makes in the external cluster; the Deployment selects its pods by them. */
export function externalLabels(cluster: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": DEPLOYMENT_NAME,
    "app.kubernetes.io/managed-by": "kubemark",
    [CLUSTER_NODE_LABEL]: cluster,
  };
}

export function podSelector(cluster: string): string {
  return Object.entries(externalLabels(cluster))
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

export function namespaceObject(cluster: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: EXTERNAL_NAMESPACE, labels: externalLabels(cluster) },
  };
}

/** The kubeconfig file name inside the Secret, per credential. */
const SECRET_KEYS = {
  kubeconfig: "kubeconfig",
  proxyKubeconfig: "proxy.kubeconfig",
  bootstrapKubeconfig: "bootstrap.kubeconfig",
} as const;

/** The master's kubeconfigs, by the file names the pods read them under. */
export function kubeconfigSecret(
  cluster: string,
  files: Partial<Record<keyof typeof SECRET_KEYS, string>>,
): KubeObject {
  const stringData: Record<string, string> = {};
  for (const [k, text] of Object.entries(files))
    if (text !== undefined) stringData[SECRET_KEYS[k as keyof typeof SECRET_KEYS]] = text;
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: KUBECONFIG_SECRET, namespace: EXTERNAL_NAMESPACE, labels: externalLabels(cluster) },
    type: "Opaque",
    stringData,
  };
}

/** The local --stages file among the extra hollow-node flags, whose content the ConfigMap carries. */
export function localStagesFile(plan: ExternalPlan): string | undefined {
  const stages = flagMapFromArgs(plan.extraArgs).stages;
  return stages === undefined ? undefined : String(stages);
}

/**
 * The hollow node settings as a flag file: K nodes per pod, the label that marks this cluster's Nodes on
 * the master (merged with the user's --node-labels), and the user's extra hollow-node flags (a --stages
 * file read from the ConfigMap's copy).
 */
export function hollowNodeSettings(plan: ExternalPlan): FlagMap {
  const extra = flagMapFromArgs(plan.extraArgs);
  const userLabels = extra["node-labels"];
  return {
    ...extra,
    count: plan.nodesPerPod,
    "node-labels": [
      `${CLUSTER_NODE_LABEL}=${plan.cluster}`,
      ...(userLabels ? [String(userLabels)] : []),
    ].join(","),
    ...(plan.sharedWatch ? { "shared-watch": true } : {}),
    ...(extra.stages !== undefined ? { stages: `${MOUNTS.config}/${STAGES_FILE}` } : {}),
  };
}

export function configMapObject(plan: ExternalPlan, settingsYaml: string, stagesYaml?: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: CONFIG_MAP, namespace: EXTERNAL_NAMESPACE, labels: externalLabels(plan.cluster) },
    data: { [CONFIG_FILE]: settingsYaml, ...(stagesYaml !== undefined ? { [STAGES_FILE]: stagesYaml } : {}) },
  };
}

/**
 * The pod's arguments to the image's entrypoint (`kubemark`): node names are the pod's name plus -0..-K-1,
 * so every hollow node maps to its pod; kubelets bootstrap their certificates into an emptyDir when the
 * master hands out a bootstrap token.
 */
export function hollowNodeArgs(creds: NodeCredentials): string[] {
  const inPod = {
    kubeconfig: `${MOUNTS.kubeconfigs}/${SECRET_KEYS.kubeconfig}`,
    proxyKubeconfig: creds.proxyKubeconfig
      ? `${MOUNTS.kubeconfigs}/${SECRET_KEYS.proxyKubeconfig}`
      : undefined,
    bootstrapKubeconfig: creds.bootstrapKubeconfig
      ? `${MOUNTS.kubeconfigs}/${SECRET_KEYS.bootstrapKubeconfig}`
      : undefined,
    nodeCertDir: creds.bootstrapKubeconfig ? MOUNTS.pki : undefined,
  };
  return [
    "hollow-node",
    `--config=${MOUNTS.config}/${CONFIG_FILE}`,
    ...credentialArgs(inPod),
    "--name-prefix=$(POD_NAME)",
    // Pod names are not numbered cluster-wide: node IPs come from the node names instead.
    "--index-from-name",
  ];
}

export function deploymentObject(plan: ExternalPlan, creds: NodeCredentials): KubeObject {
  const labels = externalLabels(plan.cluster);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: DEPLOYMENT_NAME, namespace: EXTERNAL_NAMESPACE, labels },
    spec: {
      replicas: plan.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: IMAGE_UID,
            runAsGroup: IMAGE_UID,
            fsGroup: IMAGE_UID,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: CONTAINER_NAME,
              image: plan.image,
              args: hollowNodeArgs(creds),
              env: [
                { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                { name: "KUBEMARK_KUBERNETES_VERSION", value: plan.kubernetesVersion },
              ],
              resources: hollowPodResources(plan.nodesPerPod),
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
              volumeMounts: [
                { name: "kubeconfigs", mountPath: MOUNTS.kubeconfigs, readOnly: true },
                { name: "config", mountPath: MOUNTS.config, readOnly: true },
                { name: "pki", mountPath: MOUNTS.pki },
              ],
            },
          ],
          volumes: [
            // Group-readable for fsGroup: the image's user reads it, nobody else in the pod.
            { name: "kubeconfigs", secret: { secretName: KUBECONFIG_SECRET, defaultMode: 0o440 } },
            { name: "config", configMap: { name: CONFIG_MAP } },
            { name: "pki", emptyDir: {} },
          ],
        },
      },
    },
  };
}

/** The pod of a hollow node: its name without the -<i> suffix. */
export function podNameForNode(node: string): string | undefined {
  const m = /^(.+)-\d+$/.exec(node);
  return m?.[1];
}
