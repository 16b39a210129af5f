import { ApiError, type KubeClient } from "../../client/kube-client.js";
import type { ObjectCodec } from "../../client/object-codec.js";
import type { KubeObject } from "../../client/types.js";
import { lease as leaseSchema } from "../../client/protobuf/coordination-v1.js";
import { requestCodec } from "../codecs.js";

export const LEASE_DURATION_S = 40;
/** The kubelet renews at a quarter of the duration. */
export const LEASE_RENEW_INTERVAL_MS = (LEASE_DURATION_S * 1000) / 4;

interface Lease extends KubeObject {
  spec: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string };
}

/** Heartbeats bypass the client's rate limit, as the kubelet's separate lease client does. */
const UNTHROTTLED = { unthrottled: true };

/** Lease times are MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/**
 * The kubelet's node lease: kube-node-lease/<node>, owned by the Node, renewed by an Update of the lease
 * it last saw (a Get only when it has none or lost a conflict). Heartbeats bypass the rate limit.
 */
export class NodeLease {
  private lease: Lease | undefined;
  /** In the kubelet's content type: protobuf unless --kube-api-content-type says otherwise. */
  private readonly codec: ObjectCodec<Lease>;

  constructor(
    private readonly client: KubeClient,
    private readonly nodeName: string,
    private readonly nodeUid: () => string | undefined,
  ) {
    this.codec = requestCodec<Lease>(client, leaseSchema);
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${this.nodeName}`;
  }

  async renew(now: number): Promise<void> {
    try {
      if (!this.lease) this.lease = await this.getOrCreate(now);
      else {
        // The lease held is kept and only its resourceVersion follows the answer: an object per node per
        // renewal would live the ten seconds that get it promoted to V8's old generation, and a thousand
        // nodes' worth of those set off a major collection every 20 s or so.
        const written = await this.update(this.lease, now);
        this.lease.metadata.resourceVersion = written.metadata.resourceVersion;
      }
    } catch (err) {
      // A conflict (someone else wrote it) or a lost lease: read it afresh next time.
      if (err instanceof ApiError && (err.status === 409 || err.status === 404)) this.lease = undefined;
      throw err;
    }
  }

  private async getOrCreate(now: number): Promise<Lease> {
    try {
      const existing = await this.client.requestObject("GET", this.path, this.codec, undefined, UNTHROTTLED);
      return await this.update(existing, now);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
    const uid = this.nodeUid();
    return this.client.requestObject(
      "POST",
      "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
      this.codec,
      {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: {
          name: this.nodeName,
          namespace: "kube-node-lease",
          ...(uid ? { ownerReferences: [{ apiVersion: "v1", kind: "Node", name: this.nodeName, uid }] } : {}),
        },
        spec: {
          holderIdentity: this.nodeName,
          leaseDurationSeconds: LEASE_DURATION_S,
          renewTime: microTime(now),
        },
      },
      UNTHROTTLED,
    );
  }

  private update(lease: Lease, now: number): Promise<Lease> {
    const body: Lease = {
      ...lease,
      spec: {
        ...lease.spec,
        holderIdentity: this.nodeName,
        leaseDurationSeconds: LEASE_DURATION_S,
        renewTime: microTime(now),
      },
    };
    return this.client.requestObject("PUT", this.path, this.codec, body, UNTHROTTLED);
  }
}
