// Turns the services' JSON log lines into one readable line each, prefixed by component.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadServices } from './services.mjs';

// The services take the palette in list order; the other components keep theirs.
const PALETTE = [32, 35, 92, 95, 96, 93, 94, 91];
const COLORS = {
  nats: 36,
  client: 34,
  edge: 33,
  runner: 37,
  ...Object.fromEntries(
    loadServices(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')).map((service, i) => [
      service.name,
      PALETTE[i % PALETTE.length],
    ]),
  ),
};
const LEVELS = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'msg', 'service', 'name', 'pid', 'hostname']);

function prefix(component, color) {
  const label = component.padEnd(8);
  return color ? `\x1b[${COLORS[component] ?? 37}m${label}\x1b[0m|` : `${label}|`;
}

function value(v) {
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

/** One output line for one line a component printed. */
export function formatLine(component, line, color = false) {
  let text = line;
  if (line.startsWith('{')) {
    try {
      const entry = JSON.parse(line);
      const level = typeof entry.level === 'number' ? LEVELS[entry.level] : String(entry.level ?? '').toUpperCase();
      const fields = Object.entries(entry)
        .filter(([key]) => !SKIP.has(key))
        .map(([key, v]) => (key === 'err' && v?.message ? `err=${value(v.message)}` : `${key}=${value(v)}`));
      text = [level.padEnd(5), entry.msg ?? '', ...fields].join(' ');
    } catch {
      // not JSON after all: print as is
    }
  }
  return `${prefix(component, color)} ${text}`;
}
