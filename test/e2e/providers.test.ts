import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { X509Certificate } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { KubeClient } from "../../src/client/kube-client.js";
import { loadKubeconfig } from "../../src/client/kubeconfig.js";
import { writeKubeconfig } from "../../src/master/kubeconfig-file.js";
import { CertificateAuthority, readKeyPair } from "../../src/master/pki.js";
import type { KubeList, KubeObject } from "../../src/client/types.js";
import type { ClusterDescription } from "../../src/master/cluster-state.js";
import YAML from "yaml";
import { exists } from "../../src/providers/api-objects.js";
import { podSelector } from "../../src/providers/external/objects.js";
import { hollowPodResources } from "../../src/providers/external/hollow-pod-resources.js";
import {
  type BootstrapToken,
  createBootstrapToken,
  deleteBootstrapToken,
  formatBootstrapToken,
  NODE_BOOTSTRAP_BINDINGS,
  revokeNodeBootstrap,
} from "../../src/providers/bootstrap-token.js";
import { KUBELET_CLIENT_SIGNER } from "../../src/providers/tls-bootstrap.js";
import { eventually, KUBEMARK_BIN, kubemark, removeTempDir, testHome } from "../support/cli.js";
import { adminClient, listNodes, listPods, readCluster } from "../support/cluster.js";
import { PodsAsProcesses } from "../support/pods-as-processes.js";
import { isConditionTrue } from "../../src/client/conditions.js";

const LEASES = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";

interface Csr extends KubeObject {
  spec: { signerName: string; username: string };
  status?: { certificate?: string; conditions?: { type: string }[] };
}

function readyNodeNames(nodes: Awaited<ReturnType<typeof listNodes>>): string[] {
  return nodes
    .filter((n) => isConditionTrue(n, "Ready"))
    .map((n) => n.metadata.name!)
    .sort();
}

