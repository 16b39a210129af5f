interface WithConditions {
  status?: { conditions?: { type: string; status: string }[] };
}

/** Whether a Node's or Pod's condition of this type is True (Ready, most often). */
export function isConditionTrue(obj: WithConditions | undefined, type: string): boolean {
  return obj?.status?.conditions?.some((c) => c.type === type && c.status === "True") === true;
}
