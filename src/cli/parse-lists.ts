import type { Taint } from "../client/types.js";
import { UsageError } from "./flags.js";

/** "k=v,k2=v2" as kubelet flags take maps (--node-labels, --extended-resources). */
export function parseKeyValues(flag: string, text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`invalid --${flag} entry "${item}": want key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

const EFFECTS = new Set(["NoSchedule", "PreferNoSchedule", "NoExecute"]);

/** "key=value:Effect,key:Effect" as the kubelet's --register-with-taints. */
export function parseTaints(text: string | undefined): Taint[] {
  return (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const colon = item.lastIndexOf(":");
      const effect = item.slice(colon + 1);
      if (colon <= 0 || !EFFECTS.has(effect)) {
        throw new UsageError(
          `invalid --register-with-taints entry "${item}": want key[=value]:NoSchedule|PreferNoSchedule|NoExecute`,
        );
      }
      const [key, value] = item.slice(0, colon).split("=", 2);
      return { key, ...(value !== undefined ? { value } : {}), effect: effect as Taint["effect"] };
    });
}
