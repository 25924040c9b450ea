// VirtualService `fault` → the fault filter's delay and abort (spec §2.7).

import type { FaultAbort, FaultDelay } from './model.js';
import type { Fields } from './fields.js';
import { fromIntegerPercent, readPercentage } from './percent.js';

export const GRPC_STATUS = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED',
  'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];



export function compileFault(f: Fields): { delay?: FaultDelay; abort?: FaultAbort } | undefined {
  f.allow(['delay', 'abort']);
  const out: { delay?: FaultDelay; abort?: FaultAbort } = {};
  const d = f.obj('delay');
  const a = f.obj('abort');
  if (!d && !a) {
    f.error(null, 'fault needs a delay or an abort');
    return undefined;
  }
  if (d) {
    d.allow(['fixedDelay', 'exponentialDelay', 'percentage', 'percent']);
    if (d.has('exponentialDelay')) d.error('exponentialDelay', 'exponentialDelay not supported yet (Istio rejects it)');
    const fixed = d.duration('fixedDelay');
    if (!d.has('fixedDelay') && !d.has('exponentialDelay')) d.error(null, 'missing required field "fixedDelay" (a duration such as 5s)');
    let percentage = readPercentage(d, 'percentage');
    if (d.has('percent')) {
      const n = d.int('percent');
      if (n !== undefined) {
        const fp = fromIntegerPercent(n);
        if (typeof fp === 'string') d.error('percent', fp);
        else if (!d.has('percentage')) {
          percentage = fp;
          d.warn('percent', 'percent is deprecated: use percentage: {value: N}');
        } else d.warn('percent', 'percent is deprecated and ignored because percentage is set');
      }
    }
    // spec §2.7: no percentage at all → the delay never fires.
    if (fixed !== undefined) out.delay = { fixedDelayMs: fixed, percentage: percentage ?? { numerator: 0, denominator: 100 } };
  }
  if (a) {
    a.allow(['httpStatus', 'grpcStatus', 'http2Error', 'percentage']);
    if (a.has('http2Error')) a.error('http2Error', 'HTTP/2 abort fault injection not supported yet (Istio rejects it)');
    const httpStatus = a.int('httpStatus');
    // Istio's validator lets 600 through, but Envoy rejects the route (fault.proto:
    // http_status in [200, 600)), so the config would never reach the sidecar.
    if (httpStatus !== undefined && (httpStatus < 200 || httpStatus > 599)) {
      a.error('httpStatus', `invalid abort http status ${httpStatus}: must be in range 200..599`);
    }
    const grpcStatus = a.str('grpcStatus');
    if (grpcStatus !== undefined && !GRPC_STATUS.includes(grpcStatus)) {
      a.error('grpcStatus', `unknown grpcStatus ${JSON.stringify(grpcStatus)} (one of ${GRPC_STATUS.join(', ')})`);
    }
    if (a.has('httpStatus') && a.has('grpcStatus')) a.error(null, 'only one of httpStatus and grpcStatus may be set');
    if (!a.has('httpStatus') && !a.has('grpcStatus') && !a.has('http2Error')) a.error(null, 'missing required field "httpStatus" (or grpcStatus)');
    const percentage = readPercentage(a, 'percentage') ?? { numerator: 0, denominator: 100 };
    if (httpStatus !== undefined) out.abort = { httpStatus, percentage };
    // gRPC aborts answer HTTP 200 with a grpc-status (spec §2.7).
    else if (grpcStatus !== undefined) out.abort = { httpStatus: 200, grpcStatus, percentage };
  }
  return out;
}

