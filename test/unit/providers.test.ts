import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { concernsNode } from "../../src/providers/node-log.js";
import { LineSplitter } from "../../src/util/line-splitter.js";
import { hollowPodResources } from "../../src/providers/external/hollow-pod-resources.js";
import {
  configMapObject,
  hollowNodeArgs,
  hollowNodeSettings,
  localStagesFile,
  podNameForNode,
} from "../../src/providers/external/objects.js";
import { parseBootstrapToken } from "../../src/providers/bootstrap-token.js";
import { argsFromFlagMap, flagMapFromArgs } from "../../src/util/flag-file.js";

const plan = {
  cluster: "c1",
  image: "img",
  nodesPerPod: 5,
  replicas: 2,
  kubernetesVersion: "v1.37.2",
  sharedWatch: false,
  extraArgs: ["--node-labels=zone=a", "--max-pods=50", "--shared-watch"],
};

describe("external provider objects", () => {
  it("turns extra hollow-node flags into settings, the cluster label merged into the user's labels", () => {
    assert.deepEqual(hollowNodeSettings(plan), {
      "node-labels": "kubemark.io/cluster=c1,zone=a",
      "max-pods": "50",
      "shared-watch": true,
      count: 5,
    });
  });

  it("carries a --stages file in the ConfigMap and points the pods at its copy", () => {
    const withStages = { ...plan, extraArgs: ["--stages=/home/me/stages.yaml"] };
    assert.equal(localStagesFile(withStages), "/home/me/stages.yaml");
    assert.equal(hollowNodeSettings(withStages).stages, "/etc/kubemark/config/stages.yaml");
    const cm = configMapObject(withStages, "count: 5\n", "- name: x\n") as unknown as {
      data: Record<string, string>;
    };
    assert.deepEqual(Object.keys(cm.data).sort(), ["hollow-node.yaml", "stages.yaml"]);
    assert.equal(localStagesFile(plan), undefined);
  });

  it("round-trips flags through a flag map, repeated flags as lists", () => {
    const args = ["--a=1", "--b", "--c=x", "--c=y"];
    assert.deepEqual(flagMapFromArgs(args), { a: "1", b: true, c: ["x", "y"] });
    assert.deepEqual(argsFromFlagMap(flagMapFromArgs(args)), ["--a=1", "--b=true", "--c=x", "--c=y"]);
    assert.throws(() => flagMapFromArgs(["value"]), /expected --flag/);
  });

  it("points the pod at its mounts, bootstrapping into the emptyDir only with a bootstrap token", () => {
    const withToken = hollowNodeArgs({ kubeconfig: "/k", bootstrapKubeconfig: "/b" });
    assert.ok(withToken.includes("--bootstrap-kubeconfig=/etc/kubemark/kubeconfigs/bootstrap.kubeconfig"));
    assert.ok(withToken.includes("--node-cert-dir=/var/lib/kubemark/pki"));
    assert.ok(withToken.includes("--name-prefix=$(POD_NAME)"));
    const plain = hollowNodeArgs({ kubeconfig: "/k" });
    assert.ok(plain.includes("--kubeconfig=/etc/kubemark/kubeconfigs/kubeconfig"));
    assert.equal(
      plain.some((a) => a.startsWith("--node-cert-dir")),
      false,
    );
  });

  it("sizes pod resources by nodes per pod", () => {
    assert.deepEqual(hollowPodResources(10), {
      requests: { cpu: "30m", memory: "76Mi" },
      limits: { memory: "152Mi" },
    });
    assert.deepEqual(hollowPodResources(250).requests, { cpu: "270m", memory: "364Mi" });
  });

  it("maps a node to its pod", () => {
    assert.equal(podNameForNode("hollow-node-7d9f-x2k4q-3"), "hollow-node-7d9f-x2k4q");
    assert.equal(podNameForNode("nodash"), undefined);
  });
});

describe("node logs and tokens", () => {
  it("keeps a node's lines and the process's own, not the other nodes'", () => {
    const nodes = new Set(["n-0", "n-1"]);
    assert.equal(concernsNode("2026-01-01T00:00:00Z n-0: registered", "n-0", nodes), true);
    assert.equal(concernsNode("2026-01-01T00:00:00Z n-1: registered", "n-0", nodes), false);
    assert.equal(concernsNode("2026-01-01T00:00:00Z 2 hollow node(s) started in 0.1 s", "n-0", nodes), true);
  });

  it("splits chunks into lines", () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push("a\nb");
    s.push("c\n\nd");
    s.flush();
    assert.deepEqual(lines, ["a", "bc", "d"], "empty lines are dropped, a last partial line flushed");
  });

  it("parses bootstrap tokens strictly", () => {
    assert.deepEqual(parseBootstrapToken("abcdef.0123456789abcdef"), {
      id: "abcdef",
      secret: "0123456789abcdef",
    });
    assert.throws(() => parseBootstrapToken("ABCDEF.0123456789abcdef"), /\[a-z0-9\]\{6\}/);
  });
});
