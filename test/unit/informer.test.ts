import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Informer } from "../../src/client/informer.js";
import { ApiError, type FrameSink, type KubeClient } from "../../src/client/kube-client.js";
import type { KubeObject } from "../../src/client/types.js";
import { FakeClock } from "../../src/util/fake-clock.js";

const obj = (name: string, rv: string): KubeObject => ({
  metadata: { name, namespace: "ns", resourceVersion: rv },
});
const line = (type: string, o: unknown) => JSON.stringify({ type, object: o });

/** Serves scripted list bodies and watch streams in order, recording what was asked. */
function scriptedClient(lists: string[], watches: ((emit: (l: string) => void) => Promise<void>)[]) {
  const calls: string[] = [];
  const client = {
    async getBytes(path: string, _accept: string, opts: { query?: Record<string, unknown> }) {
      calls.push(`LIST ${path} rv=${opts.query?.resourceVersion}`);
      const body = lists.shift();
      if (!body) throw new Error("no more lists");
      return Buffer.from(body);
    },
    watch(path: string, query: Record<string, unknown>, _mediaType: string, sink: FrameSink) {
      calls.push(
        query.sendInitialEvents
          ? `WATCH-LIST ${path} match=${query.resourceVersionMatch}`
          : `WATCH ${path} rv=${query.resourceVersion}`,
      );
      let cancelled = false;
      const next = watches.shift();
      // A script's end is the server ending the watch; its throw is the stream failing.
      if (next)
        void next((l) => cancelled || sink.onFrame(Buffer.from(l))).then(
          () => cancelled || sink.onClose(),
          (err: Error) => cancelled || sink.onClose(err),
        );
      return { cancel: () => (cancelled = true) };
    },
  };
  return { client: client as unknown as KubeClient, calls };
}

const settle = () => new Promise((r) => setImmediate(r));

