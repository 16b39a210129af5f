import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeClient } from "../../src/client/kube-client.js";
import type { Node, Pod } from "../../src/client/types.js";
import { NodeImages } from "../../src/hollow/kubelet/node-images.js";
import { NODE_STATUS_UPDATE_FREQUENCY_MS, NodeStatusReporter } from "../../src/hollow/kubelet/node-status.js";
import { nodeStatus } from "../../src/hollow/node-config.js";
import { containerImage } from "../../src/hollow/pods/image-ref.js";
import { hollowNodeConfig } from "../support/hollow-node.js";

const CFG = hollowNodeConfig("hollow-node-0");

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

function podWithImage(image: string): Pod {
  return {
    metadata: { name: "p", namespace: "default", uid: "uid-1" },
    spec: { nodeName: CFG.name, containers: [{ name: "c", image }] },
  } as Pod;
}

/**
 * A reporter whose PATCHes land on `node`, the API server's copy. Each sync checks the node once the
 * status update frequency has passed, well inside the report frequency; the informer holds the node as
 * `cached` says: the server's copy (its watch has echoed every PATCH), an older copy, or none.
 */
function reporterFor(node: Node, images: NodeImages, cached: () => Node | undefined = () => node) {
  const patches: Node["status"][] = [];
  const gets: string[] = [];
  const read: Node[] = [];
  const client = {
    preferredMediaType: "application/json",
    patch: async (_path: string, body: { status: Node["status"] }) => {
      patches.push(body.status);
      node.status = { ...node.status, ...body.status };
    },
    requestObject: async (method: string, path: string) => {
      gets.push(`${method} ${path}`);
      return structuredClone(node);
    },
  } as unknown as KubeClient;
  const reporter = new NodeStatusReporter(
    client,
    CFG,
    () => true,
    () => images.list(),
    (n) => read.push(n),
  );
  let now = T0;
  return {
    patches,
    gets,
    read,
    sync: async () => {
      await reporter.sync(cached(), () => now);
      now += NODE_STATUS_UPDATE_FREQUENCY_MS;
    },
  };
}

describe("the Node a status check compares against", () => {
  it("is the informer's while it holds one: a stale copy is reported against again", async () => {
    const node: Node = { metadata: { name: CFG.name }, spec: {}, status: {} };
    const stale = structuredClone(node);
    const { patches, gets, sync } = reporterFor(node, new NodeImages(), () => stale);
    await sync();
    await sync();
    assert.equal(patches.length, 2, "the informer's copy never shows the first report");
    assert.deepEqual(gets, []);
  });

  it("is the API server's while the informer holds none, and the kubelet learns from it", async () => {
    const node: Node = { metadata: { name: CFG.name }, spec: { podCIDR: "10.64.3.0/24" }, status: {} };
    const { patches, gets, read, sync } = reporterFor(node, new NodeImages(), () => undefined);
    await sync();
    await sync();
    await sync();
    assert.equal(patches.length, 1, "the GET shows the first report: nothing more to say");
    assert.deepEqual(gets, Array(3).fill(`GET /api/v1/nodes/${CFG.name}`));
    assert.deepEqual(
      read.map((n) => n.spec?.podCIDR),
      Array(3).fill("10.64.3.0/24"),
    );
  });
});

describe("node status and the node's images", () => {
  it("reports a pulled image once, then only at the report frequency", async () => {
    const node: Node = { metadata: { name: CFG.name }, status: {} };
    const images = new NodeImages();
    const { patches, sync } = reporterFor(node, images);
    await sync();
    images.pull(podWithImage("registry.k8s.io/pause:3.10"));
    await sync();
    await sync();
    await sync();
    assert.equal(patches.length, 2, "the first report, and the one the new image brings");
    assert.deepEqual(
      patches[1]!.images!.map((i) => i.names[1]),
      ["registry.k8s.io/pause:3.10"],
    );
  });

  it("a restarted kubelet adopts the images its node lists, and does not report again at every check", async () => {
    const pulledBefore = [containerImage("nginx"), containerImage("registry.k8s.io/pause:3.10")];
    const node: Node = {
      metadata: { name: CFG.name },
      status: nodeStatus(
        CFG,
        [],
        [...pulledBefore].sort((a, b) => b.sizeBytes - a.sizeBytes),
      ),
    };
    const images = new NodeImages();
    images.adopt(node.status!.images!);
    const { patches, sync } = reporterFor(node, images);
    for (let i = 0; i < 5; i++) await sync();
    assert.equal(patches.length, 1, "the first report only");
    assert.deepEqual(patches[0]!.images, node.status!.images);
    // A pod of an adopted image pulls nothing new, by any of its names.
    images.pull(podWithImage("docker.io/library/nginx:latest"));
    images.pull(podWithImage("registry.k8s.io/pause:3.10"));
    await sync();
    assert.equal(patches.length, 1);
    assert.equal(images.list().length, 2);
  });
});
