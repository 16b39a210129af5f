import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import https from "node:https";
import { after, before, describe, it } from "node:test";
import { ApiError, KubeClient } from "../../src/client/kube-client.js";
import { loadKubeconfig } from "../../src/client/kubeconfig.js";
import type { ClusterDescription } from "../../src/master/cluster-state.js";
import { issueNodeIdentities, readNodeIdentity } from "../../src/master/node-identities.js";
import { isPortFree } from "../../src/master/ports.js";
import { isRunning } from "../../src/master/process.js";
import { eventually, kubectl, kubemark, removeTempDir, testHome } from "../support/cli.js";

async function description(home: string, name: string): Promise<ClusterDescription> {
  return JSON.parse(await readFile(`${home}/${name}/cluster.json`, "utf8")) as ClusterDescription;
}

async function assertNothingLeft(desc: ClusterDescription): Promise<void> {
  for (const [name, c] of Object.entries(desc.components)) {
    assert.equal(await isRunning(c.pid, c.binary), false, `${name} (pid ${c.pid}) still running`);
    for (const port of Object.values(c.ports))
      assert.equal(await isPortFree(port), true, `${name} port ${port} still bound`);
  }
  for (const p of desc.hollowNodes?.processes ?? [])
    assert.equal(await isRunning(p.pid, p.binary), false, `hollow process ${p.pid} still running`);
}

