// VirtualService `mirror`/`mirrors` → request mirror policies (spec §2.8).

import type { MirrorPolicy } from './model.js';
import type { Fields } from './fields.js';
import { fromIntegerPercent, HUNDRED_PERCENT, readPercentage } from './percent.js';
import { compileDestination } from './destination.js';

/** spec §2.8: mirror + mirrorPercentage > mirrorPercent > mirror_percent > 100 %, or mirrors[]. */
export function compileMirrors(r: Fields, ns: string): MirrorPolicy[] {
  const out: MirrorPolicy[] = [];
  if (r.has('mirror') && r.has('mirrors')) {
    r.error('mirrors', 'mirror and mirrors cannot both be set in one route');
    return out;
  }
  const m = r.obj('mirror');
  const legacy = (['mirrorPercent', 'mirror_percent'] as const).filter((k) => r.has(k));
  for (const k of legacy) r.warn(k, `${k} is deprecated: use mirrorPercentage: {value: N}`);
  if (!m) {
    for (const k of ['mirrorPercentage', ...legacy]) if (r.has(k)) r.warn(k, `${k} has no effect without mirror`);
  } else {
    const dest = compileDestination(m, ns);
    let percentage = readPercentage(r, 'mirrorPercentage');
    if (!r.has('mirrorPercentage')) {
      for (const k of legacy) {
        const n = r.int(k);
        if (n === undefined) continue;
        if (n > 100) r.error(k, `${k} must be between 0 and 100, got ${n}`);
        else {
          const fp = fromIntegerPercent(n);
          if (typeof fp !== 'string' && percentage === undefined) percentage = fp;
        }
      }
    }
    percentage ??= r.has('mirrorPercentage') ? undefined : HUNDRED_PERCENT;
    if (dest && percentage && percentage.numerator > 0) out.push({ destination: dest, percentage });
  }
  for (const item of r.objects('mirrors')) {
    item.allow(['destination', 'percentage']);
    const df = item.obj('destination', { required: true });
    const dest = df ? compileDestination(df, ns) : undefined;
    const percentage = item.has('percentage') ? readPercentage(item, 'percentage') : HUNDRED_PERCENT;
    if (dest && percentage && percentage.numerator > 0) out.push({ destination: dest, percentage });
  }
  return out;
}

