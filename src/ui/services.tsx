// The live per-service panel of a service graph: the busiest services (requests
// since the step started, and per entry request) and the slowest (p99 of their
// own hop), from the per-hop view of the newest mesh snapshot (scenario/hops.ts).

import React from 'react';
import { Box, Text } from 'ink';
import type { DashboardState } from './state.js';
import { hopLabel, isServiceGraph, type HopStat } from '../scenario/hops.js';
import { ms } from './format.js';

const SHOWN = 3;

/** The panel is drawn only for a service graph (more than one service on the request path). */
export function hasServicePanel(state: DashboardState): boolean {
  return isServiceGraph(state.tick?.hops);
}

function fit(parts: string[], width: number): string {
  let out = '';
  for (const p of parts) {
    const next = out ? `${out} · ${p}` : p;
    if (next.length > width && out) break;
    out = next;
  }
  return out.slice(0, width);
}

export function Services({ state, width }: { state: DashboardState; width: number }): React.ReactElement {
  const hops = state.tick?.hops ?? [];
  const label = (h: HopStat) => hopLabel(h, hops);
  const busiest = [...hops].sort((a, b) => b.requests - a.requests).slice(0, SHOWN);
  const timed = hops.filter((h) => h.p99Ms !== null);
  const slowest = [...timed].sort((a, b) => b.p99Ms! - a.p99Ms!).slice(0, SHOWN);
  const amp = (h: HopStat) => (h.perEntryRequest === null ? '' : ` ${h.perEntryRequest.toFixed(1)}x`);
  const err = (h: HopStat) => (h.errors ? ` ${h.errors} err` : '');
  const w = Math.max(20, width - 9);
  return (
    <Box flexDirection="column">
      <Text>
        <Text dimColor>busiest </Text>
        {fit(busiest.map((h) => `${label(h)} ${h.requests}${amp(h)}${err(h)}`), w)}
      </Text>
      <Text>
        <Text dimColor>slowest </Text>
        {slowest.length ? fit(slowest.map((h) => `${label(h)} p99 ${ms(h.p99Ms!)} ms`), w) : <Text dimColor>no answers yet</Text>}
      </Text>
    </Box>
  );
}
