import assert from "node:assert/strict";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import {
  decodeStatus,
  headerBlockBound,
  huffmanDigits,
  writeHeaderBlock,
} from "../../src/client/h2/hpack.js";
import { H2Session, StreamUnprocessedError } from "../../src/client/h2/session.js";

/** A request on the session, collected: status, body, or the error that ended it. */
function exchange(
  session: H2Session,
  path: string,
  body?: Buffer,
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    let status = 0;
    const chunks: Buffer[] = [];
    session.request(body ? "POST" : "GET", path, [], body, {
      onResponse: (s) => (status = s),
      // A chunk is a view of the shared read buffer, valid only during the call.
      onData: (c) => chunks.push(Buffer.copyBytesFrom(c)),
      onEnd: () => resolve({ status, body: Buffer.concat(chunks) }),
      onError: reject,
    });
  });
}

describe("HPACK subset", () => {
  it("reads :status from static entries, raw literals and Huffman literals", () => {
    assert.equal(decodeStatus(Buffer.from([0x88])), 200);
    assert.equal(decodeStatus(Buffer.from([0x8d])), 404);
    // Literal without indexing, name index 8 (:status), raw value "201".
    assert.equal(decodeStatus(Buffer.from([0x08, 0x03, 0x32, 0x30, 0x31])), 201);
    // Literal with incremental indexing, Huffman "302" (RFC 7541 C.6.1: 0x6402).
    assert.equal(decodeStatus(Buffer.from([0x48, 0x82, 0x64, 0x02])), 302);
    assert.equal(huffmanDigits(Buffer.from([0x64, 0x0e, 0xff])), "307");
  });

  it("reads Retry-After in seconds, raw or Huffman-coded, and passes over an HTTP date", () => {
    const status429 = [0x08, 0x03, ...Buffer.from("429")];
    // retry-after is static index 53: a full 4-bit prefix (15), then 38.
    const retryAfter = (value: number[]) => Buffer.from([...status429, 0x0f, 0x26, ...value]);
    const head: { retryAfterSeconds?: number } = {};
    assert.equal(decodeStatus(retryAfter([0x01, 0x31]), head), 429);
    assert.equal(head.retryAfterSeconds, 1);
    // Huffman "10": the 5-bit codes 00001 and 00000, then six bits of padding.
    decodeStatus(retryAfter([0x82, 0x08, 0x3f]), head);
    assert.equal(head.retryAfterSeconds, 10);
    const date = Buffer.from("Wed, 21 Oct 2026 07:28:00 GMT");
    const trailing = [0x0f, 0x26, 0x01, 0x37];
    const dated = {} as { retryAfterSeconds?: number };
    decodeStatus(Buffer.from([...status429, 0x0f, 0x26, date.length, ...date]), dated);
    assert.equal(dated.retryAfterSeconds, undefined);
    // A later field still reads after the date is passed over.
    decodeStatus(Buffer.from([...status429, 0x0f, 0x26, date.length, ...date, ...trailing]), dated);
    assert.equal(dated.retryAfterSeconds, 7);
  });

  it("refuses dynamic-table references, which a header table of size 0 forbids", () => {
    assert.throws(() => decodeStatus(Buffer.from([0xbe])), /outside the static table/);
  });

  it("encodes literals a decoder reads back", () => {
    const headers: [string, string][] = [
      ["x-long-header-name", "v".repeat(300)],
      ["user-agent", "é".repeat(100)],
    ];
    const pseudo = { scheme: "https", authority: "127.0.0.1:6443" };
    const path = "/api/v1/pods?watch=true";
    const out = Buffer.alloc(headerBlockBound(pseudo, "GET", path, headers));
    const block = out.subarray(0, writeHeaderBlock(pseudo, "GET", path, headers, out, 0));
    // :method is name index 2 with a 4-bit prefix, then a 7-bit length prefix and its bytes.
    assert.deepEqual([...block.subarray(0, 5)], [0x02, 3, ...Buffer.from("GET")]);
    // :path (index 4) follows :scheme (6) and :authority (1).
    const pathAt = block.indexOf(Buffer.from(path)) - 2;
    assert.deepEqual([...block.subarray(pathAt, pathAt + 2)], [0x04, path.length]);
    // A long value: the 7-bit prefix is full (127) and 300 - 127 = 173 follows as 0xad 0x01.
    const long = block.indexOf(Buffer.from("x-long-header-name")) + "x-long-header-name".length;
    assert.deepEqual([...block.subarray(long, long + 3)], [0x7f, 0xad, 0x01]);
    assert.equal(block.subarray(long + 3, long + 303).toString(), "v".repeat(300));
    // user-agent is static index 58 = 15 + 43 in a 4-bit prefix; two bytes per "é": 200 = 127 + 73.
    assert.deepEqual([...block.subarray(block.length - 204, block.length - 200)], [0x0f, 43, 0x7f, 73]);
    assert.equal(block.subarray(block.length - 200).toString(), "é".repeat(100));
    assert.equal(decodeStatus(block), 0);
  });
});

