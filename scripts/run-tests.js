#!/usr/bin/env node
// Runs the compiled tests with node's test runner, one file at a time: the end-to-end files each start a
// real master, and two at once would fight over this machine's two cores.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";

const root = "dist/test";
const only = process.argv.slice(2);
const files = [];
for (const dir of ["unit", "e2e"]) {
  const full = path.join(root, dir);
  for (const f of readdirSync(full).sort()) {
    if (f.endsWith(".test.js") && (only.length === 0 || only.some((o) => path.join(dir, f).includes(o))))
      files.push(path.join(full, f));
  }
}
if (files.length === 0) {
  console.error(`no test files matched ${only.join(" ")}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ["--test", "--test-concurrency=1", ...files], {
  stdio: "inherit",
});
process.exit(result.status ?? 1);
