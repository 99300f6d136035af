import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouterState, settle, runScript, type RouterState } from '../../sim/routeros/index.js';
import { rosUnquote } from '../../src/routeros/quote.js';
import { bootstrapCommand } from '../../src/routeros/bootstrap.js';
import { startApp, type TestApp } from '../support/app.js';
import { buildRunbook } from '../factories.js';
import { appHost } from '../support/router-host.js';

// Item 6 of issue 13: CHR and x86 have no RouterBOARD serial number; they are adopted again by
// their license system-id (CHR) or software-id (x86), so re-adoption rotates the token of the one
// site instead of creating a duplicate.

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

/** Runs the bootstrap command; returns the device token the installed agent carries. */
async function adopt(state: RouterState, runbookToken: string): Promise<string> {
  await runScript(bootstrapCommand(app.url, runbookToken, app.config.routerTransport), state, appHost());
  await settle(state);
  const source = state.scripts.find((s) => s.name === 'tikops-poll')!.source;
  const hdr = /:local tkHdr (".*")$/m.exec(source)![1]!;
  return /Bearer ([^,]+)/.exec(rosUnquote(hdr))![1]!;
}

const pollStatus = async (token: string): Promise<number> =>
  (await app.request('POST', '/poll', { headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body: 'uptime=1s;' })).status;

describe.each([
  ['chr', 'xQ5JC4RCIXI', (s: RouterState): void => void (s.license['system-id'] = 'OTHERCHR001')],
  ['x86', 'TRPC-YYR2', (s: RouterState): void => void (s.license['software-id'] = 'ABCD-0001')],
] as const)('a %s router', (platform, id, otherId) => {
  it('is found again by its license id on re-adoption: one site, token rotated', async () => {
    const rb = await buildRunbook(app, `org-${platform}`);
    const state = createRouterState({ identity: `${platform}-1`, platform });
    const first = await adopt(state, rb.token);
    const second = await adopt(state, rb.token);
    const sites = (await app.request('GET', '/site', { token: rb.auth })).body;
    expect(sites).toHaveLength(1);
    expect(sites[0]).toMatchObject({ serial_number: null, software_id: id });
    expect(await pollStatus(first)).toBe(401);
    expect(await pollStatus(second)).toBe(200);
  });

  it('another installation with a different id gets its own site', async () => {
    const rb = await buildRunbook(app, `org-${platform}-two`);
    await adopt(createRouterState({ identity: 'a', platform }), rb.token);
    const other = createRouterState({ identity: 'b', platform });
    otherId(other);
    await adopt(other, rb.token);
    expect((await app.request('GET', '/site', { token: rb.auth })).body).toHaveLength(2);
  });
});