describe("H2Session against Node's HTTP/2 server", () => {
  let server: http2.Http2Server;
  let url: URL;

  before(async () => {
    server = http2.createServer({ settings: { maxConcurrentStreams: 2 } }, (req, res) => {
      const status = Number(new URL(req.url, "http://x").searchParams.get("status") ?? 200);
      if (req.url.startsWith("/echo")) {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          res.writeHead(status);
          res.end(Buffer.concat(chunks));
        });
        return;
      }
      if (req.url.startsWith("/slow")) {
        setTimeout(() => res.end("slow"), 20);
        return;
      }
      res.writeHead(status, { "x-filler": "y".repeat(100) });
      res.end(`status ${status}`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });

  after(() => server.close());

  it("reads every status the API server sends, however the server encodes it", async () => {
    const session = new H2Session({ url, onClose: () => {} });
    for (const status of [200, 201, 204, 403, 404, 409, 410, 422, 429, 500, 503]) {
      const res = await exchange(session, `/?status=${status}`);
      assert.equal(res.status, status);
      if (status !== 204) assert.equal(res.body.toString(), `status ${status}`);
    }
    session.close();
  });

  it("sends a body larger than the server's flow-control window and receives it back", async () => {
    const session = new H2Session({ url, onClose: () => {} });
    const body = Buffer.alloc(1_000_000, "k");
    const res = await exchange(session, "/echo", body);
    assert.equal(res.status, 200);
    assert.equal(res.body.length, body.length);
    assert.ok(res.body.equals(body));
    session.close();
  });

  it("queues streams beyond the server's MAX_CONCURRENT_STREAMS and runs them all", async () => {
    const session = new H2Session({ url, onClose: () => {} });
    await exchange(session, "/"); // the server's SETTINGS are known from here on
    const results = await Promise.all(Array.from({ length: 10 }, () => exchange(session, "/slow")));
    assert.deepEqual(
      results.map((r) => r.body.toString()),
      Array.from({ length: 10 }, () => "slow"),
    );
    session.close();
  });

  it("takes no new streams after the server's GOAWAY, and fails streams when the connection drops", async () => {
    const peer = http2.createServer((req, res) => {
      if (req.url === "/drop") return req.stream.session?.destroy();
      res.end("ok");
      req.stream.session?.goaway(http2.constants.NGHTTP2_NO_ERROR);
    });
    await new Promise<void>((resolve) => peer.listen(0, "127.0.0.1", resolve));
    const peerUrl = new URL(`http://127.0.0.1:${(peer.address() as AddressInfo).port}`);
    let goneAway!: () => void;
    const closed = new Promise<void>((resolve) => (goneAway = resolve));
    const session = new H2Session({ url: peerUrl, onClose: () => goneAway() });
    assert.equal((await exchange(session, "/")).body.toString(), "ok");
    await closed;
    assert.equal(session.usable, false);
    await assert.rejects(exchange(session, "/"), StreamUnprocessedError);

    const dropped = new H2Session({ url: peerUrl, onClose: () => {} });
    await assert.rejects(exchange(dropped, "/drop"), /closed/);
    peer.close();
  });

  it("reports a refused connection to every stream", async () => {
    const closedServer = http2.createServer();
    await new Promise<void>((resolve) => closedServer.listen(0, "127.0.0.1", resolve));
    const port = (closedServer.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closedServer.close(() => resolve()));
    const session = new H2Session({ url: new URL(`http://127.0.0.1:${port}`), onClose: () => {} });
    await assert.rejects(exchange(session, "/"), /ECONNREFUSED/);
  });
});
