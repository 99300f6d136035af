// A server-sent-events reader over fetch for tests and bench/dashboards.ts: parses `event:`/`data:`
// frames (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).

export interface SseEvent {
  event: string;
  data: any;
  /** performance.now() when the frame arrived. */
  at: number;
}

export interface SseStream {
  status: number;
  headers: Headers;
  /** The raw text received so far (comments included). */
  raw(): string;
  /** Every event received so far. */
  events: SseEvent[];
  /** Resolves with the first event (already received or coming) that `match` accepts. */
  next(match: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves when the server ends the stream (or close() aborts it). */
  ended: Promise<void>;
  /** Called on every event as it arrives. */
  onEvent?: (e: SseEvent) => void;
  close(): void;
}

/** Opens `url` as an event stream with `headers`; resolves once the response head arrived. */
export async function openSse(url: string, headers: Record<string, string>): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  let text = '';
  let buffer = '';
  let markEnded = (): void => undefined;
  const ended = new Promise<void>((r) => (markEnded = r));
  const waiters = new Set<{ match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }>();
  const stream: SseStream = {
    status: res.status,
    headers: res.headers,
    raw: () => text,
    events: [],
    ended,
    next(match, timeoutMs = 10_000) {
      const found = stream.events.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { match, resolve: (e: SseEvent) => (clearTimeout(t), resolve(e)) };
        const t = setTimeout(() => (waiters.delete(w), reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(stream.events.map((e) => e.data))}`))), timeoutMs);
        waiters.add(w);
      });
    },
    close: () => abort.abort(),
  };
  const onFrame = (block: string): void => {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (data.length === 0) return;
    const e: SseEvent = { event, data: JSON.parse(data.join('\n')), at: performance.now() };
    stream.events.push(e);
    stream.onEvent?.(e);
    for (const w of [...waiters]) {
      if (!w.match(e)) continue;
      waiters.delete(w);
      w.resolve(e);
    }
  };
  if (res.ok && res.body) {
    const decoder = new TextDecoder();
    void (async () => {
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          const s = decoder.decode(chunk, { stream: true });
          text += s;
          buffer += s;
          let i: number;
          while ((i = buffer.indexOf('\n\n')) >= 0) {
            onFrame(buffer.slice(0, i));
            buffer = buffer.slice(i + 2);
          }
        }
      } catch {
        // aborted by close()
      }
      markEnded();
    })();
  } else {
    text = await res.text();
    markEnded();
  }
  return stream;
}
