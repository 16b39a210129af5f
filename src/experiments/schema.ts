/**
 * Experiment files: a ClusterLoader2-like test described in YAML, checked in full before it touches a
 * cluster. experiments/README.md has the same description with examples.
 *
 * ```yaml
 * name: density                 # a DNS label; names the artifacts and, by default, the namespaces
 * description: free text
 * parameters:                   # name: default. `--set name=value` replaces a default (numbers stay numbers);
 *   podsPerNode: 30             # values are evaluated in order, each seeing NODES and the ones above it
 *   latencyPods: "${max(500, NODES)}"
 * namespaces:
 *   prefix: density             # namespaces density-1 .. density-<count>; default: the experiment name
 *   count: "${ceil(NODES * podsPerNode / 3000)}"   # from here on, also the parameter namespaceCount
 * tuningSets:                   # how a phase paces its actions; exactly one of qps, parallelism, poisson
 *   - { name: Saturation, qps: 5 }              # one action every 1/qps seconds
 *   - { name: Parallel, parallelism: 10 }       # at most 10 actions in flight
 *   - { name: Poisson, poisson: { rate: 5 } }   # exponential gaps, 5 actions/s on average
 * steps:                        # run in order; each step has a name and one of measurements, phases, wait
 *   - name: Start measurements
 *     measurements:
 *       - { name: PodStartupLatency, action: start, params: { labelSelector: "group = latency" } }
 *   - name: Create deployments
 *     phases:                   # the phases of one step run at the same time
 *       - namespaces: { from: 1, to: "${namespaceCount}" }   # default: every namespace
 *         replicasPerNamespace: 1    # the count after this phase: creates, updates, or deletes (0) to reach it
 *         tuningSet: Saturation      # one action = one replica of the whole objects list in one namespace
 *         objects:
 *           - basename: saturation   # objects are named saturation-0, saturation-1, ... in each namespace
 *             template: templates/deployment.yaml   # relative to the experiment file
 *             params: { replicas: 3000, group: saturation }
 *   - name: Wait
 *     wait: { for: ControlledPodsRunning, kind: Deployment, labelSelector: "group = saturation", timeout: 15m }
 * ```
 *
 * Expressions: a string that is exactly `${...}` becomes the value of the expression (a number or a
 * parameter's string); `${...}` inside other text is replaced by the value's text; `$${` is a literal
 * `${`. Expressions have numbers, parameter names, + - * / %, parentheses, unary minus and min, max,
 * ceil, floor, round. Every string of the file may hold them, evaluated once, at load.
 *
 * Templates: one Kubernetes object of a kind in OBJECT_KINDS, whose `${...}` see the object's params
 * and Name (`<basename>-<index>`), Namespace and Index (0-based within its namespace). An object's params
 * are merged over those it had in earlier phases, so a phase that scales or deletes repeats only what
 * changes. metadata.name must be `${Name}`.
 *
 * Measurements (start, later gather; params go with start): PodStartupLatency {labelSelector,
 * thresholdMs}, APIResponsiveness {allowedSlowCalls}, SchedulingThroughput {labelSelector,
 * minPodsPerSecond}, SchedulerLatency, EtcdMetrics, ResourceUsageSummary, WaitForControlledPodsRunning
 * {kind, labelSelector, timeout}. `identifier` (default: the name) tells two instances apart and names
 * the artifact. Durations are Go durations (30s, 15m, 1h30m); the loader turns them into milliseconds.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseDocument } from "yaml";
import type { Scope, Value } from "./expression.js";
import { at, DNS_LABEL, FieldReader, IDENTIFIER, isMapping, type Problem } from "./fields.js";
import {
  objectKindOf,
  renderTemplate,
  TemplateError,
  type ObjectKind,
  type ObjectKindName,
} from "./templates.js";

export type { Problem };

export interface Experiment {
  /** Absolute path of the experiment file. */
  file: string;
  name: string;
  description: string;
  /** Every resolved parameter, with NODES and namespaceCount. */
  parameters: Scope;
  namespaces: { prefix: string; count: number };
  tuningSets: TuningSet[];
  steps: Step[];
}

export type TuningSet =
  | { name: string; type: "qps"; qps: number }
  | { name: string; type: "parallelism"; parallelism: number }
  | { name: string; type: "poisson"; rate: number };

export type Step = MeasurementStep | PhaseStep | WaitStep;

