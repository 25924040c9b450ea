// The live dashboard: pure components of DashboardState and a width. One column
// below 120 columns (fits 80x24), two bordered columns above. Everything shown
// comes from snapshots (load coordinator + mesh poll); nothing here measures.

import React from 'react';
import { Box, Text } from 'ink';
import type { DashboardState } from './state.js';
import { hasServicePanel, Services } from './services.js';
import { eventLabel } from '../scenario/events.js';
import { bar, codeLabel, ms, pct, qps, requestedQps, seconds, sortedCodes, sparkline, stepShape } from './format.js';

export interface DashboardProps {
  state: DashboardState;
  width: number;
}

const WIDE = 120;

export function Dashboard({ state, width }: DashboardProps): React.ReactElement {
  const wide = width >= WIDE;
  const inner = wide ? Math.floor((width - 1) / 2) : width;
  // Narrow: no borders (24 rows are precious); only panels whose lines do not
  // name themselves get a one-line dim title.
  const panel = (title: string, body: React.ReactElement, key: string, narrowTitle = false) =>
    wide ? (
      <Box key={key} flexDirection="column" borderStyle="round" borderColor="gray" paddingX={1} width={inner}>
        <Text bold>{title}</Text>
        {body}
      </Box>
    ) : (
      <Box key={key} flexDirection="column" width={inner}>
        {narrowTitle ? <Text dimColor>{`── ${title} `.padEnd(Math.min(inner, 60), '─')}</Text> : null}
        {body}
      </Box>
    );
  const target = hostPort(state.url);
  const cw = wide ? inner - 4 : inner;
  const left = [
    panel('Throughput', <Throughput state={state} width={cw} />, 'tp'),
    panel('Latency (ms, service time)', <Latency state={state} />, 'lat'),
    panel('Status codes', <Codes state={state} width={cw} />, 'codes'),
  ];
  const right = [
    panel(`Sidecar of ${state.from || '…'} → ${target}`, <Sidecar state={state} width={cw} />, 'sc', true),
    // A service graph's per-service panel; narrow, it takes the per-version panel's rows.
    ...(hasServicePanel(state) ? [panel('Services (own hop, this step)', <Services state={state} width={cw} />, 'svc', true)] : []),
    ...(wide || !hasServicePanel(state) ? [panel('Requests per upstream version', <Upstreams state={state} width={cw} />, 'up', true)] : []),
    panel('Generator', <Health state={state} prefix={!wide} />, 'gen'),
  ];
  if (wide) right.push(panel('Finished steps', <Done state={state} />, 'done'));
  return (
    <Box flexDirection="column" width={width}>
      <Header state={state} width={width} />
      {wide ? (
        <Box flexDirection="row">
          <Box flexDirection="column" width={inner}>
            {left}
          </Box>
          <Box flexDirection="column" width={inner} marginLeft={1}>
            {right}
          </Box>
        </Box>
      ) : (
        <Box flexDirection="column">{[...left, ...right]}</Box>
      )}
      <Text dimColor>q / Ctrl-C: stop (the partial report is still printed)</Text>
    </Box>
  );
}

function hostPort(url: string): string {
  try {
    const u = new URL(url);
    return u.host || 'destination';
  } catch {
    return 'destination';
  }
}

function Header({ state, width }: { state: DashboardState; width: number }): React.ReactElement {
  const s = state;
  const v = s.variant;
  const vpos = s.runCount > 1 ? ` (${s.variantIndex + 1}/${s.runCount})` : '';
  const step = s.step ? `${s.step.name} (${s.stepIndex + 1}/${s.steps.length})` : '';
  const l = s.tick?.load;
  let fraction = 0;
  let amount = '';
  if (l) {
    if (l.plannedCalls > 0) {
      fraction = l.calls / l.plannedCalls;
      amount = `${l.calls}/${l.plannedCalls} calls`;
    } else if (l.plannedDurationMs > 0) {
      fraction = l.elapsedMs / l.plannedDurationMs;
      amount = `${seconds(l.elapsedMs)}/${seconds(l.plannedDurationMs)} · ${l.calls} calls`;
    }
    amount += ` · ${seconds(l.elapsedMs)}`;
  }
  if (s.step) amount += ` · ${stepShape(s.step)}`;
  const phase = s.phase === 'booting' ? 'booting mesh…' : s.phase === 'stopping' ? 'stopping…' : s.phase === 'finished' ? 'done' : '';
  const barWidth = Math.max(10, Math.min(40, width - amount.length - 2));
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold color="cyan">meshbench</Text>
        <Text> {s.scenario}</Text>
        <Text dimColor> · variant </Text>
        <Text bold>{v}</Text>
        <Text>{vpos}</Text>
        {step ? <Text dimColor> · step </Text> : null}
        {step ? <Text bold>{step}</Text> : null}
        {phase ? <Text color="yellow"> {phase}</Text> : null}
      </Text>
      <Text wrap="truncate-end">
        <Text color="cyan">{bar(fraction, barWidth)}</Text> {amount}
      </Text>
    </Box>
  );
}

