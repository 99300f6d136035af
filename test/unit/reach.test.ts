import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/db/reach.js';

describe('redactUrl', () => {
  it('masks the password of a URL, of a multi-host Redis URL and a Sentinel password in the query', () => {
    expect(redactUrl('postgresql://app:hunter2@db:5432/tikops')).toBe('postgresql://app:***@db:5432/tikops');
    expect(redactUrl('redis+cluster://app:hunter2@h1:7000,h2:7001')).toBe('redis+cluster://app:***@h1:7000,h2:7001');
    expect(redactUrl('redis+sentinel://:hunter2@s1:26379,s2:26379/m?sentinelUsername=w&sentinelPassword=hunter3')).toBe(
      'redis+sentinel://:***@s1:26379,s2:26379/m?sentinelUsername=w&sentinelPassword=***',
    );
    expect(redactUrl('rediss+sentinel://s1:26379/m?sentinelPassword=hunter3')).toBe('rediss+sentinel://s1:26379/m?sentinelPassword=***');
  });

  it('prints nothing of a URL it cannot parse', () => {
    expect(redactUrl('postgres//app:hunter2@db')).toBe('(unparsable URL)');
  });
});
