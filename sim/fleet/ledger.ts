// What the simulated fleet observed, per job: how often it was handed out and run, and how each
// run ended. The fault drill and the benchmarks judge the server by this record alone.

export interface JobRecord {
  /** Poll responses that carried the job (by job token). */
  deliveries: number;
  /** Payload executions, counted from the marker the payload logs. */
  executions: number;
  callbacks: { busy: number; done: number; fail: number };
  firstDeliveredAt?: number;
  firstExecutedAt?: number;
}

export class Ledger {
  readonly jobs = new Map<string, JobRecord>();
  polls = 0;
  pollErrors = 0;
  droppedResponses = 0;
  reboots = 0;

  /** Job token or id → the tag its payload logs, for jobs whose creator told us (link). */
  private readonly tagOf = new Map<string, string>();

  /**
   * Records that the job with this token and id is the one whose payload logs `tag`. Deliveries
   * are seen by token, callbacks by job id and executions by tag; linked, they count as one job
   * (summary's jobsSeen).
   */
  link(tag: string, ...keys: string[]): void {
    for (const k of keys) this.tagOf.set(k, tag);
  }

  job(key: string): JobRecord {
    let r = this.jobs.get(key);
    if (!r) {
      r = { deliveries: 0, executions: 0, callbacks: { busy: 0, done: 0, fail: 0 } };
      this.jobs.set(key, r);
    }
    return r;
  }

  delivered(token: string, at: number): void {
    const r = this.job(token);
    r.deliveries++;
    r.firstDeliveredAt ??= at;
  }

  executed(tag: string, at: number): void {
    const r = this.job(tag);
    r.executions++;
    r.firstExecutedAt ??= at;
  }

  /** Jobs run more than once: the thing that must never happen. */
  ranTwice(): string[] {
    return [...this.jobs.entries()].filter(([, r]) => r.executions > 1).map(([k]) => k);
  }

  summary(): Record<string, number> {
    let deliveries = 0;
    let executions = 0;
    for (const r of this.jobs.values()) {
      deliveries += r.deliveries;
      executions += r.executions;
    }
    return {
      polls: this.polls,
      pollErrors: this.pollErrors,
      droppedResponses: this.droppedResponses,
      reboots: this.reboots,
      // A job's token (deliveries), id (callbacks) and tag (executions) are one job once linked.
      jobsSeen: new Set([...this.jobs.keys()].map((k) => this.tagOf.get(k) ?? k)).size,
      deliveries,
      executions,
      ranTwice: this.ranTwice().length,
    };
  }
}