export interface MeasurementStep {
  type: "measurements";
  name: string;
  measurements: MeasurementAction[];
}

export interface PhaseStep {
  type: "phases";
  name: string;
  phases: Phase[];
}

export interface WaitStep {
  type: "wait";
  name: string;
  wait: WaitSpec;
}

export const MEASUREMENT_NAMES = [
  "PodStartupLatency",
  "APIResponsiveness",
  "SchedulingThroughput",
  "SchedulerLatency",
  "EtcdMetrics",
  "ResourceUsageSummary",
  "WaitForControlledPodsRunning",
] as const;
export type MeasurementName = (typeof MEASUREMENT_NAMES)[number];

export interface MeasurementAction {
  name: MeasurementName;
  /** Tells two instances of one measurement apart; names the artifact. Defaults to the name. */
  identifier: string;
  action: "start" | "gather";
  /** Given with start only; durations in milliseconds. */
  params: Record<string, Value>;
}

export interface Phase {
  /** 1-based, inclusive. */
  namespaces: { from: number; to: number };
  replicasPerNamespace: number;
  tuningSet: TuningSet;
  objects: PhaseObject[];
}

export interface PhaseObject {
  basename: string;
  /** Absolute path of the template file, and its text for renderTemplate. */
  templatePath: string;
  template: string;
  kind: ObjectKind;
  /** Merged over the params the object had in earlier phases; without Name, Namespace and Index. */
  params: Scope;
}

export const WAIT_KINDS = ["Deployment", "ReplicaSet", "StatefulSet", "Job", "DaemonSet"] as const;
export type WaitKind = (typeof WAIT_KINDS)[number] & ObjectKindName;

export interface WaitSpec {
  for: "ControlledPodsRunning";
  kind: WaitKind;
  /** "" selects every object of the kind in the experiment's namespaces. */
  labelSelector: string;
  timeoutMs: number;
}

export class ExperimentError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly Problem[],
  ) {
    super(`${file}:\n${problems.map((p) => `  ${p.path ? `${p.path}: ` : ""}${p.message}`).join("\n")}`);
  }
}

type ParamType = "string" | "number" | "duration" | "labelSelector" | "waitKind";

const MEASUREMENT_PARAMS: Record<
  MeasurementName,
  { params: Record<string, ParamType>; required?: string[] }
> = {
  PodStartupLatency: { params: { labelSelector: "labelSelector", thresholdMs: "number" } },
  APIResponsiveness: { params: { allowedSlowCalls: "number" } },
  SchedulingThroughput: {
    params: { labelSelector: "labelSelector", minPodsPerSecond: "number" },
  },
  SchedulerLatency: { params: {} },
  EtcdMetrics: { params: {} },
  ResourceUsageSummary: { params: {} },
  WaitForControlledPodsRunning: {
    params: { kind: "waitKind", labelSelector: "labelSelector", timeout: "duration" },
    required: ["kind", "timeout"],
  },
};

const PROVIDED_NAMES = ["NODES", "namespaceCount"];
const TEMPLATE_NAMES = ["Name", "Namespace", "Index"];
const DNS_NAME = { regex: DNS_LABEL, meaning: "lowercase letters, digits and '-'" };

/**
 * Reads, resolves and checks an experiment file and every template it uses. Throws ExperimentError
 * listing every problem found.
 */
export async function loadExperiment(
  file: string,
  overrides: Readonly<Record<string, string>>,
  provided: { NODES: number },
): Promise<Experiment> {
  const absolute = path.resolve(file);
  const raw = await readYaml(absolute, file);
  const loader = new ExperimentLoader(absolute, provided);
  const experiment = await loader.load(raw, overrides);
  if (loader.reader.problems.length > 0 || !experiment)
    throw new ExperimentError(file, loader.reader.problems);
  return experiment;
}

async function readYaml(absolute: string, file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch (error) {
    throw new ExperimentError(file, [{ path: "", message: `cannot read: ${(error as Error).message}` }]);
  }
  const document = parseDocument(text);
  if (document.errors.length > 0)
    throw new ExperimentError(
      file,
      document.errors.map((e) => ({ path: "", message: `YAML: ${e.message.split("\n")[0]}` })),
    );
  return document.toJS();
}

/** One load: the reader with its growing scope, the template cache and what earlier phases set. */
class ExperimentLoader {
  readonly reader: FieldReader;
  private readonly templateTexts = new Map<string, Promise<string | Error>>();
  /** The params each object (basename + template) last had, for merging in later phases. */
  private readonly objectParams = new Map<string, Scope>();

