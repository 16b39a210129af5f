import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { PodIPAllocator } from "../../src/hollow/pods/ip-allocator.js";

describe("PodIPAllocator", () => {
  it("hands out 253 unique addresses of a /24, never network, gateway or broadcast", () => {
    const ips = new PodIPAllocator("10.64.3.0/24");
    assert.equal(ips.capacity, 253);
    const seen = new Set<string>();
    for (let i = 0; i < 253; i++) seen.add(ips.allocate(`pod-${i}`));
    assert.equal(seen.size, 253);
    for (const reserved of ["10.64.3.0", "10.64.3.1", "10.64.3.255"])
      assert.equal(seen.has(reserved), false, reserved);
    assert.equal(seen.has("10.64.3.2"), true);
    assert.equal(seen.has("10.64.3.254"), true);
    assert.throws(
      () => ips.allocate("one-too-many"),
      /no free pod IP on 10\.64\.3\.0\/24: all 253 addresses are in use/,
    );
  });

  it("gives the same pod the same IP", () => {
    const ips = new PodIPAllocator("10.64.3.0/24");
    const first = ips.allocate("a");
    ips.allocate("b");
    assert.equal(ips.allocate("a"), first);
  });

  it("reuses a released IP, but only after the others were handed out", () => {
    const ips = new PodIPAllocator("10.0.0.0/29"); // .2 - .6
    assert.deepEqual(
      ["a", "b", "c"].map((uid) => ips.allocate(uid)),
      ["10.0.0.2", "10.0.0.3", "10.0.0.4"],
    );
    ips.release("a");
    assert.equal(ips.allocate("d"), "10.0.0.5");
    assert.equal(ips.allocate("e"), "10.0.0.6");
    assert.equal(ips.allocate("f"), "10.0.0.2");
    assert.throws(() => ips.allocate("g"), /no free pod IP/);
    ips.release("c");
    assert.equal(ips.allocate("g"), "10.0.0.4");
  });

  it("reserves adopted IPs so they are not handed out again", () => {
    const ips = new PodIPAllocator("10.0.0.0/29");
    ips.reserve("adopted", "10.0.0.2");
    assert.equal(ips.allocate("new"), "10.0.0.3");
    assert.throws(
      () => ips.reserve("intruder", "10.0.0.2"),
      /pod IP 10\.0\.0\.2 is already held by pod adopted/,
    );
    ips.reserve("adopted", "10.0.0.2");
    assert.equal(ips.allocate("adopted"), "10.0.0.2");
    ips.release("adopted");
    ips.reserve("intruder", "10.0.0.2");
  });

  it("remembers an adopted IP outside the podCIDR without taking from the pool", () => {
    const ips = new PodIPAllocator("10.0.0.0/30"); // only .2
    ips.reserve("old", "192.168.1.7");
    assert.equal(ips.allocate("old"), "192.168.1.7");
    assert.equal(ips.allocate("new"), "10.0.0.2");
  });

  it("takes the network of a CIDR written with host bits", () => {
    const ips = new PodIPAllocator("10.1.2.77/24");
    assert.equal(ips.allocate("a"), "10.1.2.2");
  });

  it("explains CIDRs it cannot use", () => {
    assert.throws(() => new PodIPAllocator("fd00::/64"), /not an IPv4 CIDR/);
    assert.throws(() => new PodIPAllocator("10.0.0.0"), /not an IPv4 CIDR/);
    assert.throws(() => new PodIPAllocator("10.0.0.0/33"), /not an IPv4 CIDR/);
    assert.throws(() => new PodIPAllocator("10.0.0.300/24"), /not an IPv4 CIDR/);
    assert.throws(() => new PodIPAllocator("10.0.0.0/31"), /has no addresses to give to pods/);
    assert.equal(new PodIPAllocator("10.0.0.0/30").capacity, 1);
  });
});
