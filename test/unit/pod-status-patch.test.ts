import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { statusPatch } from "../../src/hollow/kubelet/pod-driver.js";

describe("pod status patch", () => {
  it("nulls fields that went away and keeps conditions other writers own", () => {
    const patch = statusPatch(
      {
        phase: "Pending",
        message: "old",
        conditions: [
          {
            type: "Ready",
            status: "False",
            reason: "ContainersNotReady",
            message: "containers with unready status: [app]",
          },
          { type: "example.com/gate", status: "True" },
        ],
      },
      { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
    );
    assert.deepEqual(patch, {
      phase: "Running",
      message: null,
      conditions: [
        { type: "Ready", status: "True" },
        { type: "example.com/gate", status: "True" },
      ],
    });
  });
});