  constructor(
    private readonly file: string,
    provided: { NODES: number },
  ) {
    this.reader = new FieldReader({ NODES: provided.NODES });
  }

  async load(raw: unknown, overrides: Readonly<Record<string, string>>): Promise<Experiment | undefined> {
    const r = this.reader;
    const top = r.mapping(
      raw,
      "",
      ["name", "namespaces", "steps"],
      ["description", "parameters", "tuningSets"],
    );
    if (!top) return undefined;
    const name = r.string(top.name, "name", DNS_NAME);
    const description = top.description === undefined ? "" : r.string(top.description, "description");
    this.resolveParameters(top.parameters, overrides);
    const namespaces = this.readNamespaces(top.namespaces, name);
    if (namespaces) r.scope = { ...r.scope, namespaceCount: namespaces.count };
    else r.brokenParameters.add("namespaceCount");
    const tuningSets = this.readTuningSets(top.tuningSets);
    const steps = await this.readSteps(top.steps, tuningSets, namespaces);
    if (r.problems.length > 0) return undefined;
    return {
      file: this.file,
      name: name!,
      description: description!,
      parameters: r.scope,
      namespaces: namespaces!,
      tuningSets,
      steps,
    };
  }

  private resolveParameters(raw: unknown, overrides: Readonly<Record<string, string>>): void {
    const r = this.reader;
    if (raw !== undefined && !isMapping(raw)) {
      r.report("parameters", "must be a mapping of name: default value");
      return;
    }
    const defaults = raw ?? {};
    for (const key of Object.keys(overrides)) {
      if (!Object.hasOwn(defaults, key))
        r.report(
          `--set ${key}`,
          `no such parameter (defined: ${Object.keys(defaults).join(", ") || "none"})`,
        );
    }
    for (const [key, defaultValue] of Object.entries(defaults)) {
      const where = at("parameters", key);
      if (!IDENTIFIER.test(key)) {
        r.report(where, "a parameter name is letters, digits and _, not starting with a digit");
        continue;
      }
      if (PROVIDED_NAMES.includes(key) || TEMPLATE_NAMES.includes(key)) {
        r.report(where, "is a reserved name");
        continue;
      }
      const override = overrides[key];
      const value =
        override === undefined
          ? r.value(defaultValue, where)
          : r.value(parseOverride(override), `--set ${key}`);
      if (value === undefined) r.brokenParameters.add(key);
      else r.scope = { ...r.scope, [key]: value };
    }
  }

  private readNamespaces(
    raw: unknown,
    experimentName: string | undefined,
  ): Experiment["namespaces"] | undefined {
    const r = this.reader;
    const section = r.mapping(raw, "namespaces", ["count"], ["prefix"]);
    if (!section) return undefined;
    const prefix =
      section.prefix === undefined ? experimentName : r.string(section.prefix, "namespaces.prefix", DNS_NAME);
    const count = r.number(section.count, "namespaces.count", { integer: true, min: 1 });
    return prefix === undefined || count === undefined ? undefined : { prefix, count };
  }

  private readTuningSets(raw: unknown): TuningSet[] {
    const r = this.reader;
    const list = raw === undefined ? [] : (r.list(raw, "tuningSets") ?? []);
    const sets: TuningSet[] = [];
    list.forEach((item, i) => {
      const where = at("tuningSets", i);
      const entry = r.mapping(item, where, ["name"], ["qps", "parallelism", "poisson"]);
      if (!entry) return;
      const name = r.string(entry.name, at(where, "name"));
      const kinds = ["qps", "parallelism", "poisson"].filter((k) => entry[k] !== undefined);
      if (kinds.length !== 1) {
        r.report(
          where,
          `needs exactly one of qps, parallelism, poisson (found ${kinds.join(", ") || "none"})`,
        );
        return;
      }
      if (name !== undefined && sets.some((s) => s.name === name))
        r.report(at(where, "name"), `"${name}" is defined twice`);
      const set = this.readTuning(entry, where, name);
      if (set) sets.push(set);
    });
    return sets;
  }

