import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { lease } from "../../src/client/protobuf/coordination-v1.js";
import { pod } from "../../src/client/protobuf/core-v1.js";
import { encodeMessage } from "../../src/client/protobuf/encode.js";
import {
  decodeList,
  decodeObject,
  decodeWatchEvent,
  encodeObject,
} from "../../src/client/protobuf/envelope.js";
import { ProtoReader } from "../../src/client/protobuf/reader.js";
import {
  bool,
  decodeMessage,
  formatTime,
  inline,
  int,
  lazyMsg,
  list,
  message,
  msg,
  quantityMap,
  str,
  stringMap,
  strings,
  time,
  word,
} from "../../src/client/protobuf/schema.js";

/** A minimal protobuf writer for the tests: fields in, bytes out. */
const varint = (value: number): Buffer => {
  const out: number[] = [];
  // Negatives as Go writes an int32 or int64: sign-extended to 64 bits.
  let v = BigInt.asUintN(64, BigInt(value));
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
};
const num = (field: number, value: number) => Buffer.concat([varint(field << 3), varint(value)]);
const bytes = (field: number, ...parts: (Buffer | string)[]) => {
  const body = Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : p)));
  return Buffer.concat([varint((field << 3) | 2), varint(body.length), body]);
};
const envelope = (apiVersion: string, kind: string, object: Buffer) =>
  Buffer.concat([
    Buffer.from("k8s\0", "latin1"),
    bytes(1, bytes(1, apiVersion), bytes(2, kind)),
    bytes(2, object),
  ]);

const schema = message({
  1: str("name"),
  2: str("kept", true),
  3: int("count"),
  4: int("exitCode", true),
  5: bool("flag"),
  6: bool("ready", true),
  7: time("at"),
  8: time("never"),
  9: stringMap("labels"),
  10: quantityMap("requests"),
  11: strings("finalizers"),
  12: list("items", message({ 1: str("name") })),
  13: inline(message({ 1: str("secretName") })),
  14: msg("nested", message({ 2: int("deep") })),
  15: word("phase"),
  16: word("message"),
});

describe("protobuf decoding", () => {
  it("decodes to the JSON shape: zero values dropped unless kept, times, maps, lists, inlined structs", () => {
    const encoded = Buffer.concat([
      bytes(1, ""),
      bytes(2, ""),
      num(3, 0),
      num(4, 0),
      num(5, 0),
      num(6, 0),
      bytes(7, num(1, 1_790_000_001)),
      bytes(8),
      bytes(9, bytes(1, "app"), bytes(2, "web")),
      bytes(9, bytes(1, "tier"), bytes(2, "é")),
      bytes(10, bytes(1, "cpu"), bytes(2, bytes(1, "100m"))),
      bytes(11, "a/b"),
      bytes(11, "c/d"),
      bytes(12, bytes(1, "x")),
      bytes(12, bytes(1, "y")),
      bytes(13, bytes(1, "token")),
      bytes(14, num(1, 7), num(2, -3)),
      bytes(15, "Running"),
      bytes(16, "a message longer than a label value's 63 characters, not shared"),
      // Unknown fields of every wire type are skipped.
      num(40, 300),
      bytes(41, "ignored"),
      Buffer.concat([varint((42 << 3) | 1), Buffer.alloc(8)]),
      Buffer.concat([varint((43 << 3) | 5), Buffer.alloc(4)]),
    ]);
    assert.deepEqual(decodeMessage(schema, encoded, 0, encoded.length), {
      kept: "",
      exitCode: 0,
      ready: false,
      at: new Date(1_790_000_001_000).toISOString().replace(".000", ""),
      never: null,
      labels: { app: "web", tier: "é" },
      requests: { cpu: "100m" },
      finalizers: ["a/b", "c/d"],
      items: [{ name: "x" }, { name: "y" }],
      secretName: "token",
      nested: { deep: -3 },
      phase: "Running",
      message: "a message longer than a label value's 63 characters, not shared",
    });
  });

  it("formats times as metav1.Time's JSON across days", () => {
    for (const seconds of [0, 59, 86_399, 86_400, 1_790_000_001, 1_790_035_199])
      assert.equal(formatTime(seconds), new Date(seconds * 1000).toISOString().replace(".000", ""));
  });

  it("refuses truncated fields and wire types that contradict the schema", () => {
    const truncated = bytes(1, "name").subarray(0, 4);
    assert.throws(() => decodeMessage(schema, truncated, 0, truncated.length), /past the end/);
    const wrongType = num(1, 5);
    assert.throws(() => decodeMessage(schema, wrongType, 0, wrongType.length), /wire type 0/);
    for (const value of [
      0,
      1,
      127,
      128,
      300,
      2 ** 31,
      2 ** 32 + 5,
      2 ** 40 + 3,
      2 ** 53 - 1,
      -1,
      -3,
      -(2 ** 31),
      -(2 ** 40),
    ]) {
      const encoded = varint(value);
      assert.equal(new ProtoReader(encoded, 0, encoded.length).varint(), value);
    }
  });

  it("opens envelopes, lists and watch events", () => {
    const item = (name: string) => bytes(1, name);
    const podList = Buffer.concat([bytes(1, bytes(2, "42")), bytes(2, item("a")), bytes(2, item("b"))]);
    const listBody = envelope("v1", "PodList", podList);
    assert.deepEqual(decodeList(message({ 1: str("name") }), listBody), {
      resourceVersion: "42",
      items: [{ name: "a" }, { name: "b" }],
    });
    assert.deepEqual(decodeObject(message({ 1: str("name") }), envelope("v1", "Pod", item("p"))), {
      apiVersion: "v1",
      kind: "Pod",
      name: "p",
    });
    const frame = Buffer.concat([bytes(1, "MODIFIED"), bytes(2, bytes(1, envelope("v1", "Pod", item("p"))))]);
    const event = decodeWatchEvent(frame);
    assert.equal(event.type, "MODIFIED");
    assert.equal(event.object?.kind, "Pod");
    assert.deepEqual(
      decodeMessage(message({ 1: str("name") }), frame, event.object!.start, event.object!.end),
      { name: "p" },
    );
    assert.throws(() => decodeObject(message({}), Buffer.from("{}")), /magic number/);
  });
});

