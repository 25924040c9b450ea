// The mesh on its own worker thread, so the UI and the load coordinator cannot
// delay a proxied request. MeshConfig crosses as plain data (structured clone);
// snapshot() and close() are request/response messages over the worker port.

import { Worker } from 'node:worker_threads';
import type { MeshConfig } from './config/model.js';
import type { InstanceAction, MeshBootOptions, MeshEndpoints, MeshHandle, MeshSnapshot, MirrorTake } from './api.js';
import { ConfigError, ConfigErrors, FlagError, RuntimeError, UserError } from '../errors.js';
import type { SourceLocation } from '../errors.js';

/** A UserError flattened for postMessage (class identity does not survive structured clone). */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  user?: {
    code: string;
    exitCode: number;
    detail?: string;
    location?: SourceLocation;
    path?: string;
    errors?: SerializedError[];
  };
}

export type WorkerToMain =
  | { type: 'ready'; endpoints: MeshEndpoints }
  | { type: 'boot-error'; error: SerializedError }
  | { type: 'snapshot'; id: number; snapshot: MeshSnapshot }
  | { type: 'mirror-pairs'; id: number; take: MirrorTake }
  | { type: 'instance-event-done'; id: number; atEpochMs: number }
  | { type: 'closed'; id: number }
  | { type: 'failed'; id: number; error: SerializedError };

export type MainToWorker =
  | { type: 'snapshot'; id: number }
  | { type: 'take-mirror-pairs'; id: number }
  | { type: 'instance-event'; id: number; pod: string; action: InstanceAction }
  | { type: 'close'; id: number };

export function serializeError(e: unknown): SerializedError {
  if (e instanceof UserError) {
    const user: NonNullable<SerializedError['user']> = { code: e.code, exitCode: e.exitCode };
    if (e instanceof ConfigError) {
      user.detail = e.detail;
      if (e.location) user.location = e.location;
      user.path = e.path;
    }
    if (e instanceof ConfigErrors) user.errors = e.errors.map(serializeError);
    return { name: e.name, message: e.message, user };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
}

/** Rebuilds the same UserError class, code and message on this side. */
export function deserializeError(s: SerializedError): Error {
  const u = s.user;
  if (!u) {
    const e = new Error(s.message);
    e.name = s.name;
    if (s.stack) e.stack = s.stack;
    return e;
  }
  switch (s.name) {
    case 'FlagError':
      return new FlagError(s.message);
    case 'ConfigError':
      return new ConfigError(u.detail ?? s.message, u.location, u.path ?? '');
    case 'ConfigErrors':
      return new ConfigErrors((u.errors ?? []).map((x) => deserializeError(x) as ConfigError));
    case 'RuntimeError':
      return new RuntimeError(u.code, s.message);
    default: {
      const e = new UserError(u.code, s.message, u.exitCode);
      e.name = s.name;
      return e;
    }
  }
}

/**
 * An exception that escaped the mesh thread is a bug: a plain Error (the CLI exits
 * 70 and prints the stack), carrying the mesh thread's own stack under a line that
 * says when it happened. Real runtime failures (port in use) arrive as UserErrors
 * over the boot-error message instead.
 */
export function meshThreadCrash(e: unknown, when: string): Error {
  const cause = e instanceof Error ? e : new Error(String(e));
  const out = new Error(`mesh thread crashed ${when}: ${cause.message}`, { cause });
  out.stack = `Error: ${out.message}\n${cause.stack ?? ''}`;
  return out;
}

/** A mesh on its thread; `crashed` settles if the thread dies before close() (a proxy bug). */
export interface MeshThreadHandle extends MeshHandle {
  readonly crashed: Promise<Error>;
}

export async function startMeshThread(config: MeshConfig, opts: MeshBootOptions = {}): Promise<MeshThreadHandle> {
  const worker = new Worker(new URL('./mesh-worker.js', import.meta.url), {
    workerData: { config, opts },
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  let dead: Error | undefined;
  let closingStarted = false;
  let onCrash: (e: Error) => void = () => undefined;
  const crashed = new Promise<Error>((resolve) => (onCrash = resolve));

  const failAll = (e: Error) => {
    if (!dead && !closingStarted) onCrash(e);
    dead ??= e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };

  const endpoints = await new Promise<MeshEndpoints>((resolve, reject) => {
    const onMessage = (m: WorkerToMain) => {
      if (m.type === 'ready') {
        cleanup();
        resolve(m.endpoints);
      } else if (m.type === 'boot-error') {
        cleanup();
        void worker.terminate();
        const e = deserializeError(m.error);
        reject(e instanceof UserError ? e : meshThreadCrash(e, 'during boot'));
      }
    };
    const onError = (e: Error) => {
      cleanup();
      reject(meshThreadCrash(e, 'during boot'));
    };
    const onExit = (code: number) => {
      cleanup();
      reject(meshThreadCrash(new Error(`exited with code ${code} before it was ready`), 'during boot'));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });

  worker.on('message', (m: WorkerToMain) => {
    if (m.type === 'snapshot' || m.type === 'mirror-pairs' || m.type === 'instance-event-done' || m.type === 'closed' || m.type === 'failed') {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.type === 'failed') p.reject(deserializeError(m.error));
      else p.resolve(m.type === 'snapshot' ? m.snapshot : m.type === 'mirror-pairs' ? m.take : m.type === 'instance-event-done' ? m.atEpochMs : undefined);
    }
  });
  worker.on('error', (e) => failAll(meshThreadCrash(e, 'while running')));
  worker.on('exit', (code) =>
    failAll(
      closingStarted
        ? new RuntimeError('MB_ERR_MESH_CLOSED', 'the mesh is closed')
        : meshThreadCrash(new Error(`exited with code ${code}`), 'while running'),
    ),
  );

  type Request = MainToWorker extends infer M ? (M extends MainToWorker ? Omit<M, 'id'> : never) : never;
  const call = <T>(request: MainToWorker['type'] | Request): Promise<T> => {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    const m = { ...(typeof request === 'string' ? { type: request } : request), id } as MainToWorker;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage(m);
    });
  };

  let closing: Promise<void> | undefined;
  return {
    ...endpoints,
    crashed,
    snapshot: () => call<MeshSnapshot>('snapshot'),
    takeMirrorPairs: () => call<MirrorTake>('take-mirror-pairs'),
    instanceEvent: (pod, action) => call<number>({ type: 'instance-event', pod, action }),
    close: () =>
      (closing ??= (async () => {
        closingStarted = true;
        try {
          if (!dead) await call<void>('close');
        } finally {
          await worker.terminate();
        }
      })()),
  };
}
