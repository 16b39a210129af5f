import assert from "node:assert/strict";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { KubeClient } from "../../src/client/kube-client.js";

describe("KubeClient watches and aborts", () => {
  let server: http2.Http2Server;
  let url: string;
  let watchesSeen = 0;

  before(async () => {
    // A plain-text HTTP/2 server on loopback that holds every watch open, as the API server does.
    server = http2.createServer((req) => {
      if (req.url?.includes("watch=true")) watchesSeen++;
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => server.close());

  it("opens no watch when aborted while waiting for the rate limiter", async () => {
    let release: () => void = () => {};
    const throttle = { wait: () => new Promise<void>((resolve) => (release = resolve)) };
    const client = new KubeClient({ server: url }, { throttle });
    const abort = new AbortController();
    const watching = client.watchLines("/api/v1/pods", {}, () => {}, abort.signal);
    abort.abort();
    release();
    await watching;
    assert.equal(watchesSeen, 0);
    client.close();
  });

  it("ends an open watch when aborted", async () => {
    const client = new KubeClient({ server: url });
    const abort = new AbortController();
    const watching = client.watchLines("/api/v1/pods", {}, () => {}, abort.signal);
    while (watchesSeen === 0) await new Promise((r) => setImmediate(r));
    abort.abort();
    await watching;
    assert.equal(watchesSeen, 1);
    client.close();
  });
});
