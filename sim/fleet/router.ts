import {
  RebootSignal,
  bootRouter,
  createRouterState,
  runScript,
  runSchedulerEvent,
  type FetchRequest,
  type Host,
  type RouterState,
} from '../routeros/index.js';
import { AGENT_NAME, BOOT_NAME } from '../../src/routeros/agent.js';
import type { Ledger } from './ledger.js';

// One simulated router: a RouterOS interpreter state plus a host that really talks HTTP to the
// server, with optional misbehaviour. It is adopted through a runbook like a real router, then runs
// the installed `tikops-poll` script on its schedule.

/** The marker test payloads log, so the simulator can count executions: `:log info "tikops-sim exec <tag>"`. */
export const EXEC_MARKER = 'tikops-sim exec ';

export interface Faults {
  /** Share of poll responses lost after the server sent them. */
  dropRate: number;
  /** Share of claimed jobs during which the router loses power (before or after the payload). */
  rebootRate: number;
  /** Share of claimed jobs that never report an outcome. */
  hangRate: number;
  /** Added latency per request, ms. */
  slowMs: number;
}

export const NO_FAULTS: Faults = { dropRate: 0, rebootRate: 0, hangRate: 0, slowMs: 0 };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const TOKEN_RE = /^:local tikopsJob "([0-9A-Za-z]+)"$/m;

export class SimRouter {
  readonly state: RouterState;
  private armed: 'reboot' | 'hang' | null = null;
  private booted = false;

  constructor(
    readonly serial: string,
    private readonly ledger: Ledger,
    private readonly faults: Faults,
    private readonly random: () => number,
  ) {
    this.state = createRouterState({ identity: `sim-${serial}` });
    this.state.bootedAtMs = Date.now() - Math.floor(random() * 86_400_000);
    this.state.routerboard = { ...this.state.routerboard, 'serial-number': serial };
  }

  readonly host: Host = {
    now: () => Date.now(),
    sleep,
    fetch: (req) => this.fetch(req),
  };

  private async fetch(req: FetchRequest): Promise<{ status: number; body: string }> {
    if (this.faults.slowMs > 0) await sleep(this.faults.slowMs);
    const url = new URL(req.url);
    const callback = /^\/job\/[^/]+\/update$/.test(url.pathname) ? url.searchParams.get('status') : null;
    if (this.armed && (callback === 'done' || callback === 'fail')) {
      const fault = this.armed;
      this.armed = null;
      if (fault === 'reboot') return this.powerCut();
      throw new Error('simulated hang: the outcome is never reported');
    }
    const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, redirect: 'manual' });
    const body = await res.text();
    if (callback === 'busy' || callback === 'done' || callback === 'fail') {
      this.ledger.job(url.pathname.split('/')[2]!).callbacks[callback]++;
    }
    if (url.pathname === '/poll') this.sawPoll(body);
    if (callback === 'busy' && body === 'claimed') this.maybeArm();
    return { status: res.status, body };
  }

  private sawPoll(body: string): void {
    this.ledger.polls++;
    const token = TOKEN_RE.exec(body)?.[1];
    if (token) this.ledger.delivered(token, Date.now());
    if (token && this.random() < this.faults.dropRate) {
      this.ledger.droppedResponses++;
      throw new Error('simulated loss of the poll response');
    }
  }

  private maybeArm(): void {
    const r = this.random();
    if (r < this.faults.rebootRate) this.armed = 'reboot';
    else if (r < this.faults.rebootRate + this.faults.hangRate) this.armed = 'hang';
  }

  private powerCut(): never {
    this.ledger.reboots++;
    bootRouter(this.state, this.host);
    throw new RebootSignal();
  }

  /**
   * Adopts the router through `adoptUrl` (POST /adopt/<runbook token>) and imports the installer it
   * returns, as the bootstrap script would (src/routeros/bootstrap.ts). The facts are sent from
   * here rather than gathered by the bootstrap, which would add its `:delay 2s` to every adoption.
   */
  async adopt(adoptUrl: string): Promise<void> {
    const facts = [
      `name=${this.state.identity}`,
      `serial-number=${this.serial}`,
      `model=${this.state.routerboard?.model ?? 'CHR'}`,
      `board-name=${this.state.resource.boardName}`,
      `version=${this.state.version}`,
      `architecture-name=${this.state.resource.architectureName}`,
      'uptime=00:05:00',
    ].join(';');
    const res = await fetch(adoptUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: facts });
    const script = await res.text();
    if (!res.ok) throw new Error(`adoption failed: ${res.status} ${script}`);
    this.state.files.push({ id: '*ADOPT', name: 'tikops-adopt.rsc', type: 'script', contents: script });
    await runScript('/import file-name=tikops-adopt.rsc\n/file remove tikops-adopt.rsc', this.state, this.host);
    this.harvest();
  }

  /**
   * One scheduler tick of the installed agent; returns false if the router rebooted during it. The
   * first tick after a reboot is the boot entry's (`tikops-boot`: a 20 s delay, then a run that
   * starts by freeing the lock a cut-off run left), as on a router.
   */
  async tick(): Promise<boolean> {
    const entry = this.booted ? BOOT_NAME : AGENT_NAME;
    this.booted = false;
    try {
      await runSchedulerEvent(entry, this.state, this.host);
      return true;
    } catch (err) {
      if (err instanceof RebootSignal) {
        this.booted = true;
        return false;
      }
      this.ledger.pollErrors++;
      return true;
    } finally {
      this.harvest();
    }
  }

  /** Counts payload executions from the router's log, then clears it. */
  private harvest(): void {
    for (const entry of this.state.log) {
      const i = entry.message.indexOf(EXEC_MARKER);
      if (i >= 0) this.ledger.executed(entry.message.slice(i + EXEC_MARKER.length).trim(), Date.now());
    }
    this.state.log.length = 0;
  }
}