function Throughput({ state, width }: { state: DashboardState; width: number }): React.ReactElement {
  const l = state.tick?.load;
  const head = `qps now ${qps(l?.windowQps)} · achieved ${qps(l?.achievedQps)} · target ${requestedQps(state.step?.qps ?? 0)}`;
  const sw = Math.max(8, width - head.length - 2);
  const spark = sparkline(state.qpsHistory, sw);
  if (!state.events.length) {
    return (
      <Text>
        {head} <Text color="green">{spark}</Text>
      </Text>
    );
  }
  // Instance events: a ▲ under the sparkline where each happened, then the list.
  const marks = state.eventMarks.slice(-spark.length).map((m) => (m ? '▲' : ' ')).join('');
  return (
    <Box flexDirection="column">
      <Text>
        {head} <Text color="green">{spark}</Text>
      </Text>
      <Text>
        {' '.repeat(head.length + 1)}
        <Text color="yellow">{marks}</Text>
      </Text>
      <Text wrap="truncate-end">
        <Text dimColor>events </Text>
        <Text color="yellow">{state.events.map((e) => `${e.t.toFixed(1)}s ${eventLabel(e)}`).join(' · ')}</Text>
      </Text>
    </Box>
  );
}

function Latency({ state }: { state: DashboardState }): React.ReactElement {
  const l = state.tick?.load;
  const row = (label: string, x: { p50: number; p90: number; p99: number; p999: number } | undefined) =>
    `${label.padEnd(11)}${[x?.p50, x?.p90, x?.p99, x?.p999].map((v) => ms(v).padStart(8)).join('')}`;
  return (
    <Box flexDirection="column">
      <Text dimColor>{`${'latency ms'.padEnd(11)}${['p50', 'p90', 'p99', 'p99.9'].map((h) => h.padStart(8)).join('')}`}</Text>
      <Text>{row('window', l?.window)}</Text>
      <Text>{row('cumulative', l?.cumulative)}</Text>
      {l?.correctedCumulative ? <Text dimColor>{row('corrected', l.correctedCumulative)}</Text> : null}
    </Box>
  );
}

function codeColor(code: string): string | undefined {
  const c = Number(code);
  if (c >= 200 && c < 300) return 'green';
  if (c >= 500 || c < 0) return 'red';
  if (c >= 400) return 'yellow';
  return undefined;
}

