import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { sampleProcess } from "../../src/master/proc-stats.js";

/** A child that spins for `seconds` in one of two ways: pure arithmetic, or one system call after another. */
function spinChild(kind: "user" | "system", seconds: number) {
  const work =
    kind === "user"
      ? "let x = 0; for (;;) { for (let i = 0; i < 1e6; i++) x += i; if (Date.now() > end) break; }"
      : // Each read has the kernel fill a mebibyte, so the kernel's copy outweighs the call's own cost.
        "const fs = require('fs'); const fd = fs.openSync('/dev/zero', 'r'); const b = Buffer.alloc(1 << 20);" +
        " while (Date.now() < end) fs.readSync(fd, b, 0, b.length, null);";
  return spawn(process.execPath, ["-e", `const end = Date.now() + ${seconds * 1000}; ${work}`], {
    stdio: "ignore",
  });
}

async function spinAndSample(kind: "user" | "system") {
  const child = spinChild(kind, 1.5);
  // The last sample /proc gives before the child exits covers (nearly) all of its spin. Polled every
  // 20 ms, so that this process does not compete with the child for the cores.
  const exited = once(child, "exit");
  let last = await sampleProcess(child.pid!);
  for (;;) {
    await delay(20);
    const next = await Promise.race([sampleProcess(child.pid!).catch(() => undefined), exited]);
    if (!next || Array.isArray(next)) break;
    last = next;
  }
  await exited;
  return last;
}

describe("process CPU from /proc", () => {
  it("tells the kernel's CPU apart from the process's own", async () => {
    const user = await spinAndSample("user");
    const system = await spinAndSample("system");
    assert.ok(user.cpuSeconds > 0.3, `the arithmetic child used ${user.cpuSeconds} s`);
    assert.ok(system.cpuSeconds > 0.3, `the system-call child used ${system.cpuSeconds} s`);
    assert.ok(user.systemCpuSeconds < user.cpuSeconds / 4, `arithmetic: ${JSON.stringify(user)}`);
    assert.ok(system.systemCpuSeconds > system.cpuSeconds / 2, `system calls: ${JSON.stringify(system)}`);
    assert.ok(system.systemCpuSeconds <= system.cpuSeconds);
  });
});
