// Entry point of the mesh thread (see thread.ts): boots the mesh from
// workerData, then answers snapshot/take-mirror-pairs/close requests from the main thread.

import { parentPort, workerData } from 'node:worker_threads';
import type { MeshConfig } from './config/model.js';
import type { MeshBootOptions, MeshHandle } from './api.js';
import { startMesh } from './mesh.js';
import { serializeError, type MainToWorker, type WorkerToMain } from './thread.js';

const port = parentPort!;
const { config, opts } = workerData as { config: MeshConfig; opts: MeshBootOptions };
const post = (m: WorkerToMain) => port.postMessage(m);

let mesh: MeshHandle | undefined;
try {
  mesh = await startMesh(config, opts);
} catch (e) {
  // Everything the boot opened is already closed; the main side terminates us.
  post({ type: 'boot-error', error: serializeError(e) });
}

if (mesh) {
  const m0 = mesh;
  post({ type: 'ready', endpoints: { sidecars: m0.sidecars, instances: m0.instances, adminPort: m0.adminPort } });
  port.on('message', (m: MainToWorker) => {
    if (m.type === 'snapshot') {
      m0.snapshot().then(
        (snapshot) => post({ type: 'snapshot', id: m.id, snapshot }),
        (e) => post({ type: 'failed', id: m.id, error: serializeError(e) }),
      );
    } else if (m.type === 'take-mirror-pairs') {
      m0.takeMirrorPairs().then(
        (take) => post({ type: 'mirror-pairs', id: m.id, take }),
        (e) => post({ type: 'failed', id: m.id, error: serializeError(e) }),
      );
    } else if (m.type === 'instance-event') {
      m0.instanceEvent(m.pod, m.action).then(
        (atEpochMs) => post({ type: 'instance-event-done', id: m.id, atEpochMs }),
        (e) => post({ type: 'failed', id: m.id, error: serializeError(e) }),
      );
    } else if (m.type === 'close') {
      m0.close().then(
        () => post({ type: 'closed', id: m.id }),
        (e) => post({ type: 'failed', id: m.id, error: serializeError(e) }),
      );
    }
  });
}
