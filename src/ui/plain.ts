// Progress off a TTY (CI, pipes, --no-tui): plain lines, at most one per step
// and second, never an escape code.

import type { ScenarioEvent } from '../scenario/runner.js';
import { eventLabel } from '../scenario/events.js';
import { codeLabel, ms, pct, qps, seconds, sortedCodes, stepShape } from './format.js';

export interface PlainProgress {
  handle(e: ScenarioEvent): void;
}

export function plainProgress(out: { write(s: string): unknown }): PlainProgress {
  let lastLineAt = -Infinity;
  let multi = false;
  const tag = (variant: string, step: string) => (multi ? `[${variant}] ${step}` : step);
  return {
    handle(e) {
      switch (e.type) {
        case 'run-start': {
          multi = e.variants.length > 1;
          const s = e.scenario;
          out.write(
            `scenario ${s.name}: ${e.variants.length} variant(s) x ${s.load.steps.length} step(s), ` +
              `load from ${s.load.from} to ${s.load.url}\n`,
          );
          for (const w of e.warnings) out.write(`${w}\n`);
          break;
        }
        case 'variant-start':
          if (multi) out.write(`variant ${e.variant} (${e.index + 1}/${e.count}): booting a fresh mesh\n`);
          break;
        case 'step-start':
          lastLineAt = -Infinity;
          out.write(`${tag(e.variant, e.step.name)}: ${stepShape(e.step)}\n`);
          break;
        case 'tick': {
          const l = e.tick.load;
          // One line per second of the step at most; the first tick waits a second too.
          const second = Math.floor(l.elapsedMs / 1000);
          if (l.done || second < 1 || second <= lastLineAt) break;
          lastLineAt = second;
          const total = Object.values(l.codes).reduce((a, b) => a + b, 0);
          const codes = sortedCodes(l.codes)
            .map(([c, n]) => `${codeLabel(c)}:${n} (${pct(n, total)})`)
            .join(' ');
          const planned = l.plannedCalls > 0 ? `/${l.plannedCalls}` : '';
          out.write(
            `  ${seconds(l.elapsedMs)} ${l.calls}${planned} calls, ${qps(l.windowQps)} qps now, ` +
              `p50 ${ms(l.cumulative.p50)} ms p99 ${ms(l.cumulative.p99)} ms, ${codes || 'no codes yet'}` +
              `${e.tick.dest.counters.upstream_rq_pending_overflow ? `, overflow ${e.tick.dest.counters.upstream_rq_pending_overflow}` : ''}\n`,
          );
          break;
        }
        case 'instance-event':
          out.write(`  ${e.event.t.toFixed(1)}s event: ${eventLabel(e.event)}\n`);
          break;
        case 'step-end': {
          const o = e.outcome;
          const st = o.result.meshbench.serviceTime;
          const total = st.count;
          const codes = sortedCodes(o.result.fortio.RetCodes)
            .map(([c, n]) => `${codeLabel(c)}:${n} (${pct(n, total)})`)
            .join(' ');
          const failed = o.expectations.filter((x) => !x.pass).length;
          out.write(
            `  done${o.interrupted ? ' (interrupted)' : ''}: ${total} calls, ${qps(o.result.meshbench.achievedQps)} qps, ` +
              `p50 ${ms(st.p50)} ms p99 ${ms(st.p99)} ms, ${codes}` +
              (o.expectations.length ? `, expectations ${o.expectations.length - failed}/${o.expectations.length} ok` : '') +
              '\n',
          );
          break;
        }
        case 'variant-end':
        case 'run-end':
          break;
      }
    },
  };
}
