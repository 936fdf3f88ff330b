import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { AccessError } from './access.error';
import { hashSecret, newKey, parseKey, secretMatches } from './api-key-secret';
import { ApiKeyRow, ApiKeysRepository } from './api-keys.repository';
import { Scope, isScope } from './scopes';

/** Who a request is: a stored key, or the ADMIN_API_KEY of the environment (id null). */
export interface KeyIdentity {
  id: string | null;
  name: string;
  scopes: Scope[];
}

interface Verified {
  identity: KeyIdentity;
  expiresAt: number;
  checkedAt: number;
  refreshing?: Promise<boolean>;
}

const ENV_KEY_NAME = 'ADMIN_API_KEY';
/** How often a key's last use is written, at most (a write per request would cost every request). */
const TOUCH_EVERY_MS = 60_000;
const MAX_REMEMBERED = 10_000;

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * API keys: creation (the secret is shown once), listing, revocation, and the check of each
 * request's key. A verified key is remembered by a SHA-256 of it; after AUTH_CACHE_MS its row is read
 * again, so a revoked or expired key stops working on every gateway within twice that time.
 */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  private readonly verified = new Map<string, Verified>();
  private readonly touched = new Map<string, number>();
  private readonly envKey: Buffer | undefined;
  /** What an unknown id's secret is checked against, so unknown and wrong keys cost the same. */
  private readonly decoy: Promise<string> = hashSecret('decoy');

  constructor(
    private readonly repo: ApiKeysRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.envKey = config.auth.adminKey === undefined ? undefined : digest(config.auth.adminKey);
  }

  async create(input: { name: string; scopes: string[]; expiresAt?: string | null }): Promise<{
    row: ApiKeyRow;
    key: string;
  }> {
    const name = input.name.trim();
    if (!/^[\x20-\x7e]{1,100}$/.test(name) || name.length === 0)
      throw new AccessError('VALIDATION', 'name: 1..100 visible ASCII characters');
    const unknown = input.scopes.filter((s) => !isScope(s));
    if (input.scopes.length === 0 || unknown.length > 0)
      throw new AccessError(
        'VALIDATION',
        `scopes: give one or more of the known scopes (unknown: ${unknown.join(', ') || 'none given'})`,
      );
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (expiresAt && !(expiresAt.getTime() > Date.now()))
      throw new AccessError('VALIDATION', 'expiresAt: must be a time in the future');
    const { id, secret, key } = newKey();
    const scopes = [...new Set(input.scopes)] as Scope[];
    const row = await this.repo.insert({ id, name, scopes, secretHash: await hashSecret(secret), expiresAt });
    return { row, key };
  }

  list(limit: number, offset: number): Promise<ApiKeyRow[]> {
    return this.repo.list(limit, offset);
  }

  async revoke(id: string): Promise<void> {
    const row = await this.repo.revoke(id);
    if (!row) throw new AccessError('NOT_FOUND', `API key ${id} not found`);
    this.forget(id);
  }

  /** Production runs only with an admin key: in the environment, or stored and usable. */
  async adminKeyExists(): Promise<boolean> {
    return this.envKey !== undefined || (await this.repo.countUsableAdmins()) > 0;
  }

  /** The identity of a presented key, or undefined for any key that does not work now. */
  async authenticate(key: string): Promise<KeyIdentity | undefined> {
    const hash = digest(key);
    if (this.envKey && timingSafeEqual(hash, this.envKey))
      return { id: null, name: ENV_KEY_NAME, scopes: ['admin'] };
    const memo = hash.toString('base64');
    const known = this.verified.get(memo);
    if (known) return (await this.stillValid(memo, known)) ? known.identity : undefined;

    const parsed = parseKey(key);
    if (!parsed) return undefined;
    const row = await this.repo.find(parsed.id);
    const matches = await secretMatches(parsed.secret, row?.secretHash ?? (await this.decoy));
    if (!row || !matches || !usable(row)) return undefined;
    if (this.verified.size >= MAX_REMEMBERED)
      this.verified.delete(this.verified.keys().next().value as string);
    const identity: KeyIdentity = { id: row.id, name: row.name, scopes: row.scopes };
    const expiresAt = row.expiresAt?.getTime() ?? Infinity;
    this.verified.set(memo, { identity, expiresAt, checkedAt: Date.now() });
    return identity;
  }

  /** Records that a key was used (to the minute), off the request's path. */
  noteUse(identity: KeyIdentity): void {
    const id = identity.id;
    if (id === null || Date.now() - (this.touched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(id, Date.now());
    this.repo.touch(id).catch((err: unknown) => {
      this.logger.warn(`last use of key ${id} not recorded: ${(err as Error).message}`);
    });
  }

  private async stillValid(memo: string, entry: Verified): Promise<boolean> {
    const now = Date.now();
    if (now >= entry.expiresAt) {
      this.verified.delete(memo);
      return false;
    }
    const age = now - entry.checkedAt;
    if (age < this.config.auth.cacheMs) return true;
    entry.refreshing ??= this.refresh(memo, entry).finally(() => (entry.refreshing = undefined));
    // Served on while its row is read again (requests need not queue behind that query for a pool
    // connection), up to twice AUTH_CACHE_MS: the bound on how long a revoked key still works.
    return age < 2 * this.config.auth.cacheMs ? true : entry.refreshing;
  }

  private async refresh(memo: string, entry: Verified): Promise<boolean> {
    try {
      const row = await this.repo.find(entry.identity.id as string);
      if (!row || !usable(row)) {
        this.verified.delete(memo);
        return false;
      }
      entry.checkedAt = Date.now();
      return true;
    } catch (err) {
      // Nothing can be revoked while the database is down: the key stays as good as it was.
      this.logger.warn(`key ${entry.identity.id} not re-checked: ${(err as Error).message}`);
      return true;
    }
  }

  private forget(id: string): void {
    for (const [memo, entry] of this.verified) if (entry.identity.id === id) this.verified.delete(memo);
  }
}

function usable(row: ApiKeyRow): boolean {
  return row.revokedAt === null && (row.expiresAt === null || row.expiresAt.getTime() > Date.now());
}
