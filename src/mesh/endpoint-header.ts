// How a sidecar names the pod it picked when the pod's Deployment serves all its
// replicas on one app listener (apps/endpoint-listener.ts): one request header,
// added last, that the listener takes off again before the app sees the request.
// It plays the part of the pod IP a real Envoy dials.

/** Lower-case, as node:http hands raw header names back as sent. */
export const ENDPOINT_HEADER = 'x-meshbench-endpoint';

/** The header line closing a request head for `pod` (the head's own final CRLF is replaced by this). */
export function endpointHeaderLine(pod: string): string {
  return `${ENDPOINT_HEADER}: ${pod}\r\n\r\n`;
}
