// What a router's facts say about its hardware and software: the site inventory columns
// (the site object's fields, docs/onboarding.md), from the `key=value;` facts of an adoption or a heartbeat.
import { createHash } from 'node:crypto';

export interface Inventory {
  identity: string | null;
  model: string | null;
  boardName: string | null;
  serialNumber: string | null;
  softwareVersion: string | null;
  softwareId: string | null;
  architectureName: string | null;
  routerboard: boolean | null;
}

const MAX = 200;

function text(v: string | undefined): string | null {
  if (v === undefined) return null;
  const t = v.trim();
  return t === '' ? null : t.slice(0, MAX);
}

function yesNo(v: string | undefined): boolean | null {
  const t = v?.trim().toLowerCase();
  if (t === 'yes' || t === 'true') return true;
  if (t === 'no' || t === 'false') return false;
  return null;
}

/** Inventory from RouterOS fact names; a fact the router did not send is null (keep the old value). */
export function inventoryFromFacts(f: Readonly<Record<string, string>>): Inventory {
  return {
    identity: text(f.name),
    model: text(f.model),
    boardName: text(f['board-name']),
    serialNumber: text(f['serial-number']),
    softwareVersion: text(f.version),
    // CHR reports a system-id instead (no routerboard serial, no software-id): it identifies the
    // installation the same way, so it is kept as the site's software id.
    softwareId: text(f['software-id']) ?? text(f['system-id']),
    architectureName: text(f['architecture-name']),
    routerboard: yesNo(f.routerboard),
  };
}

/**
 * 40 hex characters that change when the hardware behind a site changes (SHA-1 of model, board,
 * serial number and architecture); null until the router reported a serial number.
 */
export function hardwareHash(i: Pick<Inventory, 'model' | 'boardName' | 'serialNumber' | 'architectureName'>): string | null {
  if (!i.serialNumber) return null;
  return createHash('sha1')
    .update(JSON.stringify([i.model, i.boardName, i.serialNumber, i.architectureName]))
    .digest('hex');
}

/**
 * How adoption finds a router again: its RouterBOARD serial number, else (CHR, x86: no serial) its
 * license software-id or CHR system-id; null when the router reported none of them.
 */
export function adoptionKey(i: Pick<Inventory, 'serialNumber' | 'softwareId'>): { serialNumber: string } | { softwareId: string } | null {
  if (i.serialNumber) return { serialNumber: i.serialNumber };
  if (i.softwareId) return { softwareId: i.softwareId };
  return null;
}

/** A site name for a newly adopted router: its identity, else its serial number. */
export function adoptedName(i: Inventory): string {
  return (i.identity ?? i.serialNumber ?? 'MikroTik').slice(0, 100);
}
