import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Conveyor's version, from the nearest package.json above this file (source or build). */
export function conveyorVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: unknown };
      if (typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here: one level up
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
