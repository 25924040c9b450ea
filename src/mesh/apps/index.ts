// The built-in apps by kind: one module per app, started on loopback by the mesh boot.

import type { AppContext, RunningApp } from './app.js';
import { startDetails } from './details.js';
import { startFortioEcho } from './fortio-echo.js';
import { isGoHttpbin, startGoHttpbin } from './go-httpbin.js';
import { startHttpbin } from './httpbin.js';
import { startProductpage } from './productpage.js';
import { startRatings } from './ratings.js';
import { startReviews } from './reviews.js';
import { startModeled } from './modeled/modeled-service.js';

/** Start the app an instance runs (see InstanceSpec.app). `client` pods have no server. */
export function startApp(ctx: AppContext): Promise<RunningApp> {
  const kind = ctx.instance.app;
  switch (kind) {
    case 'httpbin':
      // kennethreitz/kong httpbin (Python shapes) unless the image is go-httpbin.
      return isGoHttpbin(ctx.instance.image) ? startGoHttpbin(ctx) : startHttpbin(ctx);
    case 'fortio':
      return startFortioEcho(ctx);
    case 'details':
      return startDetails(ctx);
    case 'ratings':
      return startRatings(ctx);
    case 'reviews':
      return startReviews(ctx);
    case 'productpage':
      return startProductpage(ctx);
    case 'modeled':
      return startModeled(ctx);
    case 'client':
      return Promise.reject(new Error(`instance ${ctx.instance.pod}: a client workload has no server to start`));
    default: {
      const never: never = kind;
      return Promise.reject(new Error(`instance ${ctx.instance.pod}: unknown app kind ${String(never)}`));
    }
  }
}

export { InstanceCounter } from './app.js';
export type { AppContext, RunningApp } from './app.js';