  private readTuning(
    entry: Record<string, unknown>,
    where: string,
    name: string | undefined,
  ): TuningSet | undefined {
    const r = this.reader;
    if (entry.qps !== undefined) {
      const qps = r.number(entry.qps, at(where, "qps"), { above: 0 });
      return name === undefined || qps === undefined ? undefined : { name, type: "qps", qps };
    }
    if (entry.parallelism !== undefined) {
      const parallelism = r.number(entry.parallelism, at(where, "parallelism"), { integer: true, min: 1 });
      return name === undefined || parallelism === undefined
        ? undefined
        : { name, type: "parallelism", parallelism };
    }
    const poisson = r.mapping(entry.poisson, at(where, "poisson"), ["rate"]);
    const rate = poisson && r.number(poisson.rate, at(where, "poisson.rate"), { above: 0 });
    return name === undefined || rate === undefined ? undefined : { name, type: "poisson", rate };
  }

  private async readSteps(
    raw: unknown,
    tuningSets: TuningSet[],
    namespaces: Experiment["namespaces"] | undefined,
  ): Promise<Step[]> {
    const r = this.reader;
    const steps: Step[] = [];
    const measurements = new MeasurementTracker(r);
    for (const [i, item] of (r.list(raw, "steps") ?? []).entries()) {
      const where = at("steps", i);
      const entry = r.mapping(item, where, ["name"], ["measurements", "phases", "wait"]);
      if (!entry) continue;
      const name = r.string(entry.name, at(where, "name")) ?? "";
      const bodies = ["measurements", "phases", "wait"].filter((k) => entry[k] !== undefined);
      if (bodies.length !== 1) {
        r.report(
          where,
          `needs exactly one of measurements, phases, wait (found ${bodies.join(", ") || "none"})`,
        );
        continue;
      }
      if (entry.measurements !== undefined) {
        const actions = this.readMeasurements(entry.measurements, at(where, "measurements"), measurements);
        steps.push({ type: "measurements", name, measurements: actions });
      } else if (entry.phases !== undefined) {
        const phases = await this.readPhases(entry.phases, at(where, "phases"), tuningSets, namespaces);
        steps.push({ type: "phases", name, phases });
      } else {
        const wait = this.readWait(entry.wait, at(where, "wait"));
        if (wait) steps.push({ type: "wait", name, wait });
      }
    }
    measurements.reportUngathered();
    return steps;
  }

  private readMeasurements(raw: unknown, where: string, tracker: MeasurementTracker): MeasurementAction[] {
    const r = this.reader;
    const actions: MeasurementAction[] = [];
    (r.list(raw, where) ?? []).forEach((item, i) => {
      const itemPath = at(where, i);
      const entry = r.mapping(item, itemPath, ["name", "action"], ["identifier", "params"]);
      if (!entry) return;
      const name = r.oneOf(entry.name, at(itemPath, "name"), MEASUREMENT_NAMES);
      const action = r.oneOf(entry.action, at(itemPath, "action"), ["start", "gather"] as const);
      const identifier =
        entry.identifier === undefined ? name : r.string(entry.identifier, at(itemPath, "identifier"));
      if (name === undefined || action === undefined || identifier === undefined) return;
      tracker.record(name, identifier, action, itemPath);
      if (action === "gather" && entry.params !== undefined) {
        r.report(at(itemPath, "params"), "params are given with action start");
        return;
      }
      const params =
        action === "start" ? this.readMeasurementParams(name, entry.params, at(itemPath, "params")) : {};
      if (params) actions.push({ name, identifier, action, params });
    });
    return actions;
  }

  private readMeasurementParams(
    name: MeasurementName,
    raw: unknown,
    where: string,
  ): Record<string, Value> | undefined {
    const r = this.reader;
    const spec = MEASUREMENT_PARAMS[name];
    const entries = r.mapping(raw ?? {}, where, spec.required ?? [], Object.keys(spec.params));
    if (!entries) return undefined;
    const params: Record<string, Value> = {};
    for (const [key, value] of Object.entries(entries)) {
      const type = spec.params[key];
      if (type === undefined) continue;
      const checked = this.readTyped(type, value, at(where, key));
      if (checked !== undefined) params[key] = checked;
    }
    return params;
  }

  private readTyped(type: ParamType, raw: unknown, where: string): Value | undefined {
    const r = this.reader;
    switch (type) {
      case "string":
        return r.string(raw, where);
      case "number":
        return r.number(raw, where, { min: 0 });
      case "duration":
        return r.duration(raw, where);
      case "labelSelector":
        return r.labelSelector(raw, where);
      case "waitKind":
        return r.oneOf(raw, where, WAIT_KINDS);
    }
  }

