/**
 * Reading raw YAML values into checked ones. Every problem is recorded with its field path and reading
 * carries on, so one run of the loader reports all that is wrong with a file.
 */
import { parseGoDuration } from "../hollow/pods/duration.js";
import { ExpressionError, interpolate, type Scope, type Value } from "./expression.js";

export interface Problem {
  /** e.g. "steps[2].phases[0].tuningSet"; "" for the file as a whole. */
  path: string;
  message: string;
}

/** The path of a child: a key ("a.b") or an index or sub-path starting with "[" ("a[0]"). */
export function at(path: string, child: string | number): string {
  if (typeof child === "number") return `${path}[${child}]`;
  if (path === "" || child === "" || child.startsWith("[")) return `${path}${child}`;
  return `${path}.${child}`;
}

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const KEY = String.raw`(?:[A-Za-z0-9](?:[-A-Za-z0-9.]*[A-Za-z0-9])?/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?`;
const LABEL_VALUE = String.raw`(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?`;
const REQUIREMENT = String.raw`\s*(?:!\s*${KEY}|${KEY}\s*(?:(?:==|!=|=)\s*${LABEL_VALUE}|\s(?:in|notin)\s*\(\s*${LABEL_VALUE}(?:\s*,\s*${LABEL_VALUE})*\s*\))?)\s*`;
const LABEL_SELECTOR = new RegExp(`^(?:${REQUIREMENT}(?:,${REQUIREMENT})*)?$`);

export interface NumberRule {
  integer?: boolean;
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
}

export class FieldReader {
  readonly problems: Problem[] = [];
  /** Parameters whose own value failed: errors that only repeat that failure are not reported again. */
  readonly brokenParameters = new Set<string>();

  constructor(public scope: Scope) {}

  report(path: string, message: string): undefined {
    this.problems.push({ path, message });
    return undefined;
  }

  /** A mapping holding every required key and no key outside required and optional. */
  mapping(
    raw: unknown,
    path: string,
    required: readonly string[],
    optional: readonly string[] = [],
  ): Record<string, unknown> | undefined {
    if (!isMapping(raw)) return this.report(path, `must be a mapping, got ${describe(raw)}`);
    for (const key of required) if (raw[key] === undefined) this.report(at(path, key), "is required");
    const allowed = [...required, ...optional];
    for (const key of Object.keys(raw)) {
      if (!allowed.includes(key))
        this.report(at(path, key), `unknown field (expected: ${allowed.join(", ")})`);
    }
    return raw;
  }

  list(raw: unknown, path: string): unknown[] | undefined {
    return Array.isArray(raw) ? raw : this.report(path, `must be a list, got ${describe(raw)}`);
  }

  /** The value with its `${...}` expressions evaluated in the current scope. */
  resolve(raw: unknown, path: string): unknown {
    try {
      return interpolate(raw, this.scope);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      if (!error.unknownParameter || !this.brokenParameters.has(error.unknownParameter))
        this.report(at(path, error.path), error.message);
      return undefined;
    }
  }

  value(raw: unknown, path: string): Value | undefined {
    const value = this.resolve(raw, path);
    if (value === undefined) return undefined;
    if (typeof value === "number" || typeof value === "string") return value;
    return this.report(path, `must be a number or a string, got ${describe(value)}`);
  }

  string(raw: unknown, path: string, pattern?: { regex: RegExp; meaning: string }): string | undefined {
    const value = this.resolve(raw, path);
    if (value === undefined) return undefined;
    if (typeof value !== "string") return this.report(path, `must be a string, got ${describe(value)}`);
    if (pattern && !pattern.regex.test(value))
      return this.report(path, `must be ${pattern.meaning}, got "${value}"`);
    return value;
  }

  number(raw: unknown, path: string, rule: NumberRule = {}): number | undefined {
    const value = this.resolve(raw, path);
    if (value === undefined) return undefined;
    const ok =
      typeof value === "number" &&
      (!rule.integer || Number.isInteger(value)) &&
      (rule.min === undefined || value >= rule.min) &&
      (rule.above === undefined || value > rule.above);
    if (ok) return value;
    const bound =
      rule.min !== undefined ? ` >= ${rule.min}` : rule.above !== undefined ? ` > ${rule.above}` : "";
    return this.report(
      path,
      `must be ${rule.integer ? "an integer" : "a number"}${bound}, got ${describe(value)}`,
    );
  }

  oneOf<T extends string>(raw: unknown, path: string, choices: readonly T[]): T | undefined {
    const value = this.resolve(raw, path);
    if (value === undefined) return undefined;
    if (typeof value === "string" && (choices as readonly string[]).includes(value)) return value as T;
    return this.report(path, `must be one of ${choices.join(", ")}, got ${describe(value)}`);
  }

  /** Milliseconds of a Go duration such as "30s" or "1m30s". */
  duration(raw: unknown, path: string): number | undefined {
    const value = this.resolve(raw, path);
    if (value === undefined) return undefined;
    const ms = typeof value === "string" ? parseGoDuration(value) : undefined;
    if (ms !== undefined) return ms;
    return this.report(path, `must be a duration such as 30s or 15m, got ${describe(value)}`);
  }

  labelSelector(raw: unknown, path: string): string | undefined {
    return this.string(raw, path, {
      regex: LABEL_SELECTOR,
      meaning: 'a label selector such as "group = load"',
    });
  }
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (typeof value === "string") return `"${value}"`;
  if (Array.isArray(value)) return "a list";
  if (value === null || value === undefined) return "nothing";
  if (typeof value === "object") return "a mapping";
  return String(value);
}
