// Small text helpers shared by the dashboard and the plain reporter.

const SPARK = '▁▂▃▄▅▆▇█';

/** Last `width` values as a sparkline scaled to their max (0 -> lowest bar). */
export function sparkline(values: readonly number[], width: number): string {
  const v = values.slice(-width);
  const max = Math.max(0, ...v);
  if (max <= 0) return v.map(() => SPARK[0]).join('');
  return v.map((x) => SPARK[Math.min(SPARK.length - 1, Math.round((Math.max(0, x) / max) * (SPARK.length - 1)))]).join('');
}

/** `[██████░░░░]`-style bar of `width` cells for a 0..1 fraction. */
export function bar(fraction: number, width: number): string {
  const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

/** ms with 3 significant digits: 0.412, 4.88, 21.7, 1250. */
export function ms(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '-';
  if (v === 0) return '0';
  if (v >= 100) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}

export function qps(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '-';
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

export function pct(n: number, total: number): string {
  return total > 0 ? `${((100 * n) / total).toFixed(1)}%` : '-';
}

export function requestedQps(q: number): string {
  return q <= 0 ? 'max' : String(q);
}

/** `c=2 qps=max n=20` / `c=4 qps=100 t=5s`. */
export function stepShape(s: { connections: number; qps: number; exactly: number; durationMs: number }): string {
  const amount = s.exactly > 0 ? `n=${s.exactly}` : `t=${s.durationMs / 1000}s`;
  return `c=${s.connections} qps=${requestedQps(s.qps)} ${amount}`;
}

export function seconds(msValue: number): string {
  return `${(msValue / 1000).toFixed(1)}s`;
}

/** Codes sorted numerically, "-1" (socket errors) last. */
export function sortedCodes(codes: Record<string, number>): Array<[string, number]> {
  return Object.entries(codes).sort((a, b) => {
    const x = Number(a[0]);
    const y = Number(b[0]);
    if (x < 0 !== y < 0) return x < 0 ? 1 : -1;
    return x - y;
  });
}

export function codeLabel(code: string): string {
  return code === '-1' ? 'err' : code;
}