  private readWait(raw: unknown, where: string): WaitSpec | undefined {
    const r = this.reader;
    const entry = r.mapping(raw, where, ["for", "kind", "timeout"], ["labelSelector"]);
    if (!entry) return undefined;
    const waitFor = r.oneOf(entry.for, at(where, "for"), ["ControlledPodsRunning"] as const);
    const kind = r.oneOf(entry.kind, at(where, "kind"), WAIT_KINDS);
    const labelSelector =
      entry.labelSelector === undefined
        ? ""
        : r.labelSelector(entry.labelSelector, at(where, "labelSelector"));
    const timeoutMs = r.duration(entry.timeout, at(where, "timeout"));
    if (waitFor === undefined || kind === undefined || labelSelector === undefined || timeoutMs === undefined)
      return undefined;
    return { for: waitFor, kind, labelSelector, timeoutMs };
  }

  private async readPhases(
    raw: unknown,
    where: string,
    tuningSets: TuningSet[],
    namespaces: Experiment["namespaces"] | undefined,
  ): Promise<Phase[]> {
    const r = this.reader;
    const phases: Phase[] = [];
    const objectsInStep = new Map<string, string>();
    for (const [i, item] of (r.list(raw, where) ?? []).entries()) {
      const phasePath = at(where, i);
      const entry = r.mapping(
        item,
        phasePath,
        ["replicasPerNamespace", "tuningSet", "objects"],
        ["namespaces"],
      );
      if (!entry) continue;
      const range = this.readRange(entry.namespaces, at(phasePath, "namespaces"), namespaces);
      const replicasPerNamespace = r.number(
        entry.replicasPerNamespace,
        at(phasePath, "replicasPerNamespace"),
        {
          integer: true,
          min: 0,
        },
      );
      const tuningSet = this.findTuningSet(entry.tuningSet, at(phasePath, "tuningSet"), tuningSets);
      const objects: PhaseObject[] = [];
      for (const [j, objectRaw] of (r.list(entry.objects, at(phasePath, "objects")) ?? []).entries()) {
        const objectPath = at(at(phasePath, "objects"), j);
        const object = await this.readObject(objectRaw, objectPath, namespaces?.prefix ?? "ns", range);
        if (!object) continue;
        const identity = `${object.basename} ${object.templatePath}`;
        const earlier = objectsInStep.get(identity);
        if (earlier !== undefined)
          r.report(objectPath, `the same object as ${earlier}; the phases of a step run at once`);
        objectsInStep.set(identity, objectPath);
        objects.push(object);
      }
      if (range && replicasPerNamespace !== undefined && tuningSet)
        phases.push({ namespaces: range, replicasPerNamespace, tuningSet, objects });
    }
    return phases;
  }

  private readRange(
    raw: unknown,
    where: string,
    namespaces: Experiment["namespaces"] | undefined,
  ): Phase["namespaces"] | undefined {
    const r = this.reader;
    if (!namespaces) return undefined;
    if (raw === undefined) return { from: 1, to: namespaces.count };
    const entry = r.mapping(raw, where, ["from", "to"]);
    if (!entry) return undefined;
    const from = r.number(entry.from, at(where, "from"), { integer: true, min: 1 });
    const to = r.number(entry.to, at(where, "to"), { integer: true, min: 1 });
    if (from === undefined || to === undefined) return undefined;
    if (from > to || to > namespaces.count)
      return r.report(
        where,
        `needs 1 <= from <= to <= namespaceCount (${namespaces.count}), got from ${from} to ${to}`,
      );
    return { from, to };
  }

  private findTuningSet(raw: unknown, where: string, tuningSets: TuningSet[]): TuningSet | undefined {
    const name = this.reader.string(raw, where);
    if (name === undefined) return undefined;
    const found = tuningSets.find((s) => s.name === name);
    if (found) return found;
    const defined = tuningSets.map((s) => s.name).join(", ") || "none";
    return this.reader.report(where, `unknown tuning set "${name}"; defined: ${defined}`);
  }

