/**
 * The pod lifecycle as data, after KWOK's stages. The machine knows a fixed set of states and what
 * entering each one does to the pod; the stage table decides which state follows which, under what
 * conditions and after how long. For the state a pod is in, the first stage whose `from` and `when`
 * match is scheduled; a state with no matching stage stays as it is.
 */

/** States the stage table can move a pod between. */
export const STAGE_STATES = [
  /** Accepted by admission; containers waiting (ContainerCreating / PodInitializing). */
  "Admitted",
  /** Sandbox and network are up: the pod has its IP, PodReadyToStartContainers is True. */
  "SandboxReady",
  /** The first unfinished init container was (re)started. */
  "InitContainerRunning",
  /** The running (non-sidecar) init container exited. */
  "InitContainerExited",
  /** Every regular container that should be running was (re)started. */
  "ContainersRunning",
  /** The containers whose run ends on its own exited; failed ones may be waiting in back-off. */
  "ContainersExited",
  /** Deletion was requested; containers are being stopped. */
  "Stopping",
  /** All containers stopped; the pod is in a terminal phase. */
  "Stopped",
  /** The pod object is deleted from the API server. */
  "Deleted",
] as const;

export type StageState = (typeof STAGE_STATES)[number];

const FROM_STATES: ReadonlySet<string> = new Set(STAGE_STATES.filter((state) => state !== "Deleted"));
const TO_STATES: ReadonlySet<string> = new Set(STAGE_STATES.filter((state) => state !== "Admitted"));

export type RestartPolicy = "Always" | "OnFailure" | "Never";

/** Facts about the pod, checked when the stage is picked. Every fact given must hold. */
export interface StageSelector {
  /** spec.restartPolicy (default Always) is one of these. */
  restartPolicy?: RestartPolicy[];
  hostNetwork?: boolean;
  /** A run-to-completion (non-sidecar) init container is running. */
  initContainerRunning?: boolean;
  /** Some init container has still to complete (or, for a sidecar, to start). */
  initContainersPending?: boolean;
  /** A container that is not running last exited with a non-zero code. */
  failed?: boolean;
  /** A container that is not running will be restarted under the pod's restart policy. */
  restarting?: boolean;
  /** The running containers end on their own: restartPolicy is not Always, or kubemark.io/fail names one of them. */
  runEnds?: boolean;
}

const BOOLEAN_FACTS = [
  "hostNetwork",
  "initContainerRunning",
  "initContainersPending",
  "failed",
  "restarting",
  "runEnds",
] as const satisfies readonly (keyof StageSelector)[];

export type StageFacts = Required<Omit<StageSelector, "restartPolicy">> & { restartPolicy: RestartPolicy };

/** Pod-specific durations a delay can name instead of sampling one. */
export type NamedDelay = "runTime" | "backOff" | "gracePeriod";

export type Delay =
  /** fixedMs plus up to jitterMs more, uniformly. */
  | { fixedMs: number; jitterMs?: number }
  | { distribution: "uniform"; minMs: number; maxMs: number }
  | { distribution: "lognormal"; medianMs: number; sigma: number; maxMs?: number }
  | { distribution: "exponential"; meanMs: number; maxMs?: number }
  /**
   * runTime: the pod's kubemark.io/run-time or the configured default;
   * backOff: the crash-loop back-off of the containers about to restart;
   * gracePeriod: min(deletion grace period, configured stop time).
   */
  | { use: NamedDelay };

export interface Stage {
  name: string;
  from: StageState;
  when?: StageSelector;
  delay: Delay;
  to: StageState;
}

/** The named durations for one pod at the moment a stage is picked. */
export type NamedDurations = Record<NamedDelay, number>;

/** A delay in whole milliseconds. `rand` returns numbers in [0, 1). */
export function sampleDelay(delay: Delay, rand: () => number, named: NamedDurations): number {
  let ms: number;
  if ("use" in delay) ms = named[delay.use];
  else if ("fixedMs" in delay) ms = delay.fixedMs + rand() * (delay.jitterMs ?? 0);
  else if (delay.distribution === "uniform") ms = delay.minMs + rand() * (delay.maxMs - delay.minMs);
  else if (delay.distribution === "exponential")
    ms = Math.min(-delay.meanMs * Math.log(1 - rand()), delay.maxMs ?? Infinity);
  else ms = Math.min(delay.medianMs * Math.exp(delay.sigma * standardNormal(rand)), delay.maxMs ?? Infinity);
  return Math.max(0, Math.round(ms));
}

