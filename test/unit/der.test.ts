import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  children,
  namedBits,
  objectId,
  octetString,
  readElement,
  sequence,
  time,
  unsignedInteger,
} from "../../src/master/der.js";

const hex = (b: Buffer) => b.toString("hex");

describe("DER encoding", () => {
  it("encodes object identifiers, base-128 arcs included", () => {
    assert.equal(hex(objectId("2.5.29.14")), "0603551d0e");
    assert.equal(hex(objectId("1.2.840.113549.1.1.11")), "06092a864886f70d01010b");
  });

  it("writes lengths in short and long form", () => {
    assert.equal(hex(octetString(Buffer.alloc(127))).slice(0, 4), "047f");
    assert.equal(hex(octetString(Buffer.alloc(200))).slice(0, 6), "0481c8");
    assert.equal(hex(octetString(Buffer.alloc(300))).slice(0, 8), "0482012c");
  });

  it("keeps integers positive and minimal", () => {
    assert.equal(hex(unsignedInteger(Buffer.from([0x80]))), "02020080");
    assert.equal(hex(unsignedInteger(Buffer.from([0, 0, 1]))), "020101");
    assert.equal(hex(unsignedInteger(Buffer.from([0]))), "020100");
  });

  it("drops trailing zero bits of named bits", () => {
    assert.equal(hex(namedBits([0, 2])), "030205a0"); // digitalSignature, keyEncipherment
    assert.equal(hex(namedBits([0, 5, 6])), "03020186"); // digitalSignature, keyCertSign, cRLSign
  });

  it("switches from UTCTime to GeneralizedTime in 2050", () => {
    assert.equal(time(new Date("2049-12-31T23:59:59Z")).toString("latin1", 2), "491231235959Z");
    assert.equal(time(new Date("2049-12-31T23:59:59Z"))[0], 0x17);
    assert.equal(time(new Date("2050-01-01T00:00:00Z")).toString("latin1", 2), "20500101000000Z");
    assert.equal(time(new Date("2050-01-01T00:00:00Z"))[0], 0x18);
  });

  it("reads back what it wrote", () => {
    const inner = octetString(Buffer.alloc(300, 7));
    const der = sequence(objectId("2.5.4.3"), inner);
    const [oid, value] = children(der, readElement(der, 0));
    assert.equal(hex(oid.raw), hex(objectId("2.5.4.3")));
    assert.equal(value.end - value.start, 300);
    assert.throws(() => readElement(der.subarray(0, 10), 0), /truncated/);
  });
});
