import { createHash } from 'node:crypto';

// What makes two exports "the same configuration". RouterOS starts every `/export` with a comment
// line naming when and by which version it was made (`# 2025-10-29 12:50:00 by RouterOS 7.19.4`;
// older versions write the date as `oct/29/2025`), so two exports of an unchanged router differ
// in that line alone. https://help.mikrotik.com/docs/spaces/ROS/pages/328155/Configuration+Management
// shows the header. The rest is compared byte for byte: any other change is a change.

const HEADER = /^# [^\n]* by RouterOS [^\n]*\n/;

/** The export without its leading timestamp line (unchanged if it has none). */
export function withoutExportHeader(content: Buffer): Buffer {
  const head = content.subarray(0, 200).toString('latin1');
  const m = HEADER.exec(head);
  return m ? content.subarray(m[0].length) : content;
}

/** Hex SHA-256 of the configuration an export holds: equal for exports that differ only in their timestamp line. */
export function configDigest(content: Buffer): string {
  return createHash('sha256').update(withoutExportHeader(content)).digest('hex');
}
