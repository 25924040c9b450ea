// The live view drives a real Ink instance. Ink renders only the final frame
// when it believes it runs in CI (`is-in-ci` reads CI / CONTINUOUS_INTEGRATION
// once, at load), so clear those before Ink is first imported: this file runs in
// its own process under node --test.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { C3, MIRROR_SCENARIO, mirrorTick } from '../scenario/fixtures.js';

const { startLiveView } = await import('../../src/ui/live.js');

const strip = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

const scenario = MIRROR_SCENARIO;

class FakeStdin extends EventEmitter {
  isTTY = true;
  data: string | null = null;
  write(d: string) {
    this.data = d;
    this.emit('readable');
    this.emit('data', d);
  }
  read() {
    const d = this.data;
    this.data = null;
    return d;
  }
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

class FakeStdout extends EventEmitter {
  columns = 80;
  rows = 24;
  isTTY = true;
  frames: string[] = [];
  write(f: string) {
    this.frames.push(f);
    return true;
  }
}

test('live view: throttled re-render from events, q calls onQuit, stop() unmounts', async () => {
  const stdout = new FakeStdout();
  const stdin = new FakeStdin();
  let quits = 0;
  const view = startLiveView({
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    onQuit: () => quits++,
    fps: 10,
  });
  try {
    view.handle({ type: 'run-start', scenario, variants: ['mirror'], warnings: [] });
    view.handle({ type: 'variant-start', variant: 'mirror', index: 0, count: 1 });
    view.handle({ type: 'step-start', variant: 'mirror', step: C3, index: 1, count: 2 });
    // 50 ticks in a burst: rendered at most a few times, not 50.
    for (let i = 0; i < 50; i++) view.handle({ type: 'tick', tick: mirrorTick() });
    await new Promise((r) => setTimeout(r, 300));
    const framesAfterBurst = stdout.frames.length;
    assert.ok(framesAfterBurst < 12, `rendered ${framesAfterBurst} frames for 50 ticks`);
    assert.match(strip(stdout.frames.join('')), /code 503 6 \(30\.0%\)/);
    stdin.write('q');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(quits, 1);
    stdin.write('q'); // a second q does not abort twice
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(quits, 1);
  } finally {
    // Unmount even when an assertion failed: a mounted Ink keeps the process alive.
    await view.stop();
  }
  assert.match(strip(stdout.frames.join('')), /stopping…/);
});
