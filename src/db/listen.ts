import pg from 'pg';

// One PostgreSQL LISTEN kept open on a connection of its own (a pooled connection cannot hold
// it): NOTIFY is delivered at commit to every listening session, which is how a change made on
// one pod (or by the CLI, or by hand) reaches every other (PostgreSQL docs, "NOTIFY").

export interface ListenHandlers {
  /** A notification's payload. */
  message(payload: string): void;
  /** Listening (again): notifications from now on arrive. */
  up(): void;
  /** The connection is lost: notifications sent from now on until the next up() are missed. */
  down(err: Error): void;
}

/** How long to wait before connecting again after the connection failed. */
const RETRY_MS = 1_000;

export interface Listener {
  /**
   * Resolves once every notification committed before the call has been handed to message():
   * a round trip on the listening connection, which PostgreSQL answers only after delivering
   * what is pending for it. Calls made in one event-loop turn share one round trip. Rejects
   * while the connection is down.
   */
  caughtUp(): Promise<void>;
  close(): Promise<void>;
}

/** Listens on `channel` until close(), reconnecting after a lost connection. */
export function listen(databaseUrl: string, channel: string, on: ListenHandlers): Listener {
  let client: pg.Client | null = null;
  let ready = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  // The round trip the callers of this turn wait for, sent at the end of the turn.
  let next: Promise<void> | null = null;

  const lost = (c: pg.Client, err: Error): void => {
    if (client !== c) return;
    client = null;
    ready = false;
    on.down(err);
    void c.end().catch(() => undefined);
    if (!closed) timer = setTimeout(start, RETRY_MS).unref();
  };

  function start(): void {
    const c = new pg.Client({ connectionString: databaseUrl });
    client = c;
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c, new Error('connection ended')));
    c.on('notification', (n) => {
      if (n.channel === channel) on.message(n.payload ?? '');
    });
    c.connect()
      // The channel is a fixed identifier of this codebase, never input.
      .then(() => c.query(`LISTEN "${channel}"`))
      .then(() => {
        if (client !== c || closed) return;
        ready = true;
        on.up();
      })
      .catch((err: unknown) => lost(c, err instanceof Error ? err : new Error(String(err))));
  }

  start();
  return {
    caughtUp() {
      if (!ready || !client) return Promise.reject(new Error('not listening'));
      const c = client;
      next ??= new Promise<void>((resolve, reject) => {
        setImmediate(() => {
          next = null;
          // Sent after every caller of this turn arrived, so it covers what they must see.
          c.query('SELECT 1').then(() => resolve(), reject);
        });
      });
      return next;
    },
    async close() {
      closed = true;
      ready = false;
      clearTimeout(timer);
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
