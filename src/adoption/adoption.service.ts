import { AppError } from '../errors.js';
import { inventoryFromFacts } from '../routeros/inventory.js';
import { readHeartbeat } from '../poll/poll.service.js';
import { atLeast, dialectOf, MIN_VERSION, parseRouterOsVersion, type ScriptDialect } from '../routeros/version.js';
import * as runbooks from '../runbooks/runbooks.service.js';
import type { Deps } from '../runtime.js';
import * as lifecycle from '../sites/lifecycle.service.js';
import { renderInstall } from '../routeros/agent.js';

/** The router's reported version and its script dialect; too old or missing is a 400. */
export function dialectFor(version: string | undefined): { dialect: ScriptDialect; major: number } {
  if (version === undefined || version.trim() === '') {
    throw new AppError('parameter_missing', { param: 'version', message: "The 'version' fact is required for adoption." });
  }
  const v = parseRouterOsVersion(version);
  if (!v || !atLeast(v, MIN_VERSION.major, MIN_VERSION.minor)) {
    throw new AppError('parameter_invalid', {
      param: 'version',
      message: `The 'version' fact is invalid: RouterOS ${MIN_VERSION.major}.${MIN_VERSION.minor} or newer is required.`,
    });
  }
  return { dialect: dialectOf(v), major: v.major };
}

/**
 * POST /adopt/{runbookToken}: creates the router's site in the runbook's org (or finds it again
 * by serial number, given the site's device token or an approval) and answers with the RouterOS
 * script that installs its agent.
 */
export async function adopt(deps: Deps, runbookToken: string, body: string, from: { authorization?: string | undefined; source: string | null }): Promise<string> {
  const runbook = await runbooks.runbookForToken(deps, runbookToken);
  const facts = readHeartbeat(body).fields;
  const { dialect, major } = dialectFor(facts.version);
  const inventory = inventoryFromFacts(facts);
  // The installed agent's token, which the bootstrap sends when the router has one (src/routeros/bootstrap.ts).
  const bearer = /^Bearer (\S+)$/.exec(from.authorization ?? '')?.[1];
  const device = bearer ? deps.deviceTokens.verify(bearer) : null;
  const { site, token, created } = await lifecycle.adoptSite(deps, runbook.orgId, runbook.id, inventory, { device, source: from.source });
  deps.log.info({ siteId: site.id, runbookId: runbook.id, created, dialect }, 'router adopted');
  return renderInstall({
    siteId: site.id,
    token,
    publicUrl: deps.config.publicUrl,
    dialect,
    major,
    trust: deps.config.routerTransport,
    ntpServers: deps.config.routerTransport.ntpServers,
    intervalSeconds: deps.config.fleet.heartbeatIntervalSeconds,
    siteName: site.name,
    runbookName: runbook.name,
  });
}
