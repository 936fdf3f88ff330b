/** Short, readable figures for the page. */

export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return '—';
  const s = Math.round((now - new Date(iso).getTime()) / 1000);
  if (s < 1) return 'now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(iso).toLocaleString();
}

export function duration(from: string | null, to: string | null): string {
  if (!from || !to) return '—';
  const ms = new Date(to).getTime() - new Date(from).getTime();
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function count(n: number): string {
  return n.toLocaleString('en');
}

export function rate(n: number): string {
  return `${n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en')}/s`;
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** A body as the console previews it: JSON pretty-printed, else text if printable, else hex. */
export function preview(base64: string, contentType: string | null): { kind: string; text: string } {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (contentType?.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return { kind: 'JSON', text: json(JSON.parse(text)) };
    } catch {
      // not JSON after all: shown as text or hex below
    }
  }
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x08\x0e-\x1f]/.test(text)) return { kind: 'text', text };
  const hex = [...bytes.slice(0, 4096)].map((b) => b.toString(16).padStart(2, '0'));
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += 16)
    lines.push(`${i.toString(16).padStart(6, '0')}  ${hex.slice(i, i + 16).join(' ')}`);
  return { kind: contentType?.includes('protobuf') ? 'protobuf (hex)' : 'hex', text: lines.join('\n') };
}
