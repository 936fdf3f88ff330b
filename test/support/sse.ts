import { authorized } from './http';

export interface SseEvent {
  event: string;
  id?: string;
  data: any;
  /** When the client received it (ms since epoch). */
  at: number;
}

export interface SseStream {
  status: number;
  contentType: string | null;
  /** Events received before the server closed the stream (or the deadline passed). */
  events: SseEvent[];
  /** true when the server ended the stream; false when the deadline cut it. */
  closedByServer: boolean;
  /** The body of a non-stream answer (an error). */
  body?: any;
}

/** Reads a server-sent event stream until the server closes it or `ms` pass. */
export async function readSse(url: string, ms = 30_000): Promise<SseStream> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  try {
    const res = await fetch(url, {
      headers: authorized({ accept: 'text/event-stream' }),
      signal: abort.signal,
    });
    const contentType = res.headers.get('content-type');
    if (!contentType?.startsWith('text/event-stream')) {
      return { status: res.status, contentType, events: [], closedByServer: true, body: await res.json() };
    }
    const events: SseEvent[] = [];
    const decoder = new TextDecoder();
    let buffer = '';
    let closedByServer = true;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map<string, string>();
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon <= 0) continue; // comments and blank lines
            fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
          }
          if (!fields.has('data')) continue;
          events.push({
            event: fields.get('event') ?? 'message',
            id: fields.get('id'),
            data: JSON.parse(fields.get('data')!),
            at: Date.now(),
          });
        }
      }
    } catch (err) {
      if (!abort.signal.aborted) throw err;
      closedByServer = false;
    }
    return { status: res.status, contentType, events, closedByServer };
  } finally {
    clearTimeout(timer);
  }
}
