import { isIP } from 'node:net';
import { z } from 'zod';
import { text } from '../http/text.js';
import { uuid } from '../http/validate.js';

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOST_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*\\.?$`);
const PEM = /^\s*-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/;

/**
 * A bare host name or IP address. A name whose last label is numeric is refused: URL parsing
 * would read "10.1" as an IPv4 address, so it would not mean what it says.
 */
function isAddress(v: string): boolean {
  if (isIP(v) !== 0) return !v.includes('%');
  if (!HOST_NAME.test(v)) return false;
  const last = v.replace(/\.$/, '').split('.').pop() ?? '';
  return !/^(0x[0-9a-f]*|[0-9]+)$/i.test(last);
}

const address = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .meta({ description: "The router's host name or IP address as tikops reaches it (often a VPN or private address).", example: '100.64.12.7' });
const port = z.number().int().min(1).max(65_535).meta({ example: 443 });
const useTls = z.boolean().meta({ description: 'HTTPS (www-ssl) rather than HTTP (www).' });
const verifyTls = z.boolean().meta({ description: "Verify the router's certificate (against ca_pem when given, else the system CAs)." });
const caPem = text({ multiline: true }).max(16_384).nullable().meta({ description: "PEM certificate(s) to trust for the router's certificate; only with use_tls." });
const username = text().min(1).max(100).meta({ description: 'RouterOS user with the rest-api policy (and what the poll script needs).', example: 'tikops-express' });
// Interpolated into `/system script run <name>`, so only characters that need no quoting.
const pollScriptName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 letters, digits, "_", "." or "-"')
  .meta({ description: 'The installed poll script to run.' });

/** Body of PUT /site/{siteId}/management: a full replacement, password included (it is write-only). */
export const managementBody = z
  .strictObject({
    address: address.refine(isAddress, 'expected a host name or IP address, without scheme, port or path'),
    port: port.optional().meta({ description: 'TCP port of the REST API (www-ssl or www). Default 443 with TLS, 80 without.' }),
    use_tls: useTls.default(true),
    verify_tls: verifyTls.default(true),
    ca_pem: caPem.refine((v) => v === null || PEM.test(v), 'expected PEM certificates').default(null),
    // RFC 7617: a Basic-auth user name cannot contain a colon.
    username: username.refine((v) => !v.includes(':'), 'expected no colon'),
    password: text()
      .min(1)
      .max(256)
      .meta({ description: 'Password of the RouterOS user; write-only.' }),
    poll_script_name: pollScriptName.default('tikops-poll'),
  })
  .superRefine((b, ctx) => {
    if (!b.use_tls && b.ca_pem !== null) ctx.addIssue({ code: 'custom', path: ['ca_pem'], message: 'only applies when use_tls is true' });
  });

export type ManagementInput = z.output<typeof managementBody>;

export const siteParams = z.object({ siteId: uuid.meta({ description: 'The UUID of the site.' }) });

/** A site's management endpoint as the API shows it: everything but the password. */
export const managementEndpoint = z
  .object({
    site_id: uuid,
    address,
    port,
    use_tls: useTls,
    verify_tls: verifyTls,
    ca_pem: caPem,
    username,
    has_password: z.literal(true).meta({ description: 'A password is stored (sealed); it is write-only.' }),
    poll_script_name: pollScriptName,
    created_at: z.iso.datetime().meta({ description: 'When the endpoint was first set.', example: '2025-10-29T12:00:00Z' }),
    updated_at: z.iso.datetime().meta({ description: 'When the endpoint was last set.', example: '2025-10-29T12:00:00Z' }),
  })
  .meta({
    id: 'ManagementEndpoint',
    description: "A site's management endpoint: the router's RouterOS REST API, used by express execute. The password is never returned.",
  });

export type ManagementDto = z.infer<typeof managementEndpoint>;
