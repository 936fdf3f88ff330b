import { parseConfig } from '@conveyor/config';
import { hashSecret, newKey } from './api-key-secret';
import type { ApiKeyRow, ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';

/** The rows of a fake table, and how often each is read: what the cache saves is visible. */
class FakeKeys {
  rows = new Map<string, ApiKeyRow>();
  finds = 0;
  find = (id: string) => {
    this.finds++;
    return Promise.resolve(this.rows.get(id) ?? null);
  };
  touch = () => Promise.resolve();
  countUsableAdmins = () =>
    Promise.resolve([...this.rows.values()].filter((r) => r.scopes.includes('admin')).length);
}

async function stored(fake: FakeKeys, over: Partial<ApiKeyRow> = {}): Promise<string> {
  const { id, secret, key } = newKey();
  fake.rows.set(id, {
    id,
    name: 'k',
    scopes: ['tasks:read'],
    secretHash: await hashSecret(secret),
    createdAt: new Date(),
    lastUsedAt: null,
    expiresAt: null,
    revokedAt: null,
    ...over,
  });
  return key;
}

function service(fake: FakeKeys, env: Record<string, string> = {}): ApiKeysService {
  return new ApiKeysService(
    fake as unknown as ApiKeysRepository,
    parseConfig({ AUTH_CACHE_MS: '50', ...env }),
  );
}

describe('ApiKeysService.authenticate', () => {
  it('accepts a stored key, remembers it, and reads its row again after AUTH_CACHE_MS', async () => {
    const fake = new FakeKeys();
    const keys = service(fake);
    const key = await stored(fake);
    expect((await keys.authenticate(key))?.scopes).toEqual(['tasks:read']);
    expect(fake.finds).toBe(1);
    await keys.authenticate(key);
    expect(fake.finds).toBe(1); // remembered
    await new Promise((r) => setTimeout(r, 60));
    await keys.authenticate(key);
    expect(fake.finds).toBe(2);
  });

  it('refuses a revoked key within twice AUTH_CACHE_MS, serving it meanwhile while its row is read', async () => {
    const fake = new FakeKeys();
    const keys = service(fake);
    const key = await stored(fake);
    expect(await keys.authenticate(key)).toBeDefined();
    for (const row of fake.rows.values()) row.revokedAt = new Date();
    await new Promise((r) => setTimeout(r, 60));
    // Between one and two AUTH_CACHE_MS: answered at once, the row read again behind it.
    expect(await keys.authenticate(key)).toBeDefined();
    expect(fake.finds).toBe(2);
    await new Promise((r) => setTimeout(r, 0));
    expect(await keys.authenticate(key)).toBeUndefined();
  });

  it('waits for the row once a key was not checked for twice AUTH_CACHE_MS', async () => {
    const fake = new FakeKeys();
    const keys = service(fake);
    const key = await stored(fake);
    await keys.authenticate(key);
    for (const row of fake.rows.values()) row.revokedAt = new Date();
    await new Promise((r) => setTimeout(r, 110));
    expect(await keys.authenticate(key)).toBeUndefined();
  });

  it('refuses wrong secrets, unknown ids, expired keys and garbage', async () => {
    const fake = new FakeKeys();
    const keys = service(fake);
    const key = await stored(fake);
    expect(await keys.authenticate(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(await keys.authenticate(newKey().key)).toBeUndefined();
    expect(
      await keys.authenticate(await stored(fake, { expiresAt: new Date(Date.now() - 1000) })),
    ).toBeUndefined();
    for (const garbage of ['', 'cvk_', 'Bearer x', 'x'.repeat(5000)])
      expect(await keys.authenticate(garbage)).toBeUndefined();
  });

  it('accepts ADMIN_API_KEY as an admin without a row', async () => {
    const fake = new FakeKeys();
    const secret = 'e'.repeat(40);
    const keys = service(fake, { ADMIN_API_KEY: secret });
    expect(await keys.authenticate(secret)).toEqual({ id: null, name: 'ADMIN_API_KEY', scopes: ['admin'] });
    expect(await keys.adminKeyExists()).toBe(true);
    expect(fake.finds).toBe(0);
  });

  it('knows whether production may start: an admin key stored or given', async () => {
    const fake = new FakeKeys();
    expect(await service(fake).adminKeyExists()).toBe(false);
    await stored(fake, { scopes: ['tasks:read'] });
    expect(await service(fake).adminKeyExists()).toBe(false);
    await stored(fake, { scopes: ['admin'] });
    expect(await service(fake).adminKeyExists()).toBe(true);
  });
});