/** Box-Muller transform over two draws of `rand`. */
function standardNormal(rand: () => number): number {
  const u1 = 1 - rand();
  const u2 = rand();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export function stageMatches(stage: Stage, state: StageState, facts: StageFacts): boolean {
  if (stage.from !== state) return false;
  const when = stage.when ?? {};
  if (when.restartPolicy && !when.restartPolicy.includes(facts.restartPolicy)) return false;
  for (const key of BOOLEAN_FACTS) {
    const wanted = when[key];
    if (wanted !== undefined && wanted !== facts[key]) return false;
  }
  return true;
}

const cachedImageStart: Delay = { distribution: "lognormal", medianMs: 250, sigma: 0.3 };
const nextInitContainer: Delay = { distribution: "uniform", minMs: 50, maxMs: 100 };

/**
 * A kubelet on a healthy node with images already pulled: the pod is Running about 0.5-1.5 s after
 * it is bound (sandbox and CNI, then container start), each init container takes 150-300 ms, and
 * Job-style pods run for their run time.
 */
export const DEFAULT_STAGES: readonly Stage[] = [
  {
    name: "create-host-network-sandbox",
    from: "Admitted",
    when: { hostNetwork: true },
    delay: { distribution: "lognormal", medianMs: 150, sigma: 0.3 },
    to: "SandboxReady",
  },
  {
    name: "create-sandbox",
    from: "Admitted",
    delay: { distribution: "lognormal", medianMs: 400, sigma: 0.3 },
    to: "SandboxReady",
  },
  {
    name: "start-first-init-container",
    from: "SandboxReady",
    when: { initContainersPending: true },
    delay: nextInitContainer,
    to: "InitContainerRunning",
  },
  { name: "start-containers", from: "SandboxReady", delay: cachedImageStart, to: "ContainersRunning" },
  {
    name: "run-init-container",
    from: "InitContainerRunning",
    when: { initContainerRunning: true },
    delay: { distribution: "uniform", minMs: 100, maxMs: 200 },
    to: "InitContainerExited",
  },
  {
    name: "start-init-container-after-sidecar",
    from: "InitContainerRunning",
    when: { initContainersPending: true },
    delay: nextInitContainer,
    to: "InitContainerRunning",
  },
  {
    name: "start-containers-after-sidecar",
    from: "InitContainerRunning",
    delay: cachedImageStart,
    to: "ContainersRunning",
  },
  {
    name: "restart-init-container",
    from: "InitContainerExited",
    when: { restarting: true },
    delay: { use: "backOff" },
    to: "InitContainerRunning",
  },
  {
    name: "start-next-init-container",
    from: "InitContainerExited",
    when: { failed: false, initContainersPending: true },
    delay: nextInitContainer,
    to: "InitContainerRunning",
  },
  {
    name: "start-containers-after-init",
    from: "InitContainerExited",
    when: { failed: false },
    delay: cachedImageStart,
    to: "ContainersRunning",
  },
  {
    name: "run",
    from: "ContainersRunning",
    when: { runEnds: true },
    delay: { use: "runTime" },
    to: "ContainersExited",
  },
  {
    name: "restart",
    from: "ContainersExited",
    when: { restarting: true },
    delay: { use: "backOff" },
    to: "ContainersRunning",
  },
  { name: "stop", from: "Stopping", delay: { use: "gracePeriod" }, to: "Stopped" },
  { name: "delete", from: "Stopped", delay: { fixedMs: 0 }, to: "Deleted" },
];

/** Checks a user-supplied table (parsed JSON or YAML) and returns it typed; throws naming the stage and field. */
export function validateStages(input: unknown): Stage[] {
  if (!Array.isArray(input) || input.length === 0)
    throw new Error("stage table must be a non-empty array of stages");
  const names = new Set<string>();
  return input.map((raw: unknown, index) => {
    const label =
      isRecord(raw) && typeof raw.name === "string" && raw.name
        ? `stage "${raw.name}"`
        : `stage #${index + 1}`;
    const fail = (field: string, problem: string, got?: unknown): never => {
      const shown = got === undefined ? "" : ` (got ${JSON.stringify(got)})`;
      throw new Error(`${label}: ${field} ${problem}${shown}`);
    };
    if (!isRecord(raw)) return fail("stage", "must be an object");
    if (typeof raw.name !== "string" || raw.name === "") fail("name", "must be a non-empty string", raw.name);
    const name = raw.name as string;
    if (names.has(name)) fail("name", "is used by an earlier stage");
    names.add(name);
    for (const key of Object.keys(raw)) {
      if (!["name", "from", "when", "delay", "to"].includes(key)) fail(key, "is not a stage field");
    }
    if (typeof raw.from !== "string" || !FROM_STATES.has(raw.from)) {
      fail("from", `must be one of ${[...FROM_STATES].join(", ")}`, raw.from);
    }
    if (typeof raw.to !== "string" || !TO_STATES.has(raw.to)) {
      fail("to", `must be one of ${[...TO_STATES].join(", ")}`, raw.to);
    }
    if (raw.when !== undefined) validateSelector(raw.when, fail);
    validateDelay(raw.delay, fail);
    return raw as unknown as Stage;
  });
}

type Fail = (field: string, problem: string, got?: unknown) => never;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function validateSelector(when: unknown, fail: Fail): void {
  if (!isRecord(when)) return fail("when", "must be an object", when);
  for (const [key, value] of Object.entries(when)) {
    if (key === "restartPolicy") {
      const valid = ["Always", "OnFailure", "Never"];
      if (!Array.isArray(value) || !value.every((policy) => valid.includes(policy))) {
        fail("when.restartPolicy", `must be a list of ${valid.join(", ")}`, value);
      }
    } else if ((BOOLEAN_FACTS as readonly string[]).includes(key)) {
      if (typeof value !== "boolean") fail(`when.${key}`, "must be true or false", value);
    } else {
      fail(`when.${key}`, `is not a known fact (restartPolicy, ${BOOLEAN_FACTS.join(", ")})`);
    }
  }
}

function validateDelay(delay: unknown, fail: Fail): void {
  if (!isRecord(delay)) return fail("delay", "must be an object", delay);
  const milliseconds = (field: string, options: { positive?: boolean; optional?: boolean } = {}): number => {
    const value = delay[field];
    if (value === undefined && options.optional) return 0;
    if (
      typeof value !== "number" ||
      !Number.isFinite(value) ||
      value < 0 ||
      (options.positive && value === 0)
    ) {
      fail(`delay.${field}`, options.positive ? "must be a positive number" : "must be a number >= 0", value);
    }
    return value as number;
  };
  const allowOnly = (...fields: string[]): void => {
    for (const key of Object.keys(delay))
      if (!fields.includes(key)) fail(`delay.${key}`, "is not allowed here");
  };
  if ("use" in delay) {
    allowOnly("use");
    if (!["runTime", "backOff", "gracePeriod"].includes(delay.use as string)) {
      fail("delay.use", "must be runTime, backOff or gracePeriod", delay.use);
    }
  } else if ("fixedMs" in delay) {
    allowOnly("fixedMs", "jitterMs");
    milliseconds("fixedMs");
    milliseconds("jitterMs", { optional: true });
  } else if (delay.distribution === "uniform") {
    allowOnly("distribution", "minMs", "maxMs");
    if (milliseconds("minMs") > milliseconds("maxMs"))
      fail("delay.maxMs", "must not be below delay.minMs", delay.maxMs);
  } else if (delay.distribution === "lognormal") {
    allowOnly("distribution", "medianMs", "sigma", "maxMs");
    milliseconds("medianMs", { positive: true });
    milliseconds("sigma");
    milliseconds("maxMs", { optional: true });
  } else if (delay.distribution === "exponential") {
    allowOnly("distribution", "meanMs", "maxMs");
    milliseconds("meanMs", { positive: true });
    milliseconds("maxMs", { optional: true });
  } else {
    fail("delay", 'needs fixedMs, use, or distribution "uniform", "lognormal" or "exponential"', delay);
  }
}
