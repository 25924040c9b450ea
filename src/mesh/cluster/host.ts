// An upstream host (Envoy HostImpl): one pod of a Kubernetes service, or one
// ServiceEntry static endpoint. Its loopback port is resolved at connect time
// because pods may start after the sidecar was built.

/**
 * Envoy HostStats that admin `/clusters` prints per host (`rq_active` is
 * Host.activeRequests). Counted by the connection pool (cx_*, rq_total) and the
 * router, where Envoy counts them: rq_success / rq_error per response by status,
 * rq_error also per attempt that ends without one (reset, connect failure,
 * timeout), rq_timeout per timed-out attempt.
 */
export class HostStats {
  cx_active = 0;
  cx_connect_fail = 0;
  cx_total = 0;
  rq_error = 0;
  rq_success = 0;
  rq_timeout = 0;
  rq_total = 0;

  /** An upstream response's status: 5xx is an error, anything else a success (router.cc). */
  chargeResponse(status: number): void {
    if (status >= 500 && status <= 599) this.rq_error++;
    else this.rq_success++;
  }
}

export class Host {
  /** LEAST_REQUEST input and Envoy's `rq_active`: requests attached to a connection of this host. */
  activeRequests = 0;
  readonly stats = new HostStats();
  constructor(
    /** Pod name, or `address:port` for a static endpoint; the outlier detector's host id. */
    readonly id: string,
    /** Position in the cluster's host list (indexes per-host pools). */
    readonly index: number,
    readonly labels: Record<string, string>,
    readonly address: string,
    private readonly portOf: () => number | undefined,
    /** The pod a shared app listener must hand the connection to (sent first on each connection); none for static endpoints. */
    readonly endpoint?: string,
  ) {}

  /** Current loopback port, or undefined while the instance is not running. */
  port(): number | undefined {
    return this.portOf();
  }
}