describe("local master", () => {
  let home: string;
  let kubeconfig: string;
  let desc: ClusterDescription;

  before(async () => {
    home = await testHome();
    const res = await kubemark(home, "start", "--name", "alpha");
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Cluster 'alpha' is ready/);
    kubeconfig = (await kubemark(home, "kubeconfig", "--name", "alpha")).stdout.trim();
    desc = await description(home, "alpha");
  });

  after(async () => {
    await kubemark(home, "stop", "--name", "alpha");
    await removeTempDir(home);
  });

  it("serves /readyz to the admin kubeconfig, with keys private", async () => {
    const res = await kubectl(kubeconfig, "get", "--raw", "/readyz");
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout.trim(), "ok");
    assert.equal((await stat(kubeconfig)).mode & 0o777, 0o600);
    assert.equal((await stat(`${home}/alpha/pki/ca.key`)).mode & 0o777, 0o600);
  });

  it("reports every component healthy in status -o json", async () => {
    const res = await kubemark(home, "status", "--name", "alpha", "-o", "json");
    assert.equal(res.code, 0, res.stderr);
    const status = JSON.parse(res.stdout) as {
      healthy: boolean;
      components: { name: string; health: string }[];
    };
    assert.equal(status.healthy, true);
    assert.deepEqual(
      status.components.map((c) => [c.name, c.health]),
      [
        ["etcd", "ok"],
        ["kube-apiserver", "ok"],
        ["kube-controller-manager", "ok"],
        ["kube-scheduler", "ok"],
      ],
    );
  });

  it("refuses anonymous requests", async () => {
    const ca = (await loadKubeconfig(kubeconfig)).caPem;
    const status = await new Promise<number>((resolve, reject) => {
      https
        .get(`${desc.server}/api/v1/nodes`, { ca }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on("error", reject);
    });
    assert.equal(status, 403);
  });

  it("lets a hollow node identity change only its own Node", async () => {
    const admin = new KubeClient(await loadKubeconfig(kubeconfig));
    await issueNodeIdentities(desc, ["node-a"]);
    const id = await readNodeIdentity(desc, "node-a");
    const nodeA = new KubeClient({
      server: desc.server,
      caPem: (await loadKubeconfig(kubeconfig)).caPem,
      certPem: id.cert,
      keyPem: id.key,
    });
    try {
      await nodeA.create("/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "node-a" } });
      await admin.create("/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "node-b" } });
      await nodeA.patch("/api/v1/nodes/node-a", { metadata: { labels: { mine: "yes" } } }, "merge");
      await assert.rejects(
        nodeA.patch("/api/v1/nodes/node-b", { metadata: { labels: { mine: "no" } } }, "merge"),
        (err: ApiError) => err.status === 403,
      );
      const b = await admin.get<{ metadata: { labels?: Record<string, string> } }>("/api/v1/nodes/node-b");
      assert.equal(b.metadata.labels?.mine, undefined);
    } finally {
      await admin.delete("/api/v1/nodes/node-a").catch(() => {});
      await admin.delete("/api/v1/nodes/node-b").catch(() => {});
      admin.close();
      nodeA.close();
    }
  });

  it("runs the controller-manager: a new namespace gets its default service account", async () => {
    assert.equal((await kubectl(kubeconfig, "create", "namespace", "sa-check")).code, 0);
    await eventually("default service account", async () => {
      const res = await kubectl(
        kubeconfig,
        "-n",
        "sa-check",
        "get",
        "serviceaccount",
        "default",
        "-o",
        "name",
      );
      return res.code === 0 ? res.stdout : undefined;
    });
  });

  it("runs a Deployment to a ReplicaSet and Pending pods (no nodes to schedule on)", async () => {
    const res = await kubectl(
      kubeconfig,
      "create",
      "deployment",
      "web",
      "--image=registry.k8s.io/pause:3.10",
      "--replicas=3",
    );
    assert.equal(res.code, 0, res.stderr);
    const pods = await eventually("3 pending pods", async () => {
      const out = await kubectl(kubeconfig, "get", "pods", "-l", "app=web", "-o", "json");
      const items = (
        JSON.parse(out.stdout) as {
          items: { status: { phase: string; conditions?: { type: string; reason?: string }[] } }[];
        }
      ).items;
      return items.length === 3 &&
        items.every((p) => p.status.conditions?.some((c) => c.reason === "Unschedulable"))
        ? items
        : undefined;
    });
    assert.ok(pods.every((p) => p.status.phase === "Pending"));
    const rs = await kubectl(kubeconfig, "get", "replicasets", "-l", "app=web", "-o", "name");
    assert.equal(rs.stdout.trim().split("\n").length, 1);
  });

  it("runs a second named cluster beside the first, and refuses a name already running", async () => {
    const again = await kubemark(home, "start", "--name", "alpha");
    assert.equal(again.code, 1);
    assert.match(again.stderr, /cluster 'alpha' is already running/);

    const beta = await kubemark(home, "start", "--name", "beta");
    assert.equal(beta.code, 0, beta.stderr);
    const betaDesc = await description(home, "beta");
    assert.notEqual(betaDesc.server, desc.server);
    const betaKubeconfig = (await kubemark(home, "kubeconfig", "--name", "beta")).stdout.trim();
    assert.equal((await kubectl(betaKubeconfig, "get", "--raw", "/readyz")).stdout.trim(), "ok");
    assert.equal((await kubectl(kubeconfig, "get", "--raw", "/readyz")).stdout.trim(), "ok");

    const stop = await kubemark(home, "stop", "--name", "beta");
    assert.equal(stop.code, 0, stop.stderr);
    await assertNothingLeft(betaDesc);
    await assert.rejects(stat(`${home}/beta`));
  });
});

describe("local master: bad input", () => {
  let home: string;
  before(async () => {
    home = await testHome();
  });
  after(() => removeTempDir(home));

  it("names an unknown command or flag and exits 2", async () => {
    const cmd = await kubemark(home, "strat");
    assert.equal(cmd.code, 2);
    assert.match(cmd.stderr, /unknown command "strat"/);
    const flag = await kubemark(home, "start", "--nodez", "3");
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown flag: --nodez/);
    const value = await kubemark(home, "start", "--nodes", "many");
    assert.equal(value.code, 2);
    assert.match(value.stderr, /invalid value "many" for --nodes/);
  });

  it("explains missing binaries", async () => {
    const res = await kubemark(home, "start", "--bin-dir", "/nonexistent");
    assert.equal(res.code, 1);
    assert.match(res.stderr, /control-plane binaries not found: \/nonexistent\/kube-apiserver/);
  });

  it("refuses a busy port", async () => {
    const net = await import("node:net");
    const server = net.createServer().listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const port = (server.address() as { port: number }).port;
    try {
      const res = await kubemark(home, "start", "--name", "busy", "--port", String(port));
      assert.equal(res.code, 1);
      assert.match(res.stderr, new RegExp(`port ${port} on 127.0.0.1 is in use`));
    } finally {
      server.close();
    }
  });

  it("cleans up after a component dies during start, showing its log", async () => {
    const res = await kubemark(home, "start", "--name", "broken", "--scheduler-arg=--no-such-flag");
    assert.equal(res.code, 1);
    assert.match(res.stderr, /kube-scheduler exited with code 1 during start/);
    assert.match(res.stderr, /unknown flag: --no-such-flag/);
    await assertNothingLeft(await description(home, "broken"));
  });

  it("stops what it started when interrupted (Ctrl-C) during start", async () => {
    const { spawn } = await import("node:child_process");
    const { KUBEMARK_BIN } = await import("../support/cli.js");
    const child = spawn(process.execPath, [KUBEMARK_BIN, "start", "--name", "interrupted", "--nodes", "5"], {
      env: { ...process.env, KUBEMARK_HOME: home },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    await eventually(
      "the API server to be started",
      async () => (/started kube-apiserver/.test(stderr) ? true : undefined),
      60_000,
      50,
    );
    child.kill("SIGINT");
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /interrupted/);
    await assertNothingLeft(await description(home, "interrupted"));
  });

  it("says when there is no such cluster", async () => {
    const res = await kubemark(home, "stop", "--name", "ghost");
    assert.equal(res.code, 1);
    assert.match(res.stderr, /no cluster named 'ghost'/);
  });
});