describe("decoding an object of an unchanged generation", () => {
  const objectSchema = message({
    1: msg("metadata", message({ 1: str("name"), 3: str("namespace"), 5: str("uid"), 7: int("generation") })),
    2: msg("spec", message({ 1: str("image") })),
    3: msg("status", message({ 1: str("phase") })),
  });
  const encode = (uid: string, generation: number, image: string, phase: string) =>
    encodeMessage(objectSchema, {
      metadata: { name: "p", namespace: "ns", uid, generation },
      spec: { image },
      status: { phase },
    });
  const held = { metadata: { name: "p", namespace: "ns", uid: "u1", generation: 1 }, spec: { image: "old" } };

  it("keeps the spec it holds and decodes the rest", () => {
    const asked: unknown[] = [];
    const bytes = encode("u1", 1, "new", "Running");
    const decoded = decodeMessage(objectSchema, bytes, 0, bytes.length, (meta) => {
      asked.push(meta);
      return held;
    });
    assert.equal(decoded.spec, held.spec, "the same object, not a copy");
    assert.deepEqual(decoded.status, { phase: "Running" });
    assert.deepEqual(asked, [{ name: "p", namespace: "ns", uid: "u1", generation: 1 }]);
  });

  it("decodes the spec of a new generation, a new uid, or a name not held", () => {
    for (const [bytes, previous] of [
      [encode("u1", 2, "new", "Running"), held],
      [encode("u2", 1, "new", "Running"), held],
      [encode("u1", 1, "new", "Running"), undefined],
    ] as const) {
      const decoded = decodeMessage(objectSchema, bytes, 0, bytes.length, () => previous);
      assert.deepEqual(decoded.spec, { image: "new" });
    }
  });
  it("reads of a pod's metadata what its node acts on, and skips owners, creation time and finalizers", () => {
    const metadata = bytes(
      1,
      bytes(1, "web-1"),
      bytes(2, "web-"),
      bytes(3, "ns"),
      bytes(5, "u1"),
      bytes(6, "42"),
      num(7, 1),
      bytes(8, num(1, 1_790_000_000)),
      bytes(9, num(1, 1_790_000_030)),
      num(10, 30),
      bytes(11, bytes(1, "kubernetes.io/os"), bytes(2, "linux")),
      bytes(12, bytes(1, "kubemark.io/run-time"), bytes(2, "1s")),
      bytes(13, bytes(1, "ReplicaSet"), bytes(3, "web"), bytes(4, "u0"), bytes(5, "apps/v1")),
      bytes(14, "example.com/hold"),
    );
    assert.deepEqual(decodeMessage(pod, metadata, 0, metadata.length), {
      metadata: {
        name: "web-1",
        namespace: "ns",
        uid: "u1",
        resourceVersion: "42",
        generation: 1,
        deletionTimestamp: new Date(1_790_000_030_000).toISOString().replace(".000", ""),
        deletionGracePeriodSeconds: 30,
        labels: { "kubernetes.io/os": "linux" },
        annotations: { "kubemark.io/run-time": "1s" },
      },
    });
  });
});

