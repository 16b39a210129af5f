import type { KubeClient } from "../../client/kube-client.js";
import type { KubeObject } from "../../client/types.js";

interface AccessReview extends KubeObject {
  status?: { allowed?: boolean };
}

interface Right {
  verb: string;
  resource: string;
  group?: string;
  subresource?: string;
  namespace?: string;
}

/** The rights kubemark needs in the external cluster; namespace creation only when the namespace is missing. */
export function neededRights(namespace: string, namespaceExists: boolean): Right[] {
  const inNamespace = (resource: string, group = "", verbs = ["get", "create", "update", "delete"]) =>
    verbs.map((verb) => ({ verb, resource, group, namespace }));
  return [
    namespaceReadRight(namespace),
    ...(namespaceExists ? [] : ["create", "delete"].map((verb) => ({ verb, resource: "namespaces" }))),
    ...inNamespace("secrets"),
    ...inNamespace("configmaps"),
    ...inNamespace("deployments", "apps"),
    ...inNamespace("pods", "", ["list", "get"]),
    { verb: "get", resource: "pods", subresource: "log", namespace },
  ];
}

/** Reading the namespace, to learn whether it exists (a RoleBinding in it grants this). */
export function namespaceReadRight(namespace: string): Right {
  return { verb: "get", resource: "namespaces", namespace };
}

function describe(r: Right): string {
  const what = `${r.resource}${r.subresource ? `/${r.subresource}` : ""}${r.group ? `.${r.group}` : ""}`;
  return `${r.verb} ${what}${r.namespace ? ` in namespace ${r.namespace}` : ""}`;
}

/**
 * Asks the external cluster (SelfSubjectAccessReview) whether our identity has every right the provider
 * needs, before creating anything; resolves to the rights missing, described as kubectl auth can-i would.
 */
export async function missingRights(client: KubeClient, rights: Right[]): Promise<string[]> {
  const answers = await Promise.all(
    rights.map(async (r) => {
      const review = await client.create<AccessReview>(
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SelfSubjectAccessReview",
          metadata: {},
          spec: { resourceAttributes: r },
        },
      );
      return review.status?.allowed === true ? undefined : describe(r);
    }),
  );
  return answers.filter((a): a is string => a !== undefined);
}
