// The built-in apps by kind: one module per app, started on loopback by the mesh boot.

import type { AppContext, RunningApp } from './app.js';
import { startFortioEcho } from './fortio-echo.js';
import { startHttpbin } from './httpbin.js';

/** Start the app an instance runs (see InstanceSpec.app). `client` pods have no server. */
export async function startApp(ctx: AppContext): Promise<RunningApp> {
  const kind = ctx.instance.app;
  switch (kind) {
    case 'httpbin':
      return startHttpbin(ctx);
    case 'fortio':
      return startFortioEcho(ctx);
    case 'details':
    case 'ratings':
    case 'reviews':
    case 'productpage':
      // Being written right now (h6); boot fails loudly rather than faking a server.
      throw new Error(`instance ${ctx.instance.pod}: built-in app '${kind}' is not available yet`);
    case 'client':
      throw new Error(`instance ${ctx.instance.pod}: a client workload has no server to start`);
    default: {
      const never: never = kind;
      throw new Error(`instance ${ctx.instance.pod}: unknown app kind ${String(never)}`);
    }
  }
}

export { InstanceCounter } from './app.js';
export type { AppContext, RunningApp } from './app.js';
