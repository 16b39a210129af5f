import type { KubeClient } from "../client/kube-client.js";
import type { ClusterDescription } from "../master/cluster-state.js";
import type { Measurement, MeasurementContext, TimeSeries, Verdict } from "../measurements/measurement.js";
import { MEASUREMENTS } from "../measurements/registry.js";
import { writePerfData, type PerfData } from "../reports/perfdata.js";
import { createNamespaces, deleteNamespaces, experimentNamespaces } from "./namespaces.js";
import { runPhase, type AppliedParams } from "./object-phases.js";
import type { Experiment, MeasurementAction, PhaseStep, WaitStep } from "./schema.js";
import { waitForControlledPods } from "./waits.js";

const NAMESPACE_DELETION_TIMEOUT_MS = 10 * 60_000;

export interface RunOptions {
  experiment: Experiment;
  client: KubeClient;
  local?: ClusterDescription;
  reportDir: string;
  deleteNamespaces: boolean;
  signal: AbortSignal;
  log: (line: string) => void;
}

export interface TimedVerdict extends Verdict {
  timeSeconds: number;
}

export interface WrittenPerfData {
  summary: string;
  identifier: string;
  file: string;
  data: PerfData;
}

export interface RunReport {
  startedAt: Date;
  endedAt: Date;
  verdicts: TimedVerdict[];
  perfData: WrittenPerfData[];
  timeSeries: Record<string, TimeSeries[]>;
  /** What stopped the run early, if anything did. */
  error?: string;
  interrupted: boolean;
}

interface Started {
  measurement: Measurement;
  startedAt: number;
}

/**
 * Runs an experiment's steps in order against the cluster. PerfData is written as each measurement is
 * gathered; after an error or an abort the steps stop, but every measurement started is still gathered and
 * the namespaces cleaned up, so nothing measured is lost.
 */
export async function runExperiment(options: RunOptions): Promise<RunReport> {
  return new ExperimentRun(options).run();
}

class ExperimentRun {
  private readonly startedAt = new Date();
  private readonly namespaces: string[];
  private readonly context: MeasurementContext;
  private readonly started = new Map<string, Started>();
  private readonly applied: AppliedParams = new Map();
  private readonly report: RunReport;

  constructor(private readonly options: RunOptions) {
    this.namespaces = experimentNamespaces(options.experiment);
    this.context = {
      client: options.client,
      namespaces: new Set(this.namespaces),
      ...(options.local ? { local: options.local } : {}),
      signal: options.signal,
    };
    this.report = {
      startedAt: this.startedAt,
      endedAt: this.startedAt,
      verdicts: [],
      perfData: [],
      timeSeries: {},
      interrupted: false,
    };
  }

  async run(): Promise<RunReport> {
    const { experiment, signal } = this.options;
    try {
      this.log(`creating ${this.namespaces.length} namespaces: ${this.namespaces.join(", ")}`);
      await createNamespaces(this.options.client, experiment);
      for (const step of experiment.steps) {
        if (signal.aborted) break;
        this.log(`step "${step.name}"`);
        if (step.type === "measurements") for (const action of step.measurements) await this.measure(action);
        else if (step.type === "phases") await this.runPhases(step);
        else await this.wait(step);
        if (this.report.verdicts.some((v) => !v.pass && v.name === step.name)) break;
      }
    } catch (error) {
      this.report.error = (error as Error).message;
      this.log(`error: ${this.report.error}`);
    }
    this.report.interrupted = signal.aborted;
    for (const identifier of [...this.started.keys()]) await this.gather(identifier);
    await this.cleanUp();
    this.report.endedAt = new Date();
    return this.report;
  }

  private async measure(action: MeasurementAction): Promise<void> {
    if (action.action === "gather") return this.gather(action.identifier);
    const measurement = MEASUREMENTS[action.name](action.identifier, action.params, this.context);
    await measurement.start();
    this.started.set(action.identifier, { measurement, startedAt: Date.now() });
    this.log(`${action.identifier}: started`);
  }

  private async gather(identifier: string): Promise<void> {
    const entry = this.started.get(identifier);
    if (!entry) return;
    this.started.delete(identifier);
    const timeSeconds = (Date.now() - entry.startedAt) / 1000;
    try {
      const result = await entry.measurement.gather();
      for (const { summary, data } of result.perfData) {
        const { reportDir, experiment } = this.options;
        const file = await writePerfData(
          reportDir,
          summary,
          identifier,
          experiment.name,
          this.startedAt,
          data,
        );
        this.report.perfData.push({ summary, identifier, file, data });
      }
      if (result.timeSeries) this.report.timeSeries[identifier] = result.timeSeries;
      this.addVerdict({ ...result.verdict, timeSeconds });
    } catch (error) {
      this.addVerdict({
        name: identifier,
        pass: false,
        message: `gather failed: ${(error as Error).message}`,
        timeSeconds,
      });
    }
  }

  private async runPhases(step: PhaseStep): Promise<void> {
    const counts = await Promise.all(
      step.phases.map((phase) =>
        runPhase(phase, {
          client: this.options.client,
          namespaces: this.namespaces,
          applied: this.applied,
          signal: this.options.signal,
          progress: (line) => this.log(`${step.name}: ${line}`),
        }),
      ),
    );
    const total = (key: "created" | "updated" | "deleted"): number =>
      counts.reduce((sum, c) => sum + c[key], 0);
    this.log(
      `${step.name}: ${total("created")} created, ${total("updated")} updated, ${total("deleted")} deleted`,
    );
  }

  private async wait(step: WaitStep): Promise<void> {
    const started = Date.now();
    const outcome = await waitForControlledPods(step.wait, {
      ...this.context,
      progress: (line) => this.log(`${step.name}: ${line}`),
    });
    this.addVerdict({ name: step.name, ...outcome, timeSeconds: (Date.now() - started) / 1000 });
  }

  private addVerdict(verdict: TimedVerdict): void {
    this.report.verdicts.push(verdict);
    this.log(`${verdict.name}: ${verdict.pass ? "PASS" : "FAIL"}: ${verdict.message}`);
  }

  private async cleanUp(): Promise<void> {
    if (!this.options.deleteNamespaces) {
      this.log("Found DeleteNamespace=false, skipping namespace deletion!");
      return;
    }
    try {
      this.log(`deleting namespaces ${this.namespaces.join(", ")}`);
      const { left } = await deleteNamespaces(
        this.options.client,
        this.namespaces,
        NAMESPACE_DELETION_TIMEOUT_MS,
      );
      if (left.length > 0) this.log(`namespaces still terminating: ${left.join(", ")}`);
    } catch (error) {
      this.report.error ??= `namespace deletion: ${(error as Error).message}`;
    }
  }

  private log(line: string): void {
    const elapsedS = ((Date.now() - this.startedAt.getTime()) / 1000).toFixed(0);
    this.options.log(`[${elapsedS.padStart(4)} s] ${line}`);
  }
}
