// An upstream host (Envoy HostImpl): one pod of a Kubernetes service, or one
// ServiceEntry static endpoint. Its loopback port is resolved at connect time
// because pods may start after the sidecar was built.

export class Host {
  /** LEAST_REQUEST input: requests attached to a connection of this host. */
  activeRequests = 0;
  constructor(
    /** Pod name, or `address:port` for a static endpoint; the outlier detector's host id. */
    readonly id: string,
    /** Position in the cluster's host list (indexes per-host pools). */
    readonly index: number,
    readonly labels: Record<string, string>,
    readonly address: string,
    private readonly portOf: () => number | undefined,
  ) {}

  /** Current loopback port, or undefined while the instance is not running. */
  port(): number | undefined {
    return this.portOf();
  }
}
