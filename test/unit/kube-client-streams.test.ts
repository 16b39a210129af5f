import assert from "node:assert/strict";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { ApiError, KubeClient } from "../../src/client/kube-client.js";
import { PROTOBUF_MEDIA_TYPE } from "../../src/client/protobuf/envelope.js";

/** kube-apiserver v1.37.2's protobuf Status for GET of a missing pod: 404 NotFound, pods "p1x" not found. */
const PROTOBUF_NOT_FOUND = Buffer.from(
  "6b3873000a0c0a027631120653746174757312470a060a0012001a0012074661696c7572651a14706f6473202270317822206e" +
    "6f7420666f756e6422084e6f74466f756e642a110a0370317812001a04706f6473280032003094031a002200",
  "hex",
);

/** Length-prefixed frames, as a protobuf watch sends them. */
const lengthPrefixed = (...messages: string[]) =>
  Buffer.concat(
    messages.map((m) => {
      const body = Buffer.from(m);
      const head = Buffer.alloc(4);
      head.writeUInt32BE(body.length);
      return Buffer.concat([head, body]);
    }),
  );

describe("KubeClient watches and cancels", () => {
  let server: http2.Http2Server;
  let url: string;
  let watchesSeen = 0;
  const accepted: string[] = [];
  /** Requests for /busy and /busy-no-retry-after, each answered 429 the first time. */
  const busyTimes: Record<string, number[]> = {};
  /** Watches of /stale, each answered 504 the first time (with Retry-After when asked for "retry"). */
  const staleTimes: Record<string, number[]> = {};

  before(async () => {
    // A plain-text HTTP/2 server on loopback that holds every watch open, as the API server does.
    server = http2.createServer((req, res) => {
      accepted.push(req.headers.accept ?? "");
      if (req.url?.startsWith("/stale")) {
        // A 504 Timeout Status, with Retry-After when asked for, as the API server's timeout errors carry it.
        const seen = (staleTimes[req.url] ??= []);
        seen.push(performance.now());
        if (seen.length > 1) return res.end('{"type":"ADDED"}\n');
        res.writeHead(504, {
          "content-type": "application/json",
          ...(req.url.includes("retry") ? { "retry-after": "1" } : {}),
        });
        res.end(
          JSON.stringify({
            kind: "Status",
            code: 504,
            reason: "Timeout",
            message: "the server was unable to return a response in the time allotted",
          }),
        );
      } else if (req.url?.includes("watch=true")) watchesSeen++;
      else if (req.url?.startsWith("/split")) {
        // "é" is two bytes, cut between its chunks; the last line has no newline.
        const bytes = Buffer.from('{"a":"é"}\n\n{"b":1}\n{"c":2}', "utf8");
        const cut = bytes.indexOf(0xa9);
        res.write(bytes.subarray(0, cut));
        setImmediate(() => res.end(bytes.subarray(cut)));
      } else if (req.url?.startsWith("/frames")) {
        // Three frames, the second's length header cut between chunks, the third's body too.
        const bytes = lengthPrefixed("one", "", "three");
        res.write(bytes.subarray(0, 9));
        setImmediate(() => {
          res.write(bytes.subarray(9, 15));
          setImmediate(() => res.end(bytes.subarray(15)));
        });
      } else if (req.url?.startsWith("/notfound")) {
        res.writeHead(404, { "content-type": PROTOBUF_MEDIA_TYPE });
        res.end(PROTOBUF_NOT_FOUND);
      } else if (req.url?.startsWith("/busy")) {
        const seen = (busyTimes[req.url] ??= []);
        seen.push(performance.now());
        if (seen.length > 1) return res.end("{}");
        // As the API server's max-inflight filter answers.
        res.writeHead(429, {
          "content-type": "application/json",
          ...(req.url === "/busy" ? { "retry-after": "1" } : {}),
        });
        res.end(JSON.stringify({ kind: "Status", code: 429, reason: "TooManyRequests", message: "busy" }));
      } else if (req.url?.startsWith("/forbidden")) {
        res.writeHead(403, { "content-type": "application/json" });
        res.end(JSON.stringify({ kind: "Status", code: 403, reason: "Forbidden", message: "no" }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => server.close());

  const silentSink = () => {
    const closes: (Error | undefined)[] = [];
    return { closes, sink: { onFrame: () => {}, onClose: (err?: Error) => closes.push(err) } };
  };

  /** The frames a stream delivers, as text, and how it closed. */
  const collect = (client: KubeClient, path: string, framing: "lines" | "length-prefixed" = "lines") =>
    new Promise<{ lines: string[]; err?: Error }>((resolve) => {
      const lines: string[] = [];
      client.stream(
        path,
        {},
        { onFrame: (f) => lines.push(f.toString()), onClose: (err) => resolve({ lines, err }) },
        { verb: "GET", accept: "application/json", framing },
      );
    });

  it("cuts lines at newlines across chunks, keeping a character split between them", async () => {
    const client = new KubeClient({ server: url });
    const { lines, err } = await collect(client, "/split");
    assert.deepEqual(lines, ['{"a":"é"}', '{"b":1}', '{"c":2}']);
    assert.equal(err, undefined);
    const forbidden = await collect(client, "/forbidden");
    assert.deepEqual(forbidden.lines, []);
    assert.equal((forbidden.err as ApiError).status, 403);
    assert.match(forbidden.err!.message, /GET \/forbidden: 403 Forbidden: no/);
    client.close();
  });

  it("cuts length-prefixed frames across chunks, an empty one included", async () => {
    const client = new KubeClient({ server: url });
    const { lines, err } = await collect(client, "/frames", "length-prefixed");
    assert.deepEqual(lines, ["one", "", "three"]);
    assert.equal(err, undefined);
    client.close();
  });

  it("asks for its preferred encoding only where the body goes unread, and reads a protobuf Status", async () => {
    const client = new KubeClient({ server: url }, { preferredMediaType: PROTOBUF_MEDIA_TYPE });
    accepted.length = 0;
    const err = await client.get("/notfound", { discardBody: true }).catch((e: Error) => e);
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 404);
    assert.equal(err.message, 'GET /notfound: 404 NotFound: pods "p1x" not found');
    await assert.rejects(client.get("/notfound"), /404/);
    assert.deepEqual(accepted, [PROTOBUF_MEDIA_TYPE, "application/json"]);
    client.close();
  });

  it("opens no followed stream when cancelled while waiting for the rate limiter", async () => {
    let release: () => void = () => {};
    const waiting = new Promise<void>((resolve) => (release = resolve));
    const throttle = { tryAccept: () => false, wait: () => waiting };
    const client = new KubeClient({ server: url }, { throttle });
    const { sink, closes } = silentSink();
    const stream = client.stream("/api/v1/pods", { watch: "true" }, sink, {
      verb: "GET",
      accept: "application/json",
      framing: "lines",
    });
    stream.cancel();
    release();
    await waiting;
    await new Promise((r) => setImmediate(r));
    assert.equal(watchesSeen, 0);
    assert.deepEqual(closes, [], "a cancelled stream's sink hears nothing");
    client.close();
  });

  it("sends a watch without the rate limiter, and again through it after a 504's Retry-After", async () => {
    const throttled: number[] = [];
    const throttle = { tryAccept: () => false, wait: async () => void throttled.push(performance.now()) };
    const client = new KubeClient({ server: url }, { throttle });
    const watched = (path: string) =>
      new Promise<{ frames: string[]; err?: Error }>((resolve) => {
        const frames: string[] = [];
        client.watch(path, {}, "application/json", {
          onFrame: (f) => frames.push(f.toString()),
          onClose: (err) => resolve({ frames, err }),
        });
      });
    const retried = await watched("/stale-retry");
    assert.deepEqual(retried, { frames: ['{"type":"ADDED"}'], err: undefined });
    const [first, second] = staleTimes["/stale-retry?watch=true"];
    assert.ok(second - first >= 990, `sent again after ${second - first} ms, not the 1 s asked for`);
    assert.equal(throttled.length, 1, "only the second attempt waits for the rate limiter");
    assert.ok(throttled[0] >= first + 990);
    const failed = await watched("/stale");
    assert.equal((failed.err as ApiError).status, 504, "without Retry-After the watcher hears the error");
    assert.equal(staleTimes["/stale?watch=true"].length, 1);
    client.close();
  });

  it("ends an open watch when cancelled, and a followed stream when its signal aborts", async () => {
    const client = new KubeClient({ server: url });
    const { sink, closes } = silentSink();
    const watch = client.watch("/api/v1/pods", {}, "application/json", sink);
    while (watchesSeen === 0) await new Promise((r) => setImmediate(r));
    watch.cancel();
    assert.deepEqual(closes, []);
    const abort = new AbortController();
    const following = client.followLines("/api/v1/pods", { watch: "true" }, () => {}, abort.signal);
    while (watchesSeen === 1) await new Promise((r) => setImmediate(r));
    abort.abort();
    await following;
    assert.equal(watchesSeen, 2);
    client.close();
  });

  it("sends a request again after the Retry-After of a 429, and not without one", async () => {
    const client = new KubeClient({ server: url });
    await client.get("/busy");
    const [first, second] = busyTimes["/busy"];
    assert.equal(busyTimes["/busy"].length, 2);
    assert.ok(second - first >= 990, `retried after ${second - first} ms, not the 1 s asked for`);
    await assert.rejects(client.get("/busy-no-retry-after"), (err: ApiError) => err.status === 429);
    assert.equal(busyTimes["/busy-no-retry-after"].length, 1);
    client.close();
  });
});
