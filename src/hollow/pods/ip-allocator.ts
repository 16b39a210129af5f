/**
 * Pod IPs for one node, handed out from the node's spec.podCIDR like the host-local IPAM plugin:
 * the network address, the gateway (network + 1) and the broadcast address are never given out,
 * and the search continues after the last address handed out so a freed IP is not reused at once.
 */

function parseIPv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255))
    return undefined;
  return parts.reduce((ip, part) => ip * 256 + Number(part), 0);
}

function formatIPv4(ip: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(ip / 2 ** shift) % 256).join(".");
}

export class PodIPAllocator {
  private readonly first: number;
  private readonly last: number;
  private readonly ipByUid = new Map<string, number>();
  private readonly uidByIp = new Map<number, string>();
  private lastAllocated: number;

  constructor(readonly podCIDR: string) {
    const [address, prefixText] = podCIDR.split("/");
    const base = parseIPv4(address ?? "");
    const prefix = Number(prefixText);
    if (base === undefined || !/^\d{1,2}$/.test(prefixText ?? "") || prefix > 32) {
      throw new Error(`podCIDR ${JSON.stringify(podCIDR)} is not an IPv4 CIDR such as 10.64.3.0/24`);
    }
    const size = 2 ** (32 - prefix);
    const network = base - (base % size);
    this.first = network + 2;
    this.last = network + size - 2;
    if (this.first > this.last) throw new Error(`podCIDR ${podCIDR} has no addresses to give to pods`);
    this.lastAllocated = this.last;
  }

  /** Number of addresses this node can give out. */
  get capacity(): number {
    return this.last - this.first + 1;
  }

  /** The pod's IP: the one it already holds, or the next free one. */
  allocate(uid: string): string {
    const held = this.ipByUid.get(uid);
    if (held !== undefined) return formatIPv4(held);
    for (let step = 1; step <= this.capacity; step++) {
      const candidate = this.first + ((this.lastAllocated - this.first + step) % this.capacity);
      if (!this.uidByIp.has(candidate)) {
        this.hold(uid, candidate);
        this.lastAllocated = candidate;
        return formatIPv4(candidate);
      }
    }
    throw new Error(`no free pod IP on ${this.podCIDR}: all ${this.capacity} addresses are in use`);
  }

  /**
   * Records an IP a pod already has (adopted after a restart). An IP outside the podCIDR is
   * remembered for the pod but takes nothing from the pool.
   */
  reserve(uid: string, ip: string): void {
    const address = parseIPv4(ip);
    if (address === undefined) throw new Error(`pod ${uid} has IP ${JSON.stringify(ip)}, which is not IPv4`);
    const holder = this.uidByIp.get(address);
    if (holder !== undefined && holder !== uid)
      throw new Error(`pod IP ${ip} is already held by pod ${holder}`);
    this.release(uid);
    this.hold(uid, address);
  }

  /** Frees the pod's IP; releasing a pod without an IP does nothing. */
  release(uid: string): void {
    const held = this.ipByUid.get(uid);
    if (held === undefined) return;
    this.ipByUid.delete(uid);
    this.uidByIp.delete(held);
  }

  private hold(uid: string, address: number): void {
    this.ipByUid.set(uid, address);
    this.uidByIp.set(address, uid);
  }
}
