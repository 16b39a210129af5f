import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  objectCodec,
  parseWithoutManagedFields,
  resourceVersionCodec,
} from "../../src/client/watch-codec.js";
import { resourceOf } from "../../src/client/request-path.js";

const added = JSON.stringify({
  type: "ADDED",
  object: {
    kind: "Service",
    apiVersion: "v1",
    metadata: {
      name: "web",
      namespace: "default",
      uid: "u1",
      resourceVersion: "1234",
      labels: { a: "b" },
      managedFields: [{ manager: "x", resourceVersion: "9" }],
    },
  },
});

describe("watch codecs", () => {
  it("reads the type and resourceVersion without parsing the object", () => {
    assert.deepEqual(resourceVersionCodec.decodeEvent(Buffer.from(added)), {
      type: "ADDED",
      resourceVersion: "1234",
      initialEventsEnd: false,
    });
    const bookmark = JSON.stringify({
      type: "BOOKMARK",
      object: { kind: "Service", apiVersion: "v1", metadata: { resourceVersion: "77" } },
    });
    assert.deepEqual(resourceVersionCodec.decodeEvent(Buffer.from(bookmark)), {
      type: "BOOKMARK",
      resourceVersion: "77",
      initialEventsEnd: false,
    });
  });

  it("recognises the bookmark that ends a watch-list's initial events", () => {
    const end = Buffer.from(
      JSON.stringify({
        type: "BOOKMARK",
        object: {
          kind: "Pod",
          apiVersion: "v1",
          metadata: { resourceVersion: "78", annotations: { "k8s.io/initial-events-end": "true" } },
        },
      }),
    );
    for (const codec of [resourceVersionCodec, objectCodec()])
      assert.equal(codec.decodeEvent(end).initialEventsEnd, true);
  });

  it("reports a 410 ERROR event's code", () => {
    const gone = JSON.stringify({
      type: "ERROR",
      object: {
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        message: "too old resource version: 1 (5)",
        reason: "Expired",
        code: 410,
      },
    });
    for (const codec of [resourceVersionCodec, objectCodec()]) {
      const e = codec.decodeEvent(Buffer.from(gone));
      assert.equal(e.type, "ERROR");
      assert.equal(e.errorCode, 410);
      assert.match(e.errorMessage ?? "", /too old/);
    }
  });

  it("takes a list's own resourceVersion, not an item's", () => {
    const list = JSON.stringify({
      kind: "ServiceList",
      apiVersion: "v1",
      metadata: { resourceVersion: "500" },
      items: [{ metadata: { name: "a", resourceVersion: "12" } }],
    });
    assert.equal(resourceVersionCodec.decodeList(Buffer.from(list)).resourceVersion, "500");
    const full = objectCodec().decodeList(Buffer.from(list));
    assert.equal(full.resourceVersion, "500");
    assert.equal(full.items.length, 1);
  });

  it("decodes whole objects for informers", () => {
    const e = objectCodec().decodeEvent(Buffer.from(added));
    assert.equal(e.object?.metadata.name, "web");
    assert.equal(e.resourceVersion, "1234");
  });
});

describe("watch events of an unchanged generation", () => {
  it("carry the spec already held, so the one just parsed dies young", () => {
    const held = {
      metadata: { name: "p", namespace: "ns", uid: "u1", generation: 1 },
      spec: { nodeName: "a" },
    };
    const event = (uid: string, generation: number) =>
      Buffer.from(
        JSON.stringify({
          type: "MODIFIED",
          object: { metadata: { name: "p", namespace: "ns", uid, generation }, spec: { nodeName: "a" } },
        }),
      );
    const codec = objectCodec({ dropManagedFields: true });
    assert.equal(codec.decodeEvent(event("u1", 1), () => held).object?.spec, held.spec);
    for (const other of [event("u1", 2), event("u2", 1)]) {
      const spec = codec.decodeEvent(other, () => held).object?.spec;
      assert.notEqual(spec, held.spec);
      assert.deepEqual(spec, held.spec);
    }
  });
});

describe("request paths", () => {
  it("names resource and subresource as the API server's metrics do", () => {
    const cases: [path: string, resource: string, subresource: string][] = [
      ["/api/v1/namespaces/ns/pods/p1/status?x=1", "pods", "status"],
      ["/api/v1/nodes", "nodes", ""],
      ["/api/v1/namespaces/kube-system", "namespaces", ""],
      ["/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1", "leases", ""],
      ["/api/v1/namespaces/d/serviceaccounts/default/token", "serviceaccounts", "token"],
      ["/api/v1/nodes/n1/status", "nodes", "status"],
      ["/api/v1/pods?fieldSelector=spec.nodeName%3Dn1/x&watch=true", "pods", ""],
      ["/apis/storage.k8s.io/v1/csidrivers?watch=true", "csidrivers", ""],
    ];
    for (const [path, resource, subresource] of cases)
      assert.deepEqual(resourceOf(path), { resource, subresource }, path);
  });

  it("leaves out managedFields before parsing, and nothing else", () => {
    // As the API server writes a pod: ObjectMeta in field order, managedFields last, spec after it.
    const pod = (name: string) => ({
      kind: "Pod",
      apiVersion: "v1",
      metadata: {
        name,
        uid: `uid-${name}`,
        // A value that looks like the end of managedFields, quotes escaped as in any JSON string.
        annotations: { tricky: ']},"spec":{"x":1}', also: ',"managedFields":[' },
        finalizers: ["a/b"],
        managedFields: [
          {
            manager: "kubelet",
            fieldsV1: { "f:status": { 'k:{"type":"Ready"}': {} } },
            subresource: "status",
          },
          { manager: "kube-scheduler", fieldsV1: { "f:spec": { "f:nodeName": {} } } },
        ],
      },
      spec: { nodeName: "n1", containers: [{ name: "c", image: "pause" }] },
      status: { phase: "Running" },
    });
    const withoutManaged = (p: ReturnType<typeof pod>) => {
      const metadata: Partial<typeof p.metadata> = { ...p.metadata };
      delete metadata.managedFields;
      return { ...p, metadata };
    };
    const event = JSON.stringify({ type: "MODIFIED", object: pod("a") });
    assert.deepEqual(parseWithoutManagedFields(event), {
      type: "MODIFIED",
      object: withoutManaged(pod("a")),
    });
    const list = JSON.stringify({
      kind: "PodList",
      metadata: { resourceVersion: "9" },
      items: [pod("a"), pod("b")],
    });
    assert.deepEqual(objectCodec({ dropManagedFields: true }).decodeList(Buffer.from(list)).items, [
      withoutManaged(pod("a")),
      withoutManaged(pod("b")),
    ]);
    // Without a spec after metadata the text is parsed whole.
    assert.deepEqual(parseWithoutManagedFields(added), JSON.parse(added));
  });
});
