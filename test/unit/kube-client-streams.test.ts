import assert from "node:assert/strict";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { ApiError, KubeClient } from "../../src/client/kube-client.js";

describe("KubeClient watches and cancels", () => {
  let server: http2.Http2Server;
  let url: string;
  let watchesSeen = 0;

  before(async () => {
    // A plain-text HTTP/2 server on loopback that holds every watch open, as the API server does.
    server = http2.createServer((req, res) => {
      if (req.url?.includes("watch=true")) watchesSeen++;
      else if (req.url?.startsWith("/split")) {
        // "é" is two bytes, cut between its chunks; the last line has no newline.
        const bytes = Buffer.from('{"a":"é"}\n\n{"b":1}\n{"c":2}', "utf8");
        const cut = bytes.indexOf(0xa9);
        res.write(bytes.subarray(0, cut));
        setImmediate(() => res.end(bytes.subarray(cut)));
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
    return { closes, sink: { onLine: () => {}, onClose: (err?: Error) => closes.push(err) } };
  };

  /** The lines a stream delivers, and how it closed. */
  const collect = (client: KubeClient, path: string) =>
    new Promise<{ lines: string[]; err?: Error }>((resolve) => {
      const lines: string[] = [];
      client.streamLines(
        path,
        {},
        { onLine: (l) => lines.push(l), onClose: (err) => resolve({ lines, err }) },
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

  it("opens no watch when cancelled while waiting for the rate limiter", async () => {
    let release: () => void = () => {};
    const waiting = new Promise<void>((resolve) => (release = resolve));
    const throttle = { wait: () => waiting };
    const client = new KubeClient({ server: url }, { throttle });
    const { sink, closes } = silentSink();
    const watch = client.watchLines("/api/v1/pods", {}, sink);
    watch.cancel();
    release();
    await waiting;
    await new Promise((r) => setImmediate(r));
    assert.equal(watchesSeen, 0);
    assert.deepEqual(closes, [], "a cancelled stream's sink hears nothing");
    client.close();
  });

  it("ends an open watch when cancelled, and a followed stream when its signal aborts", async () => {
    const client = new KubeClient({ server: url });
    const { sink, closes } = silentSink();
    const watch = client.watchLines("/api/v1/pods", {}, sink);
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
});