/** `logs -f` prints what is there, keeps going, and ends with exit 0 on Ctrl-C. */
async function followsLogsUntilInterrupted(home: string, cluster: string, node: string): Promise<void> {
  const child = spawn(process.execPath, [KUBEMARK_BIN, "logs", node, "--name", cluster, "-f"], {
    env: { ...process.env, KUBEMARK_HOME: home },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout.on("data", (d) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  await eventually("the log so far", async () =>
    /hollow node\(s\) started/.test(stdout) ? true : undefined,
  );
  child.kill("SIGINT");
  assert.equal(await exited, 0);
}

/** A kubeconfig trusting a real cluster's CA but pointing at a port nothing listens on. */
async function unreachableKubeconfig(file: string, caFrom: string, cluster: string): Promise<string> {
  const ca = (await loadKubeconfig(caFrom)).caPem!;
  await writeKubeconfig(file, cluster, { server: "https://127.0.0.1:1", caPem: ca, user: "u", token: "t" });
  return file;
}

async function leaseNames(admin: KubeClient): Promise<string[]> {
  return (await admin.get<KubeList>(LEASES)).items.map((l) => l.metadata.name!);
}

describe("existing master: hollow nodes join a master kubemark did not start", () => {
  let home: string;
  let master: ClusterDescription;
  let admin: KubeClient;

  before(async () => {
    home = await testHome();
    const res = await kubemark(home, "start", "--name", "master");
    assert.equal(res.code, 0, res.stderr);
    master = await readCluster(home, "master");
    admin = await adminClient(master);
  });

  after(async () => {
    admin?.close();
    await kubemark(home, "stop", "--name", "viaconfig");
    await kubemark(home, "stop", "--name", "viatoken");
    await kubemark(home, "stop", "--name", "master");
    await removeTempDir(home);
  });

  it("runs hollow nodes with a given kubeconfig's identity, says it is an admin, and removes its Nodes and Leases on stop", async () => {
    const res = await kubemark(
      home,
      "start",
      "--name",
      "viaconfig",
      "--master-kubeconfig",
      master.kubeconfig,
      "--nodes",
      "3",
    );
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /hollow nodes will act as kubernetes-admin, an admin \(system:masters\)/);
    assert.match(res.stdout, /Cluster 'viaconfig' is ready: .* 3 hollow nodes/);
    const desc = await readCluster(home, "viaconfig");
    assert.equal(desc.masterProvider, "existing");
    assert.deepEqual(desc.components, {});
    assert.deepEqual(readyNodeNames(await listNodes(admin)), [
      "hollow-node-0",
      "hollow-node-1",
      "hollow-node-2",
    ]);

    const status = await kubemark(home, "status", "--name", "viaconfig");
    assert.equal(status.code, 0, status.stdout + status.stderr);
    assert.match(status.stdout, /existing master \(not started by kubemark\): ok/);
    const located = await kubemark(home, "locate", "hollow-node-2", "--name", "viaconfig", "-o", "json");
    assert.equal(located.code, 0, located.stderr);
    const where = JSON.parse(located.stdout) as { kind: string; where: string; log: string };
    assert.equal(where.kind, "process");
    assert.equal(where.where, `pid ${desc.hollowNodes!.processes[0].pid}`);
    const logs = await kubemark(home, "logs", "hollow-node-2", "--name", "viaconfig");
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /3 hollow node\(s\) started/);
    assert.doesNotMatch(logs.stdout, / hollow-node-[01]: /);
    await followsLogsUntilInterrupted(home, "viaconfig", "hollow-node-0");
    const unknown = await kubemark(home, "locate", "hollow-node-9", "--name", "viaconfig");
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.stderr,
      /runs no hollow node 'hollow-node-9' \(it runs hollow-node-0 \.\. hollow-node-2\)/,
    );

    const stop = await kubemark(home, "stop", "--name", "viaconfig");
    assert.equal(stop.code, 0, stop.stderr);
    assert.deepEqual(
      (await listNodes(admin)).map((n) => n.metadata.name),
      [],
    );
    assert.deepEqual(
      (await leaseNames(admin)).filter((l) => l.startsWith("hollow-node-")),
      [],
    );
  });

  it("joins with a bootstrap token: a CSR per node, auto-approved, a client certificate each", async () => {
    const token = await createBootstrapToken(admin, "kubemark e2e");
    try {
      const res = await kubemark(
        home,
        "start",
        "--name",
        "viatoken",
        "--master-kubeconfig",
        master.kubeconfig,
        "--bootstrap-token",
        formatBootstrapToken(token),
        "--nodes",
        "2",
      );
      assert.equal(res.code, 0, res.stderr);
      assert.doesNotMatch(res.stderr + res.stdout, new RegExp(token.secret), "the token is not printed");
      assert.deepEqual(readyNodeNames(await listNodes(admin)), ["hollow-node-0", "hollow-node-1"]);
      const csrs = (await admin.get<KubeList<Csr>>("/apis/certificates.k8s.io/v1/certificatesigningrequests"))
        .items;
      const mine = csrs.filter((c) => c.spec.username === `system:bootstrap:${token.id}`);
      assert.equal(mine.length, 2);
      for (const c of mine) {
        assert.equal(c.spec.signerName, KUBELET_CLIENT_SIGNER);
        assert.ok(c.status?.conditions?.some((x) => x.type === "Approved"));
        assert.ok(c.status?.certificate);
      }
      const desc = await readCluster(home, "viatoken");
      const cert = new X509Certificate(await readFile(`${desc.stateDir}/pki/nodes/hollow-node-1.crt`));
      assert.match(cert.subject, /CN=system:node:hollow-node-1/);
      assert.match(cert.subject, /O=system:nodes/);

      const stop = await kubemark(home, "stop", "--name", "viatoken");
      assert.equal(stop.code, 0, stop.stderr);
      assert.deepEqual(await listNodes(admin), []);
      const left = (await admin.get<KubeList<Csr>>("/apis/certificates.k8s.io/v1/certificatesigningrequests"))
        .items;
      assert.deepEqual(
        left.map((c) => c.metadata.name),
        [],
        "the nodes' CSRs are removed too",
      );
    } finally {
      await deleteBootstrapToken(admin, token.id);
      await revokeNodeBootstrap(
        admin,
        NODE_BOOTSTRAP_BINDINGS.map((b) => b.name),
      );
    }
  });

  it("names flags that do not go together, exit 2", async () => {
    const noExternal = await kubemark(home, "start", "--name", "x", "--provider", "external", "--nodes", "1");
    assert.equal(noExternal.code, 2);
    assert.match(noExternal.stderr, /--provider external needs --external-kubeconfig/);
    const tokenAlone = await kubemark(
      home,
      "start",
      "--name",
      "x",
      "--bootstrap-token",
      "abcdef.0123456789abcdef",
    );
    assert.equal(tokenAlone.code, 2);
    assert.match(tokenAlone.stderr, /--bootstrap-token goes with --master-kubeconfig/);
    const badToken = await kubemark(
      home,
      "start",
      "--name",
      "x",
      "--master-kubeconfig",
      master.kubeconfig,
      "--bootstrap-token",
      "nope",
    );
    assert.equal(badToken.code, 2);
    assert.match(badToken.stderr, /invalid --bootstrap-token: a bootstrap token has the form/);
    await assert.rejects(stat(`${home}/x`), "nothing was recorded");
  });

  it("says which master it cannot reach", async () => {
    const res = await kubemark(
      home,
      "start",
      "--name",
      "nowhere",
      "--master-kubeconfig",
      `${home}/no-such-kubeconfig`,
      "--nodes",
      "1",
    );
    assert.equal(res.code, 1);
    assert.match(res.stderr, /cannot read kubeconfig .*no-such-kubeconfig: ENOENT/);
    const unreachable = await unreachableKubeconfig(
      `${home}/unreachable-master.kubeconfig`,
      master.kubeconfig,
      "gone",
    );
    const gone = await kubemark(home, "start", "--name", "gone", "--master-kubeconfig", unreachable);
    assert.equal(gone.code, 1);
    assert.match(
      gone.stderr,
      /cannot reach the master at https:\/\/127\.0\.0\.1:1 \(from .*unreachable-master\.kubeconfig\)/,
    );
    await assert.rejects(stat(`${home}/gone`), "nothing was recorded");
  });
});

