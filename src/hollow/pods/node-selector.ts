/** Whether a node satisfies a pod's nodeSelector and required node affinity. */

import type { NodeSelectorRequirement, NodeSelectorTerm, Pod } from "../../client/types.js";

export interface NodeIdentity {
  name: string;
  labels: Record<string, string>;
}

function parseInteger(text: string | undefined): number | undefined {
  return text !== undefined && /^[+-]?\d+$/.test(text) ? Number(text) : undefined;
}

/** Label-selector semantics: NotIn and DoesNotExist match a node without the label. */
function matchesRequirement(requirement: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      const actual = parseInteger(value);
      const bound = values.length === 1 ? parseInteger(values[0]) : undefined;
      if (actual === undefined || bound === undefined) return false;
      return requirement.operator === "Gt" ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}

/** Only metadata.name is a selectable node field. */
function matchesField(requirement: NodeSelectorRequirement, node: NodeIdentity): boolean {
  if (requirement.key !== "metadata.name") return false;
  if (requirement.operator !== "In" && requirement.operator !== "NotIn") return false;
  return matchesRequirement(requirement, node.name);
}

/** A term with no requirements at all selects nothing. */
function matchesTerm(term: NodeSelectorTerm, node: NodeIdentity): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  return (
    expressions.every((requirement) => matchesRequirement(requirement, node.labels[requirement.key])) &&
    fields.every((requirement) => matchesField(requirement, node))
  );
}

export function matchesNodeSelectorAndAffinity(pod: Pod, node: NodeIdentity): boolean {
  const selector = pod.spec.nodeSelector ?? {};
  if (!Object.entries(selector).every(([key, value]) => node.labels[key] === value)) return false;
  const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return required === undefined || required.nodeSelectorTerms.some((term) => matchesTerm(term, node));
}
