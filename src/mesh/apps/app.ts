// The contract between the mesh boot and the built-in apps (one app instance =
// one "pod", served on its Deployment's shared loopback listener).

import type { InstanceSpec } from '../config/model.js';
import { isShadowHost } from '../authority.js';
import type { EndpointListener } from './endpoint-listener.js';
import type { InboundCluster } from '../stats/inbound.js';
import type { InstanceFaults } from './instance-faults.js';

/** Per-instance request accounting, read by MeshHandle.snapshot(). */
export class InstanceCounter {
  requests = 0;
  shadowRequests = 0;
  readonly codes: Record<string, number> = {};
  /** Call once per response the app sends. */
  record(status: number, host: string | undefined): void {
    this.requests++;
    this.codes[status] = (this.codes[status] ?? 0) + 1;
    if (host !== undefined && isShadowHost(host)) this.shadowRequests++;
  }
}


export interface AppContext {
  instance: InstanceSpec;
  /** Interface to bind (always loopback). Port 0 = ephemeral. */
  host: string;
  port: number;
  /**
   * The workload's own outbound sidecar listener. Apps that call other services
   * (bookinfo productpage -> reviews -> ratings) send `GET http://reviews:9080/...`
   * there with `Host: reviews:9080`, so every hop goes through the caller's sidecar.
   */
  outbound: { host: string; port: number };
  counter: InstanceCounter;
  /** The Deployment's shared app listener this replica joins; absent = the instance listens on host:port itself. */
  listener?: EndpointListener;
  /** The pod's inbound sidecar stats (`inbound|<port>||`), fed by the app server per request. */
  inbound?: InboundCluster;
  /** This instance's share of the run's seeded RNG (modeled services draw from it); default Math.random. */
  random?: () => number;
  /** Access-log sink (gunicorn/combined style line), or undefined for none. */
  accessLog?: (line: string) => void;
  /** Faults the run applies to this pod (stop/start, slow, fail); serve() honours them. */
  faults?: InstanceFaults;
}

export interface RunningApp {
  /** The port actually bound. */
  port: number;
  close(): Promise<void>;
}
