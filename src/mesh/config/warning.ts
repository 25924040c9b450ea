// One spelling for config warnings everywhere (validate, serve, load --mesh,
// scenario runs): the compiler convention `file:line:col: warning: path: message`.

import { formatLocation } from '../../errors.js';
import type { ConfigWarning } from './model.js';

export function formatWarning(w: ConfigWarning): string {
  return [formatLocation(w.loc), 'warning', w.path, w.message].filter(Boolean).join(': ');
}