  private async readObject(
    raw: unknown,
    where: string,
    namespacePrefix: string,
    range: Phase["namespaces"] | undefined,
  ): Promise<PhaseObject | undefined> {
    const r = this.reader;
    const entry = r.mapping(raw, where, ["basename", "template"], ["params"]);
    if (!entry) return undefined;
    const basename = r.string(entry.basename, at(where, "basename"), DNS_NAME);
    const templateRef = r.string(entry.template, at(where, "template"));
    const params = entry.params === undefined ? {} : this.readObjectParams(entry.params, at(where, "params"));
    if (basename === undefined || templateRef === undefined || params === undefined) return undefined;
    const templatePath = path.resolve(path.dirname(this.file), templateRef);
    const template = await this.readTemplate(templatePath);
    if (template instanceof Error)
      return r.report(at(where, "template"), `cannot read "${templateRef}": ${template.message}`);
    const identity = `${basename} ${templatePath}`;
    const merged = { ...this.objectParams.get(identity), ...params };
    this.objectParams.set(identity, merged);
    const namespace = `${namespacePrefix}-${range?.from ?? 1}`;
    const kind = this.checkTemplate(template, merged, { basename, namespace, range });
    if (typeof kind === "string") return r.report(at(where, "template"), `${templateRef}: ${kind}`);
    return { basename, templatePath, template, kind, params: merged };
  }

  private readObjectParams(raw: unknown, where: string): Scope | undefined {
    const r = this.reader;
    if (!isMapping(raw)) return r.report(where, "must be a mapping");
    const problemsBefore = r.problems.length;
    const params: Record<string, Value> = {};
    for (const [key, value] of Object.entries(raw)) {
      const keyPath = at(where, key);
      if (!IDENTIFIER.test(key) || TEMPLATE_NAMES.includes(key)) {
        r.report(keyPath, `must be a name of letters, digits and _ other than ${TEMPLATE_NAMES.join(", ")}`);
        continue;
      }
      const checked = r.value(value, keyPath);
      if (checked !== undefined) params[key] = checked;
    }
    return r.problems.length === problemsBefore ? params : undefined;
  }

  private readTemplate(file: string): Promise<string | Error> {
    let text = this.templateTexts.get(file);
    if (!text) {
      text = readFile(file, "utf8").catch((error: NodeJS.ErrnoException) =>
        error.code === "ENOENT" ? new Error("no such file") : error,
      );
      this.templateTexts.set(file, text);
    }
    return text;
  }

  /** Renders the template as for the first object of the phase: its kind, or what is wrong. */
  private checkTemplate(
    template: string,
    params: Scope,
    sample: { basename: string; namespace: string; range: Phase["namespaces"] | undefined },
  ): ObjectKind | string {
    const name = `${sample.basename}-0`;
    try {
      const object = renderTemplate(template, {
        ...params,
        Name: name,
        Namespace: sample.namespace,
        Index: 0,
      });
      const kind = objectKindOf(object);
      if (object.metadata.name !== name)
        return `metadata.name must be \${Name}, got "${object.metadata.name}"`;
      const namespace = object.metadata.namespace;
      if (kind.namespaced && namespace !== undefined && namespace !== sample.namespace)
        return `metadata.namespace must be \${Namespace} or absent, got "${namespace}"`;
      if (!kind.namespaced && namespace !== undefined) return `a ${kind.kind} has no metadata.namespace`;
      if (!kind.namespaced && sample.range && sample.range.from !== sample.range.to)
        return `a ${kind.kind} is cluster-scoped: its phase must cover one namespace, or names would collide`;
      return kind;
    } catch (error) {
      if (error instanceof TemplateError) return error.message;
      throw error;
    }
  }
}

/** Checks that every gather follows a start of the same identifier, and that every start is gathered. */
class MeasurementTracker {
  private readonly started = new Map<string, { name: MeasurementName; path: string }>();

  constructor(private readonly reader: FieldReader) {}

  record(name: MeasurementName, identifier: string, action: "start" | "gather", where: string): void {
    const running = this.started.get(identifier);
    if (action === "start") {
      if (running) this.reader.report(where, `"${identifier}" is already started at ${running.path}`);
      else this.started.set(identifier, { name, path: where });
      return;
    }
    if (!running) this.reader.report(where, `"${identifier}" is gathered but not started before`);
    else if (running.name !== name)
      this.reader.report(where, `"${identifier}" was started as ${running.name}`);
    this.started.delete(identifier);
  }

  reportUngathered(): void {
    for (const [identifier, { path }] of this.started)
      this.reader.report(path, `"${identifier}" is started but never gathered`);
  }
}

/** `--set` values: numeric text becomes a number, anything else (an expression too) stays text. */
function parseOverride(text: string): Value {
  return /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : text;
}