interface Deployment extends KubeObject {
  spec: {
    replicas: number;
    template: {
      spec: {
        securityContext: { runAsNonRoot: boolean };
        containers: { image: string; args: string[]; resources: unknown }[];
      };
    };
  };
}

describe("external provider: hollow nodes as pods of another cluster", () => {
  let home: string;
  let master: ClusterDescription;
  let outside: ClusterDescription;
  let masterAdmin: KubeClient;
  let outsideAdmin: KubeClient;
  let token: BootstrapToken;

  before(async () => {
    home = await testHome();
    // One after the other: two starts at once could pick the same free port.
    const m = await kubemark(home, "start", "--name", "master");
    assert.equal(m.code, 0, m.stderr);
    // Its hollow nodes run the hollow-node pods (as no process: the test runs their command).
    const o = await kubemark(home, "start", "--name", "outside", "--nodes", "2");
    assert.equal(o.code, 0, o.stderr);
    master = await readCluster(home, "master");
    outside = await readCluster(home, "outside");
    masterAdmin = await adminClient(master);
    outsideAdmin = await adminClient(outside);
    token = await createBootstrapToken(masterAdmin, "kubemark e2e");
  });

  after(async () => {
    masterAdmin?.close();
    outsideAdmin?.close();
    for (const name of [
      "ext",
      "localext",
      "stalled",
      "unreachable",
      "norights",
      "crashing",
      "master",
      "outside",
    ])
      await kubemark(home, "stop", "--name", name);
    await removeTempDir(home);
  });

  const startExternal = (name: string, externalKubeconfig: string, ...more: string[]) =>
    kubemark(
      home,
      "start",
      "--name",
      name,
      "--master-kubeconfig",
      master.kubeconfig,
      "--bootstrap-token",
      formatBootstrapToken(token),
      "--provider",
      "external",
      "--external-kubeconfig",
      externalKubeconfig,
      ...more,
    );

  it("creates namespace, Secret, ConfigMap and Deployment; the pods' command registers N nodes; locate maps them; stop leaves nothing", async () => {
    const runnerHome = await testHome();
    const runner = new PodsAsProcesses(outsideAdmin, "kubemark", podSelector("ext"), runnerHome);
    runner.start();
    try {
      const res = await startExternal(
        "ext",
        outside.kubeconfig,
        "--nodes",
        "4",
        "--nodes-per-pod",
        "2",
        "--image",
        "registry.example/kubemark/hollow-node:e2e",
      );
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stderr, /pods Running \d\/2, hollow nodes Ready \d\/4/);
      assert.match(res.stdout, /4 hollow nodes in pods of the external cluster/);

      const ns = "/api/v1/namespaces/kubemark";
      const secret = await outsideAdmin.get<KubeObject & { data: Record<string, string> }>(
        `${ns}/secrets/hollow-node-kubeconfigs`,
      );
      assert.deepEqual(Object.keys(secret.data).sort(), ["bootstrap.kubeconfig", "kubeconfig"]);
      const config = await outsideAdmin.get<KubeObject & { data: Record<string, string> }>(
        `${ns}/configmaps/hollow-node-config`,
      );
      const settings = YAML.parse(config.data["hollow-node.yaml"]) as Record<string, unknown>;
      assert.equal(settings.count, 2);
      assert.equal(settings["node-labels"], "kubemark.io/cluster=ext");
      const deployment = await outsideAdmin.get<Deployment>(
        "/apis/apps/v1/namespaces/kubemark/deployments/hollow-node",
      );
      assert.equal(deployment.spec.replicas, 2);
      const pod = deployment.spec.template.spec;
      assert.equal(pod.securityContext.runAsNonRoot, true);
      assert.equal(pod.containers[0].image, "registry.example/kubemark/hollow-node:e2e");
      assert.deepEqual(pod.containers[0].resources, hollowPodResources(2));
      assert.ok(pod.containers[0].args.includes("--name-prefix=$(POD_NAME)"));

      const pods = await listPods(outsideAdmin, "kubemark", podSelector("ext"));
      assert.equal(pods.length, 2);
      const expected = pods.flatMap((p) => [`${p.metadata.name}-0`, `${p.metadata.name}-1`]).sort();
      assert.deepEqual(readyNodeNames(await listNodes(masterAdmin)), expected);

      for (const p of pods) {
        const located = await kubemark(home, "locate", `${p.metadata.name}-1`, "--name", "ext", "-o", "json");
        assert.equal(located.code, 0, located.stderr);
        const where = JSON.parse(located.stdout) as { kind: string; where: string; host: string };
        assert.deepEqual(where, {
          node: `${p.metadata.name}-1`,
          kind: "pod",
          where: `kubemark/${p.metadata.name}`,
          host: p.spec.nodeName,
        });
      }
      const status = await kubemark(home, "status", "--name", "ext", "-o", "json");
      assert.equal(status.code, 0, status.stdout + status.stderr);
      const st = JSON.parse(status.stdout) as {
        healthy: boolean;
        existingMaster: string;
        externalPods: { running: number; wanted: number };
      };
      assert.equal(st.existingMaster, "ok");
      assert.deepEqual([st.externalPods.running, st.externalPods.wanted], [2, 2]);
      // The external cluster's nodes are hollow: they serve no logs, and logs says so.
      const logs = await kubemark(home, "logs", `${pods[0].metadata.name}-0`, "--name", "ext");
      assert.equal(logs.code, 1);
      assert.match(logs.stderr, new RegExp(`cannot read the logs of pod kubemark/${pods[0].metadata.name}`));

      const stop = await kubemark(home, "stop", "--name", "ext");
      assert.equal(stop.code, 0, stop.stderr);
      assert.equal(await exists(outsideAdmin, ns), false, "namespace kubemark is gone");
      assert.deepEqual(await listPods(outsideAdmin, "kubemark", podSelector("ext")), []);
      assert.deepEqual(await listNodes(masterAdmin), []);
      assert.deepEqual(
        (await leaseNames(masterAdmin)).filter((l) => expected.includes(l)),
        [],
      );
      assert.deepEqual(runner.running(), [], "every pod's process was stopped with its pod");
    } finally {
      await runner.stop();
      await removeTempDir(runnerHome);
    }
  });

  it("with a local master, makes the bootstrap token itself and takes it away with the master", async () => {
    const runnerHome = await testHome();
    const runner = new PodsAsProcesses(outsideAdmin, "kubemark", podSelector("localext"), runnerHome);
    runner.start();
    try {
      const res = await kubemark(
        home,
        "start",
        "--name",
        "localext",
        "--provider",
        "external",
        "--external-kubeconfig",
        outside.kubeconfig,
        "--nodes",
        "3",
        "--nodes-per-pod",
        "2",
      );
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stderr, /3 nodes at 2 per pod: 2 pods run 4 nodes/);
      const desc = await readCluster(home, "localext");
      assert.equal(desc.masterProvider, "local");
      assert.ok(desc.onMaster?.bootstrapTokenId);
      const admin = await adminClient(desc);
      try {
        assert.equal(readyNodeNames(await listNodes(admin)).length, 4);
      } finally {
        admin.close();
      }
      const stop = await kubemark(home, "stop", "--name", "localext");
      assert.equal(stop.code, 0, stop.stderr);
      assert.equal(await exists(outsideAdmin, "/api/v1/namespaces/kubemark"), false);
      await assert.rejects(stat(`${home}/localext`));
      assert.deepEqual(runner.running(), []);
    } finally {
      await runner.stop();
      await removeTempDir(runnerHome);
    }
  });

  it("says which external cluster it cannot reach, and stop still cleans up", async () => {
    const kubeconfig = await unreachableKubeconfig(
      `${home}/unreachable.kubeconfig`,
      outside.kubeconfig,
      "nowhere",
    );
    const res = await startExternal("unreachable", kubeconfig, "--nodes", "2");
    assert.equal(res.code, 1);
    assert.match(
      res.stderr,
      /cannot reach the external cluster at https:\/\/127\.0\.0\.1:1 \(from .*unreachable\.kubeconfig\)/,
    );
    await stopsCleanly("unreachable");
  });

  it("names the rights it lacks in the external cluster before creating anything", async () => {
    const pki = `${outside.stateDir}/pki`;
    const caPair = await readKeyPair(pki, "ca");
    const nobody = await (
      await CertificateAuthority.load(caPair.cert, caPair.key)
    ).issue({ commonName: "nobody" });
    const kubeconfig = `${home}/nobody.kubeconfig`;
    await writeKubeconfig(kubeconfig, "outside", {
      server: outside.server,
      caPem: caPair.cert,
      user: "nobody",
      certPem: nobody.cert,
      keyPem: nobody.key,
    });
    const res = await startExternal("norights", kubeconfig, "--nodes", "2");
    assert.equal(res.code, 1);
    assert.match(
      res.stderr,
      /lacks rights in the external cluster at https:\/\/127\.0\.0\.1:\d+: get namespaces in namespace kubemark; create namespaces; delete namespaces; get secrets in namespace kubemark;/,
    );
    assert.match(res.stderr, /create deployments\.apps in namespace kubemark/);
    assert.equal(await exists(outsideAdmin, "/api/v1/namespaces/kubemark"), false);
    await stopsCleanly("norights");
  });

  it("names the pods that cannot start and why (CrashLoopBackOff), and stop still cleans up", async () => {
    const started = startExternal("crashing", outside.kubeconfig, "--nodes", "2", "--timeout", "90");
    const deploymentPath = "/apis/apps/v1/namespaces/kubemark/deployments/hollow-node";
    await eventually("the hollow-node Deployment", async () =>
      (await exists(outsideAdmin, deploymentPath)) ? true : undefined,
    );
    // As an image whose process exits would: every container of the new pods fails, and restarts back off.
    await outsideAdmin.patch(
      deploymentPath,
      {
        spec: {
          template: { metadata: { annotations: { "kubemark.io/fail": "*", "kubemark.io/run-time": "1s" } } },
        },
      },
      "strategic",
    );
    const res = await started;
    assert.equal(res.code, 1);
    assert.match(
      res.stderr,
      /hollow-node pods cannot start:\n\s+kubemark\/hollow-node-\S+: CrashLoopBackOff/,
    );
    assert.match(res.stderr, /kubemark stop --name crashing' removes it/);
    await stopsCleanly("crashing");
    assert.equal(await exists(outsideAdmin, "/api/v1/namespaces/kubemark"), false);
  });

  it("at the deadline, says which pods' nodes are not Ready on the master", async () => {
    // No process runs the pods' command: the pods are Running, their nodes never register.
    const res = await startExternal(
      "stalled",
      outside.kubeconfig,
      "--nodes",
      "2",
      "--nodes-per-pod",
      "2",
      "--timeout",
      "15",
    );
    assert.equal(res.code, 1);
    assert.match(res.stderr, /not ready after 15 s: pods Running 1\/1, hollow nodes Ready 0\/2/);
    assert.match(
      res.stderr,
      /pod kubemark\/(hollow-node-\S+) on hollow-node-\d: nodes not Ready on the master: \1-0, \1-1/,
    );
    await stopsCleanly("stalled");
  });

  async function stopsCleanly(name: string): Promise<void> {
    const stop = await kubemark(home, "stop", "--name", name);
    assert.equal(stop.code, 0, stop.stderr);
    await assert.rejects(stat(`${home}/${name}`));
    assert.deepEqual(await listNodes(masterAdmin), []);
  }
});
