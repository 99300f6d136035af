import { describe, expect, it } from 'vitest';
import { Ledger } from '../../sim/fleet/ledger.js';

describe('the simulator ledger', () => {
  it('counts a job once when its token (deliveries), id (callbacks) and tag (executions) are linked', () => {
    const ledger = new Ledger();
    ledger.link('site-0', 'tok0', 'id-0');
    ledger.delivered('tok0', 1);
    ledger.job('id-0').callbacks.busy++;
    ledger.delivered('tok0', 2);
    ledger.executed('site-0', 3);
    ledger.delivered('tok1', 4); // a job nobody linked: counted by its token alone
    expect(ledger.summary()).toMatchObject({ jobsSeen: 2, deliveries: 3, executions: 1, ranTwice: 0 });
  });
});