/** Handlers that note each add, update and delete in `seen`. */
const recorder = (seen: string[]) => ({
  add: (o: KubeObject) => seen.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`),
  update: (o: KubeObject) => seen.push(`update ${o.metadata.name}@${o.metadata.resourceVersion}`),
  delete: (o: KubeObject) => seen.push(`delete ${o.metadata.name}`),
});

describe("informer", () => {
  it("lists, watches from the list's resourceVersion, resumes from the last event, relists on 410", async () => {
    const { client, calls } = scriptedClient(
      [
        JSON.stringify({ metadata: { resourceVersion: "10" }, items: [obj("a", "5"), obj("b", "6")] }),
        JSON.stringify({ metadata: { resourceVersion: "40" }, items: [obj("a", "35"), obj("c", "39")] }),
      ],
      [
        async (emit) => {
          emit(line("ADDED", obj("c", "11")));
          emit(line("DELETED", obj("b", "12")));
          emit(line("BOOKMARK", { metadata: { resourceVersion: "20" } }));
        },
        async (emit) =>
          emit(line("ERROR", { kind: "Status", code: 410, message: "too old resource version" })),
      ],
    );
    const seen: string[] = [];
    const informer = new Informer<KubeObject>({
      client,
      path: "/api/v1/pods",
      initialState: "list",
      clock: new FakeClock(),
      rand: () => 0.5,
    }).on(recorder(seen));
    informer.start();
    for (let i = 0; i < 20 && calls.length < 5; i++) await settle();
    informer.stop();
    assert.deepEqual(calls, [
      "LIST /api/v1/pods rv=0",
      "WATCH /api/v1/pods rv=10",
      "WATCH /api/v1/pods rv=20",
      "LIST /api/v1/pods rv=0",
      "WATCH /api/v1/pods rv=40",
    ]);
    assert.deepEqual(seen, ["add a@5", "add b@6", "add c@11", "delete b", "update a@35", "update c@39"]);
    assert.deepEqual([...informer.list()].map((o) => o.metadata.name).sort(), ["a", "c"]);
    assert.equal(informer.stats.relists, 1);
  });

  it("backs off on errors instead of spinning", async () => {
    const clock = new FakeClock();
    let attempts = 0;
    const client = {
      async getBytes() {
        attempts++;
        throw new ApiError(503, "ServiceUnavailable", "down");
      },
    } as unknown as KubeClient;
    const errors: string[] = [];
    const informer = new Informer<KubeObject>({
      client,
      path: "/api/v1/nodes",
      initialState: "list",
      clock,
      rand: () => 0,
      onError: (e) => errors.push(e.message),
    });
    informer.start();
    await settle();
    assert.equal(attempts, 1);
    clock.advance(799);
    await settle();
    assert.equal(attempts, 1, "no retry before the 800 ms back-off");
    clock.advance(1);
    await settle();
    assert.equal(attempts, 2);
    clock.advance(1_600);
    await settle();
    assert.equal(attempts, 3, "the second wait doubles");
    informer.stop();
    assert.equal(errors.length, 3);
  });

  it("takes its state from a watch-list, resumes from the bookmark, starts over on 410", async () => {
    const end = (rv: string) =>
      line("BOOKMARK", {
        metadata: { resourceVersion: rv, annotations: { "k8s.io/initial-events-end": "true" } },
      });
    let release!: () => void;
    const bookmarkSent = new Promise<void>((r) => (release = r));
    const { client, calls } = scriptedClient(
      [],
      [
        async (emit) => {
          emit(line("ADDED", obj("a", "7")));
          emit(line("ADDED", obj("b", "5")));
          await bookmarkSent;
          emit(end("10"));
          emit(line("MODIFIED", obj("a", "11")));
        },
        async (emit) =>
          emit(line("ERROR", { kind: "Status", code: 410, message: "too old resource version" })),
        async (emit) => {
          emit(line("ADDED", obj("a", "35")));
          emit(end("40"));
        },
      ],
    );
    const seen: string[] = [];
    const informer = new Informer<KubeObject>({
      client,
      path: "/api/v1/pods",
      clock: new FakeClock(),
      rand: () => 0.5,
    }).on(recorder(seen));
    let synced = false;
    void informer.synced.then(() => (synced = true));
    informer.start();
    for (let i = 0; i < 10; i++) await settle();
    assert.equal(synced, false, "not synced before the bookmark that ends the initial events");
    assert.deepEqual(seen, [], "initial events are held until the bookmark");
    release();
    for (let i = 0; i < 30 && calls.length < 4; i++) await settle();
    informer.stop();
    assert.equal(synced, true);
    assert.deepEqual(calls, [
      "WATCH-LIST /api/v1/pods match=NotOlderThan",
      "WATCH /api/v1/pods rv=11",
      "WATCH-LIST /api/v1/pods match=NotOlderThan",
      "WATCH /api/v1/pods rv=40",
    ]);
    assert.deepEqual(seen, ["add a@7", "add b@5", "update a@11", "update a@35", "delete b"]);
    assert.equal(informer.stats.lists, 2);
  });

  it("lists instead when the server refuses watch-list", async () => {
    const { client, calls } = scriptedClient(
      [JSON.stringify({ metadata: { resourceVersion: "10" }, items: [obj("a", "5")] })],
      [
        async () => {
          throw new ApiError(422, "Invalid", "sendInitialEvents is forbidden");
        },
      ],
    );
    const informer = new Informer<KubeObject>({
      client,
      path: "/api/v1/pods",
      clock: new FakeClock(),
      rand: () => 0.5,
    });
    informer.start();
    for (let i = 0; i < 20 && calls.length < 3; i++) await settle();
    informer.stop();
    assert.deepEqual(calls, [
      "WATCH-LIST /api/v1/pods match=NotOlderThan",
      "LIST /api/v1/pods rv=0",
      "WATCH /api/v1/pods rv=10",
    ]);
    assert.deepEqual(
      [...informer.list()].map((o) => o.metadata.name),
      ["a"],
    );
  });
});
