import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseFlags, UsageError, type FlagSpec } from "../../src/cli/flags.js";
import { parseKeyValues, parseTaints } from "../../src/cli/parse-lists.js";

const specs: FlagSpec[] = [
  { name: "name", type: "string", help: "", default: "kubemark" },
  { name: "nodes", type: "int", help: "", default: 0 },
  { name: "delete-namespace", type: "bool", help: "", default: true },
  { name: "set", type: "list", help: "" },
  { name: "output", short: "o", type: "string", help: "", choices: ["text", "json"], default: "text" },
];

describe("kubectl-style flags", () => {
  it("takes --flag=value, --flag value, -o json, --bool=false and repeated lists", () => {
    const { flags, positional } = parseFlags(
      [
        "density",
        "--name=a",
        "--nodes",
        "5",
        "-o",
        "json",
        "--delete-namespace=false",
        "--set",
        "x=1",
        "--set=y=2",
      ],
      specs,
    );
    assert.deepEqual(positional, ["density"]);
    assert.deepEqual(flags, {
      name: "a",
      nodes: 5,
      output: "json",
      "delete-namespace": false,
      set: ["x=1", "y=2"],
    });
  });

  it("fills defaults", () => {
    assert.deepEqual(parseFlags([], specs).flags, {
      name: "kubemark",
      nodes: 0,
      output: "text",
      "delete-namespace": true,
      set: [],
    });
  });

  it("names what is wrong", () => {
    assert.throws(
      () => parseFlags(["--bogus"], specs),
      (e: UsageError) => e.message === "unknown flag: --bogus",
    );
    assert.throws(
      () => parseFlags(["--nodes", "x"], specs),
      /invalid value "x" for --nodes: want an integer/,
    );
    assert.throws(() => parseFlags(["-o", "yaml"], specs), /want one of text, json/);
    assert.throws(() => parseFlags(["--name"], specs), /flag needs an argument: --name/);
  });

  it("parses kubelet map and taint flags", () => {
    assert.deepEqual(parseKeyValues("node-labels", "zone=a, tier=gold"), { zone: "a", tier: "gold" });
    assert.throws(() => parseKeyValues("node-labels", "zone"), /invalid --node-labels entry "zone"/);
    assert.deepEqual(parseTaints("dedicated=infra:NoSchedule,spot:PreferNoSchedule"), [
      { key: "dedicated", value: "infra", effect: "NoSchedule" },
      { key: "spot", effect: "PreferNoSchedule" },
    ]);
    assert.throws(() => parseTaints("a=b:Sometimes"), /invalid --register-with-taints entry/);
  });
});
