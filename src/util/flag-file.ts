import YAML from "yaml";

/** A flag file: flag names to values, as `kubemark hollow-node --config FILE` reads and a ConfigMap holds. */
export type FlagMap = Record<string, string | number | boolean | string[]>;

/** `--name=value` strings (a bare `--name` is true) as a flag map; a repeated flag becomes a list. */
export function flagMapFromArgs(args: readonly string[]): FlagMap {
  const map: FlagMap = {};
  for (const arg of args) {
    if (!arg.startsWith("--")) throw new Error(`expected --flag or --flag=value, got "${arg}"`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const value = eq >= 0 ? arg.slice(eq + 1) : true;
    const prior = map[name];
    map[name] =
      prior === undefined ? value : [...(Array.isArray(prior) ? prior : [String(prior)]), String(value)];
  }
  return map;
}

/** A flag map as command-line arguments, each `--name=value` (lists repeat the flag). */
export function argsFromFlagMap(map: FlagMap): string[] {
  return Object.entries(map).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => `--${name}=${String(v)}`),
  );
}

export function parseFlagFile(text: string, file: string): FlagMap {
  const parsed: unknown = YAML.parse(text);
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed))
    throw new Error(`${file}: want a mapping of flag names to values`);
  return parsed as FlagMap;
}
