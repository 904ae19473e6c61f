/** The CLI's exit codes (also in `airlock --help` and the README). */
import type { CallResult } from '@airlock/core';
import { exitCodeFor } from '@airlock/core';

export const EXIT = { ok: 0, internal: 1, misuse: 2, denied: 3, limit: 4, toolFailed: 5, auditCorrupt: 6 } as const;

export function exitCodeForResult(r: CallResult): number {
  switch (r.status) {
    case 'ok':
      return EXIT.ok;
    case 'denied':
      return EXIT.denied;
    case 'limit':
      return EXIT.limit;
    case 'error':
      return r.error ? exitCodeFor(r.error.code) : EXIT.internal;
  }
}