describe("lazy protobuf fields", () => {
  const lazySchema = message({
    1: msg("metadata", message({ 1: str("name") })),
    3: lazyMsg("status", message({ 1: str("phase"), 2: list("conditions", message({ 1: str("type") })) })),
  });
  const encoded = encodeMessage(lazySchema, {
    metadata: { name: "p" },
    status: { phase: "Running", conditions: [{ type: "Ready" }, { type: "Initialized" }] },
  });

  it("decodes the field when it is first read, as the eager decoder would", () => {
    const decoded = decodeMessage(lazySchema, encoded, 0, encoded.length);
    assert.deepEqual(Object.keys(decoded), ["metadata"], "not decoded before it is read");
    assert.deepEqual(decoded.status, {
      phase: "Running",
      conditions: [{ type: "Ready" }, { type: "Initialized" }],
    });
    assert.equal(decoded.status, decoded.status, "decoded once, then held");
    assert.deepEqual(Object.keys(decoded), ["metadata", "status"]);
  });

  it("serializes, enumerates and takes assignments as a plain field", () => {
    const decoded = decodeMessage(lazySchema, encoded, 0, encoded.length);
    assert.deepEqual(JSON.parse(JSON.stringify(decoded)), {
      metadata: { name: "p" },
      status: { phase: "Running", conditions: [{ type: "Ready" }, { type: "Initialized" }] },
    });
    const assigned = decodeMessage(lazySchema, encoded, 0, encoded.length);
    assigned.status = { phase: "Succeeded" };
    assert.deepEqual(assigned.status, { phase: "Succeeded" });
    const absent = encodeMessage(lazySchema, { metadata: { name: "q" } });
    assert.equal(decodeMessage(lazySchema, absent, 0, absent.length).status, undefined);
  });
});

describe("protobuf encoding", () => {
  it("writes what the decoder reads back, by the same schema", () => {
    const value = {
      name: "n",
      kept: "",
      exitCode: 0,
      ready: false,
      at: "2026-09-21T13:33:21Z",
      // Lengths of 128 bytes and more take two-byte prefixes, in a map entry nested two deep too.
      labels: { app: "web", tier: "é", long: "é".repeat(200) },
      requests: { cpu: "100m" },
      finalizers: ["a/b", "c/d"],
      items: [{ name: "x" }, { name: "y".repeat(20_000) }],
      secretName: "token",
      nested: { deep: -3 },
    };
    const encoded = encodeMessage(schema, value);
    assert.deepEqual(decodeMessage(schema, encoded, 0, encoded.length), value);
  });

  it("round-trips a node Lease in its envelope, microseconds and all", () => {
    const object = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: {
        name: "hollow-node-0",
        namespace: "kube-node-lease",
        resourceVersion: "42",
        creationTimestamp: "2026-11-26T06:32:12Z",
        ownerReferences: [
          { apiVersion: "v1", kind: "Node", name: "hollow-node-0", uid: "u", controller: false },
        ],
      },
      spec: {
        holderIdentity: "hollow-node-0",
        leaseDurationSeconds: 40,
        renewTime: "2026-11-26T07:15:39.170123Z",
      },
    };
    const body = encodeObject(lease, object);
    assert.equal(body.subarray(0, 4).toString("latin1"), "k8s\0");
    assert.deepEqual(decodeObject(lease, body), object);
  });
});
