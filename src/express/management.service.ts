import { AppError } from '../errors.js';
import { auditedPrisma, type Actor } from '../audit/audit.service.js';
import type { Deps } from '../runtime.js';
import * as sites from '../sites/sites.service.js';
import * as repo from './express.repo.js';
import type { ManagementDto, ManagementInput } from './express.schema.js';
import { createSecretBox } from '../lib/secret-box.js';
import { refusedEarly } from '../lib/outbound-url.js';
import { executeUrl, managementPolicy } from './policy.js';

// A site's management endpoint: the router's RouterOS REST API, which express execute asks to
// run the poll script now. The password is write-only: sealed before it is stored, opened only by
// the express worker, never returned by the API.

/** The endpoint as the express worker uses it, password opened. */
export interface Endpoint {
  address: string;
  port: number;
  useTls: boolean;
  verifyTls: boolean;
  caPem: string | null;
  username: string;
  password: string;
  pollScriptName: string;
}

function toDto(m: repo.ManagementRow): ManagementDto {
  return {
    site_id: m.siteId,
    address: m.address,
    port: m.port,
    use_tls: m.useTls,
    verify_tls: m.verifyTls,
    ca_pem: m.caPem,
    username: m.username,
    has_password: true,
    poll_script_name: m.pollScriptName,
    created_at: m.createdAt.toISOString(),
    updated_at: m.updatedAt.toISOString(),
  };
}

/** Sets (creates or replaces) the org's site's management endpoint. */
export async function putManagement(deps: Deps, by: Actor, siteId: string, input: ManagementInput): Promise<ManagementDto> {
  const site = await sites.requireSite(deps, by.org, siteId);
  // An IP address no express could reach is refused now (a host name is judged when it is resolved).
  const problem = refusedEarly(executeUrl({ address: input.address, port: 1, useTls: false }), managementPolicy(deps.config));
  if (problem) {
    throw new AppError('parameter_invalid', {
      param: 'address',
      message: `The 'address' parameter is invalid: ${problem}; private, CGNAT and ULA networks are allowed only through MANAGEMENT_ALLOWLIST.`,
    });
  }
  const change = (tx: Parameters<typeof repo.upsert>[0]): Promise<repo.ManagementRow> => repo.upsert(
    tx,
    {
      siteId: site.id,
      address: input.address,
      port: input.port ?? (input.use_tls ? 443 : 80),
      useTls: input.use_tls,
      verifyTls: input.verify_tls,
      caPem: input.ca_pem,
      username: input.username,
      passwordEnc: createSecretBox(deps.config.signingKey, 'management-secret').seal(input.password, site.id),
      pollScriptName: input.poll_script_name,
    },
    new Date(deps.clock()),
  );
  // The password never reaches the audit log; only that one was set.
  const row = await auditedPrisma(deps, by, change, (m) => ({
    action: 'site.management.set',
    target: `site:${m.siteId}`,
    summary: { address: m.address, port: m.port, use_tls: m.useTls, verify_tls: m.verifyTls, ca_pem: m.caPem !== null, username: m.username, password_set: true },
  }));
  return toDto(row);
}

export async function getManagement(deps: Deps, org: string, siteId: string): Promise<ManagementDto> {
  await sites.requireSite(deps, org, siteId);
  const row = await repo.findBySite(deps.db, siteId);
  if (!row) throw new AppError('management_not_configured');
  return toDto(row);
}

/** Removes the endpoint; removing one that is not there is harmless. */
export async function deleteManagement(deps: Deps, by: Actor, siteId: string): Promise<void> {
  await sites.requireSite(deps, by.org, siteId);
  await auditedPrisma(deps, by, (tx) => repo.remove(tx, siteId), (removed) =>
    removed ? { action: 'site.management.delete', target: `site:${siteId}` } : null,
  );
}

/**
 * The site's endpoint with its password opened; null when none is configured, 'unreadable' when
 * the stored password no longer opens (SIGNING_KEY changed since it was set).
 */
export async function loadEndpoint(deps: Deps, siteId: string): Promise<Endpoint | null | 'unreadable'> {
  const row = await repo.findBySite(deps.db, siteId);
  if (!row) return null;
  const password = createSecretBox(deps.config.signingKey, 'management-secret').open(row.passwordEnc, siteId);
  if (password === null) return 'unreadable';
  const { address, port, useTls, verifyTls, caPem, username, pollScriptName } = row;
  return { address, port, useTls, verifyTls, caPem, username, password, pollScriptName };
}