function Codes({ state, width }: { state: DashboardState; width: number }): React.ReactElement {
  const l = state.tick?.load;
  const codes = sortedCodes(l?.codes ?? {});
  const total = codes.reduce((a, [, n]) => a + n, 0);
  if (!codes.length) return <Text dimColor>codes: none yet</Text>;
  const cell = 22;
  const perLine = Math.max(1, Math.floor(width / cell));
  const lines: Array<Array<[string, number]>> = [];
  for (let i = 0; i < codes.length; i += perLine) lines.push(codes.slice(i, i + perLine));
  return (
    <Box flexDirection="column">
      {lines.map((ln, i) => (
        <Text key={i}>
          {ln.map(([c, n]) => (
            <Text key={c}>
              <Text color={codeColor(c)} bold>{`code ${codeLabel(c)}`.padEnd(9)}</Text>
              {`${n} (${pct(n, total)})`.padEnd(cell - 9)}
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}

function Sidecar({ state, width }: { state: DashboardState; width: number }): React.ReactElement {
  const d = state.tick?.dest;
  const c = d?.counters ?? {};
  const g = d?.gauges ?? {};
  const items: Array<[string, number]> = [
    ['pending active', g.upstream_rq_pending_active ?? 0],
    ['pending overflow', c.upstream_rq_pending_overflow ?? 0],
    ['cx active', g.upstream_cx_active ?? 0],
    ['rq total', c.upstream_rq_total ?? 0],
    ['retries', c.upstream_rq_retry ?? 0],
    ['timeouts', c.upstream_rq_timeout ?? 0],
    ['ejections', g['outlier_detection.ejections_active'] ?? c['outlier_detection.ejections_enforced_total'] ?? 0],
    ['shadow rq', state.tick?.shadowRequests ?? 0],
  ];
  const cell = 22;
  const perLine = Math.max(1, Math.floor(width / cell));
  const lines: Array<Array<[string, number]>> = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine));
  return (
    <Box flexDirection="column">
      {lines.map((ln, i) => (
        <Text key={i}>
          {ln.map(([k, v]) => (
            <Text key={k}>
              <Text dimColor>{k} </Text>
              <Text bold color={k === 'pending overflow' && v > 0 ? 'red' : undefined}>
                {String(v).padEnd(cell - k.length - 1)}
              </Text>
            </Text>
          ))}
        </Text>
      ))}
    </Box>
  );
}

function Upstreams({ state, width }: { state: DashboardState; width: number }): React.ReactElement {
  const inst = state.tick?.instances ?? [];
  const byVersion = new Map<string, { requests: number; shadow: number }>();
  for (const i of inst) {
    if (!i.requests && !i.shadowRequests) continue;
    const key = i.version ? `${i.app || i.workload} ${i.version}` : i.workload;
    const e = byVersion.get(key) ?? { requests: 0, shadow: 0 };
    e.requests += i.requests;
    e.shadow += i.shadowRequests;
    byVersion.set(key, e);
  }
  const rows = [...byVersion.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  if (!rows.length) return <Text dimColor>no upstream requests yet</Text>;
  const max = Math.max(...rows.map(([, e]) => e.requests));
  const lw = Math.min(18, Math.max(...rows.map(([k]) => k.length)));
  const bw = Math.max(6, Math.min(30, width - lw - 24));
  return (
    <Box flexDirection="column">
      {rows.slice(0, 6).map(([k, e]) => (
        <Text key={k}>
          {k.slice(0, lw).padEnd(lw)} <Text color="magenta">{bar(max ? e.requests / max : 0, bw)}</Text> {e.requests}
          {e.shadow ? <Text dimColor> ({e.shadow} mirrored)</Text> : null}
        </Text>
      ))}
    </Box>
  );
}

function Health({ state, prefix }: { state: DashboardState; prefix: boolean }): React.ReactElement {
  const l = state.tick?.load;
  const behind = l?.behindScheduleMs ?? 0;
  return (
    <Text>
      <Text dimColor>{prefix ? 'generator: ' : ''}behind schedule </Text>
      <Text color={behind > 50 ? 'yellow' : undefined}>{ms(behind)} ms</Text>
      <Text dimColor> · loop lag </Text>
      {ms(l?.eventLoopLagMs ?? 0)} ms<Text dimColor> · workers </Text>
      {l?.workers ?? 0}
      <Text dimColor> · sockets </Text>
      {l?.socketsOpened ?? 0}
    </Text>
  );
}

function Done({ state }: { state: DashboardState }): React.ReactElement {
  if (!state.done.length) return <Text dimColor>none yet</Text>;
  return (
    <Box flexDirection="column">
      {state.done.slice(-8).map((d) => {
        const total = Object.values(d.codes).reduce((a, b) => a + b, 0);
        const non2xx = sortedCodes(d.codes).filter(([c]) => !c.startsWith('2'));
        const codes = non2xx.length ? non2xx.map(([c, n]) => `${codeLabel(c)} ${pct(n, total)}`).join(' ') : 'all 2xx';
        return (
          <Text key={`${d.variant}/${d.step}`}>
            {`${d.variant}/${d.step}`.padEnd(18)} {qps(d.qps).padStart(7)} qps p99 {ms(d.p99).padStart(6)} ms {codes}
            {d.mirror ? <Text color={d.mirror.differing ? 'yellow' : undefined}> mirror {d.mirror.differing}/{d.mirror.compared} differ</Text> : null}
            {d.failed ? <Text color="red"> {d.failed} expectation(s) failed</Text> : null}
            {d.interrupted ? <Text color="yellow"> interrupted</Text> : null}
          </Text>
        );
      })}
    </Box>
  );
}
