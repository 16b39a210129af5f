/**
 * Object templates: a YAML file of one Kubernetes object with `${...}` placeholders, and the object
 * kinds an experiment may create, with where each lives in the REST API.
 */
import { parseDocument } from "yaml";
import type { KubeObject } from "../client/types.js";
import { ExpressionError, interpolate, type Scope } from "./expression.js";
import { isMapping } from "./fields.js";

export interface ObjectKind {
  apiVersion: string;
  kind: string;
  /** The resource name in URLs. */
  plural: string;
  namespaced: boolean;
  /**
   * The collection URL, e.g. /apis/apps/v1/namespaces/ns/deployments. Without a namespace, a namespaced
   * kind gets its all-namespaces URL (for list and watch); cluster-scoped kinds ignore the namespace.
   */
  collectionPath(namespace?: string): string;
}

function objectKind(apiVersion: string, kind: string, plural: string, namespaced: boolean): ObjectKind {
  const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return {
    apiVersion,
    kind,
    plural,
    namespaced,
    collectionPath: (namespace) =>
      namespaced && namespace !== undefined
        ? `${base}/namespaces/${namespace}/${plural}`
        : `${base}/${plural}`,
  };
}

export const OBJECT_KINDS = {
  Namespace: objectKind("v1", "Namespace", "namespaces", false),
  Deployment: objectKind("apps/v1", "Deployment", "deployments", true),
  ReplicaSet: objectKind("apps/v1", "ReplicaSet", "replicasets", true),
  StatefulSet: objectKind("apps/v1", "StatefulSet", "statefulsets", true),
  DaemonSet: objectKind("apps/v1", "DaemonSet", "daemonsets", true),
  Job: objectKind("batch/v1", "Job", "jobs", true),
  Service: objectKind("v1", "Service", "services", true),
  ConfigMap: objectKind("v1", "ConfigMap", "configmaps", true),
  Secret: objectKind("v1", "Secret", "secrets", true),
  Pod: objectKind("v1", "Pod", "pods", true),
} as const satisfies Record<string, ObjectKind>;

export type ObjectKindName = keyof typeof OBJECT_KINDS;

export class TemplateError extends Error {}

/** The entry of OBJECT_KINDS an object belongs to; throws TemplateError naming what is unsupported. */
export function objectKindOf(object: { apiVersion?: unknown; kind?: unknown }): ObjectKind {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== "string" || typeof kind !== "string")
    throw new TemplateError("the object needs apiVersion and kind strings");
  const known = Object.hasOwn(OBJECT_KINDS, kind) ? OBJECT_KINDS[kind as ObjectKindName] : undefined;
  if (!known) {
    const supported = Object.values(OBJECT_KINDS)
      .map((k) => `${k.apiVersion} ${k.kind}`)
      .join(", ");
    throw new TemplateError(`unsupported object "${apiVersion} ${kind}" (supported: ${supported})`);
  }
  if (known.apiVersion !== apiVersion)
    throw new TemplateError(`${kind} has apiVersion ${known.apiVersion}, not ${apiVersion}`);
  return known;
}

/**
 * Parses the template first and substitutes into its string values afterwards, so a parameter's text
 * can never change the YAML structure, and a placeholder that is a whole value keeps its number type
 * (`replicas: ${replicas}` gives a number; `cpu: ${cpu}m` a string).
 */
export function renderTemplate(text: string, params: Scope): KubeObject {
  const document = parseDocument(text);
  const syntaxError = document.errors[0];
  if (syntaxError) throw new TemplateError(`YAML: ${syntaxError.message.split("\n")[0]}`);
  let object: unknown;
  try {
    object = interpolate(document.toJS(), params);
  } catch (error) {
    if (error instanceof ExpressionError)
      throw new TemplateError(error.path ? `${error.path}: ${error.message}` : error.message);
    throw error;
  }
  if (!isMapping(object) || !isMapping(object.metadata))
    throw new TemplateError("the template must be one object with metadata");
  objectKindOf(object);
  return object as KubeObject;
}
