// The per-second timeline of a step in the text report, with the step's instance
// events (stop/start/slow/fail/recover) marked where they happened. Printed for
// steps with events, where the second-by-second story (error burst, ejection,
// recovery) is the point.

import { eventLabel, type AppliedEvent } from './events.js';
import type { TimelineSample } from './timeline.js';

const SHORT: Record<string, string> = {
  upstream_rq_pending_overflow: 'overflow',
  upstream_rq_retry: 'retries',
  upstream_rq_timeout: 'timeouts',
  upstream_rq_per_try_timeout: 'per-try timeouts',
  'outlier_detection.ejections_enforced_total': 'ejections',
};

/** `1.0 s` */
function at(t: number): string {
  return `${t.toFixed(1)} s`;
}

function sampleLine(s: TimelineSample): string {
  const codes = Object.entries(s.codes)
    .map(([c, n]) => `${c === '-1' ? 'err' : c}:${n}`)
    .join(' ');
  const counters = Object.entries(s.counters).map(([k, n]) => `${SHORT[k] ?? k} ${n}`);
  return [`${s.calls} calls`, `${Math.round(s.qps)} qps`, codes || 'no codes', ...counters].join(', ');
}

/** Samples and event markers in time order (an event before the sample it falls in). */
export function formatEventTimeline(timeline: readonly TimelineSample[], events: readonly AppliedEvent[]): string[] {
  const rows = [
    ...events.map((e) => ({ t: e.t, event: 1, text: `  ── ${at(e.t)} ${eventLabel(e)}` })),
    ...timeline.map((s) => ({ t: s.t, event: 0, text: `  ${at(s.t).padStart(7)}  ${sampleLine(s)}` })),
  ];
  // A sample closes at its t and covers what came before: an event at the same instant sorts first.
  rows.sort((a, b) => a.t - b.t || b.event - a.event); // stable: equal rows keep their order
  return ['Timeline (each line: what happened since the previous one; ── marks an instance event):', ...rows.map((r) => r.text)];
}
