// Mounts the dashboard on a TTY: events fold into one DashboardState, a timer
// re-renders at most `fps` times a second and only when something changed, and
// `q` / Ctrl-C call onQuit (the runner then stops the step and reports).

import React from 'react';
import { render, useInput, useStdin } from 'ink';
import type { ScenarioEvent } from '../scenario/runner.js';
import { Dashboard } from './dashboard.js';
import { initialState, reduce } from './state.js';
import type { DashboardState } from './state.js';

export interface LiveOptions {
  stdout: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  onQuit: () => void;
  fps?: number;
  width?: number;
}

export interface LiveView {
  handle(e: ScenarioEvent): void;
  /** Final frame, then unmount (the plain report is printed after this). */
  stop(): Promise<void>;
}

function Root(props: { state: DashboardState; width: number; onQuit: () => void }): React.ReactElement {
  const { isRawModeSupported } = useStdin();
  useInput(
    (input, key) => {
      if (input === 'q' || (key.ctrl && input === 'c')) props.onQuit();
    },
    { isActive: isRawModeSupported === true },
  );
  return <Dashboard state={props.state} width={props.width} />;
}

export function startLiveView(opts: LiveOptions): LiveView {
  const state = initialState();
  const fps = opts.fps ?? 8;
  const width = () => opts.width ?? Math.max(40, (opts.stdout.columns || 80) - 1);
  let dirty = false;
  let quitting = false;
  const onQuit = () => {
    if (quitting) return;
    quitting = true;
    state.phase = 'stopping';
    dirty = true;
    opts.onQuit();
  };
  // A fresh object per frame so React sees a change; the state itself is folded in place.
  const tree = () => <Root state={{ ...state }} width={width()} onQuit={onQuit} />;
  const ink = render(tree(), {
    stdout: opts.stdout,
    ...(opts.stdin ? { stdin: opts.stdin } : {}),
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: fps,
  });
  const timer = setInterval(() => {
    if (!dirty) return;
    dirty = false;
    ink.rerender(tree());
  }, Math.round(1000 / fps));
  return {
    handle(e) {
      reduce(state, e);
      if (quitting && state.phase !== 'finished') state.phase = 'stopping';
      dirty = true;
    },
    async stop() {
      clearInterval(timer);
      ink.rerender(tree());
      ink.unmount();
      await ink.waitUntilExit().catch(() => {});
    },
  };
}
