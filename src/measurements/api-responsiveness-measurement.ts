import type { KubeClient } from "../client/kube-client.js";
import { apiResponsiveness } from "./api-responsiveness.js";
import type { Measurement, MeasurementResult } from "./measurement.js";

/** API call latencies between two scrapes of kube-apiserver /metrics; fails with more slow calls than allowed. */
export class ApiResponsivenessMeasurement implements Measurement {
  private startText = "";

  constructor(
    private readonly identifier: string,
    private readonly allowedSlowCalls: number,
    private readonly client: KubeClient,
  ) {}

  async start(): Promise<void> {
    this.startText = await this.client.getText("/metrics");
  }

  async gather(): Promise<MeasurementResult> {
    const { calls, perfData, verdict } = apiResponsiveness(
      this.startText,
      await this.client.getText("/metrics"),
    );
    const pass = verdict.violations.length <= this.allowedSlowCalls;
    const worst = verdict.violations
      .slice(0, 5)
      .map(
        (c) =>
          `${c.verb} ${c.resource}${c.subresource ? `/${c.subresource}` : ""} (${c.scope}) p99 ${c.perc99Ms} ms`,
      );
    return {
      perfData: [{ summary: "APIResponsiveness", data: perfData }],
      verdict: {
        name: this.identifier,
        pass,
        message:
          verdict.violations.length === 0
            ? `${calls.length} kinds of API call, every p99 within its SLO`
            : `${verdict.violations.length} kinds of API call over their SLO (${this.allowedSlowCalls} allowed): ${worst.join("; ")}`,
      },
    };
  }
}
