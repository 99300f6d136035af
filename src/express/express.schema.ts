import { isIP } from 'node:net';
import { z } from 'zod';
import { uuid } from '../http/validate.js';

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOST_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*\\.?$`);
const hasControl = (v: string): boolean => [...v].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

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

/** Body of PUT /site/{siteId}/management: a full replacement, password included (it is write-only). */
export const managementBody = z
  .strictObject({
    address: z.string().trim().min(1).max(253).refine(isAddress, 'expected a host name or IP address, without scheme, port or path'),
    port: z.number().int().min(1).max(65_535).optional(),
    use_tls: z.boolean().default(true),
    verify_tls: z.boolean().default(true),
    ca_pem: z
      .string()
      .max(16_384)
      .regex(/^\s*-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/, 'expected PEM certificates')
      .nullable()
      .default(null),
    // RFC 7617: a Basic-auth user name cannot contain a colon.
    username: z.string().min(1).max(100).refine((v) => !v.includes(':') && !hasControl(v), 'expected no colon or control characters'),
    password: z.string().min(1).max(256).refine((v) => !hasControl(v), 'expected no control characters'),
    // Interpolated into `/system script run <name>`, so only characters that need no quoting.
    poll_script_name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 letters, digits, "_", "." or "-"').default('tikops-poll'),
  })
  .superRefine((b, ctx) => {
    if (!b.use_tls && b.ca_pem !== null) ctx.addIssue({ code: 'custom', path: ['ca_pem'], message: 'only applies when use_tls is true' });
  });

export type ManagementInput = z.output<typeof managementBody>;

export const siteParams = z.object({ siteId: uuid });
