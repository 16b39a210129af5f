/** kubectl-style flags: --flag=value, --flag value, -o json, --bool, --bool=false, repeatable lists, "--" ends flags. */

export type FlagType = "string" | "bool" | "int" | "list";

export interface FlagSpec {
  name: string;
  short?: string;
  type: FlagType;
  help: string;
  default?: string | number | boolean;
  /** Environment variable read when the flag is absent. */
  env?: string;
  /** For string flags: the accepted values. */
  choices?: readonly string[];
}

export type FlagValues = Record<string, string | number | boolean | string[] | undefined>;

export class UsageError extends Error {}

export function parseFlags(
  argv: string[],
  specs: readonly FlagSpec[],
): { flags: FlagValues; positional: string[] } {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const flags: FlagValues = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    const long = arg.startsWith("--");
    const body = arg.slice(long ? 2 : 1);
    const eq = body.indexOf("=");
    const key = eq >= 0 ? body.slice(0, eq) : body;
    const spec = long ? byName.get(key) : byShort.get(key);
    if (!spec) throw new UsageError(`unknown flag: ${long ? "--" : "-"}${key}`);
    let raw: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (spec.type === "bool") {
      if (raw === undefined) raw = "true";
    } else if (raw === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: --${spec.name}`);
      raw = argv[++i];
    }
    const value = convert(spec, raw);
    if (spec.type === "list")
      flags[spec.name] = [...((flags[spec.name] as string[] | undefined) ?? []), value as string];
    else flags[spec.name] = value;
  }
  for (const spec of specs) {
    if (flags[spec.name] !== undefined) continue;
    const fromEnv = spec.env ? process.env[spec.env] : undefined;
    if (fromEnv) flags[spec.name] = convert(spec, fromEnv);
    else if (spec.type === "list") flags[spec.name] = [];
    else flags[spec.name] = spec.default;
  }
  return { flags, positional };
}

function convert(spec: FlagSpec, raw: string): string | number | boolean {
  switch (spec.type) {
    case "bool":
      if (raw === "true" || raw === "1") return true;
      if (raw === "false" || raw === "0") return false;
      throw new UsageError(`invalid value "${raw}" for --${spec.name}: want true or false`);
    case "int": {
      if (!/^-?\d+$/.test(raw))
        throw new UsageError(`invalid value "${raw}" for --${spec.name}: want an integer`);
      return Number(raw);
    }
    default:
      if (spec.choices && !spec.choices.includes(raw)) {
        throw new UsageError(
          `invalid value "${raw}" for --${spec.name}: want one of ${spec.choices.join(", ")}`,
        );
      }
      return raw;
  }
}

export function formatFlags(specs: readonly FlagSpec[]): string {
  return specs
    .map((s) => {
      const name = `${s.short ? `-${s.short}, ` : "    "}--${s.name}${s.type === "bool" ? "" : ` ${s.type === "int" ? "N" : "VALUE"}`}`;
      const extra = [
        s.default !== undefined && s.default !== "" ? `default ${JSON.stringify(s.default)}` : "",
        s.env ? `env ${s.env}` : "",
      ]
        .filter(Boolean)
        .join("; ");
      return `  ${name.padEnd(34)} ${s.help}${extra ? ` (${extra})` : ""}`;
    })
    .join("\n");
}
