import {
  type ClaimResult,
  checkClaim,
  type IdempotencyStore,
  type Lease,
  newToken,
  type StoredResponse,
} from '../idempotency/types.js';
import {
  type RedisClientLike,
  type RedisCommander,
  RedisScript,
  toRedisCommander,
} from './client.js';

/*
 * A record is one string: `L|<token>|<fingerprint>|` while leased (with the lease as its TTL)
 * and `C|<token>|<fingerprint>|<response>` once completed (with the retention as its TTL).
 * Tokens and fingerprints never hold `|`, so the first three fields split unambiguously and
 * the response after them is never parsed by Lua.
 */

/**
 * Claims a key: SET NX PX in effect, plus the existing record's verdict in the same round
 * trip. Right after a Redis restart (uptime shorter than the lease) a missing record may be a
 * lease lost with the restart, so the claim answers in-flight until any such lease would have
 * ended: no request can then run twice because Redis forgot it was running.
 *
 * KEYS: the record. ARGV: fingerprint, token, lease ms, restart guard ms (0 = off).
 */
export const CLAIM_LUA = `
local v = redis.call('GET', KEYS[1])
if v then
  local a = string.find(v, '|', 3, true)
  local b = string.find(v, '|', a + 1, true)
  if string.sub(v, a + 1, b - 1) ~= ARGV[1] then return { 'mismatch' } end
  if string.sub(v, 1, 1) == 'L' then return { 'in-flight' } end
  return { 'completed', string.sub(v, b + 1) }
end
local guard = tonumber(ARGV[4])
if guard > 0 then
  local up = tonumber(string.match(redis.call('INFO', 'server'), 'uptime_in_seconds:(%d+)'))
  if up and up * 1000 < guard then return { 'in-flight' } end
end
redis.call('SET', KEYS[1], 'L|' .. ARGV[2] .. '|' .. ARGV[1] .. '|', 'NX', 'PX', ARGV[3])
return { 'claimed' }
`;

/**
 * Completes a lease, fenced: written only if the record is this token's lease, or gone
 * (expired or lost). KEYS: the record. ARGV: token, fingerprint, retention ms, response.
 */
export const COMPLETE_LUA = `
local v = redis.call('GET', KEYS[1])
if v then
  if string.sub(v, 1, 1) ~= 'L' then return 0 end
  local a = string.find(v, '|', 3, true)
  if string.sub(v, 3, a - 1) ~= ARGV[1] then return 0 end
end
redis.call('SET', KEYS[1], 'C|' .. ARGV[1] .. '|' .. ARGV[2] .. '|' .. ARGV[4], 'PX', ARGV[3])
return 1
`;

/** Releases a lease, fenced. KEYS: the record. ARGV: token. */
export const RELEASE_LUA = `
local v = redis.call('GET', KEYS[1])
if not v or string.sub(v, 1, 1) ~= 'L' then return 0 end
local a = string.find(v, '|', 3, true)
if string.sub(v, 3, a - 1) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

/** Options of {@link RedisIdempotencyStore}. */
export interface RedisIdempotencyStoreOptions {
  /** An ioredis or node-redis client, connected; the store never closes it. */
  readonly client: RedisClientLike;
  /** Prefix of every key (default `faultline:idem:`). */
  readonly prefix?: string;
  /**
   * Answer claims with in-flight while Redis has been up for less than the lease (default
   * `true`). Turn off only when Redis persists every write (`appendfsync always`): then a
   * restart loses no lease.
   */
  readonly restartGuard?: boolean;
}

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The Redis idempotency store: one round trip per claim, completion or release (a Lua
 * script each), leases as key TTLs.
 *
 * @example
 * ```ts
 * const store = new RedisIdempotencyStore({ client: new Redis(process.env.REDIS_URL) });
 * ```
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  readonly #redis: RedisCommander;
  readonly #prefix: string;
  readonly #restartGuard: boolean;
  readonly #claim = new RedisScript(CLAIM_LUA);
  readonly #complete = new RedisScript(COMPLETE_LUA);
  readonly #release = new RedisScript(RELEASE_LUA);

  constructor(options: RedisIdempotencyStoreOptions) {
    this.#redis = toRedisCommander(options.client);
    this.#prefix = options.prefix ?? 'faultline:idem:';
    this.#restartGuard = options.restartGuard ?? true;
  }

  async claim(
    scopeKey: string,
    fingerprint: string,
    leaseMs: number,
    retentionMs: number,
  ): Promise<ClaimResult> {
    checkClaim(scopeKey, fingerprint, leaseMs, retentionMs);
    const token = newToken();
    const reply = await this.#claim.run(
      this.#redis,
      [this.#prefix + scopeKey],
      [fingerprint, token, leaseMs, this.#restartGuard ? leaseMs : 0],
    );
    if (!Array.isArray(reply)) throw new TypeError('Unexpected reply from the claim script');
    switch (String(reply[0])) {
      case 'claimed':
        return { kind: 'claimed', lease: { scopeKey, token, fingerprint, leaseMs, retentionMs } };
      case 'in-flight':
        return { kind: 'in-flight' };
      case 'mismatch':
        return { kind: 'mismatch' };
      case 'completed':
        return { kind: 'completed', response: decodeResponse(String(reply[1])) };
      default:
        throw new TypeError('Unexpected reply from the claim script');
    }
  }

  async complete(lease: Lease, response: StoredResponse): Promise<boolean> {
    const reply = await this.#complete.run(
      this.#redis,
      [this.#prefix + lease.scopeKey],
      [lease.token, lease.fingerprint, lease.retentionMs, encodeResponse(response)],
    );
    return Number(reply) === 1;
  }

  async release(lease: Lease): Promise<boolean> {
    const reply = await this.#release.run(
      this.#redis,
      [this.#prefix + lease.scopeKey],
      [lease.token],
    );
    return Number(reply) === 1;
  }
}

/**
 * A stored response as text: a JSON line of status, headers and body encoding, then the
 * body, as UTF-8 text when it is valid UTF-8 and base64 otherwise.
 */
export function encodeResponse(response: StoredResponse): string {
  let text: string | undefined;
  try {
    text = strictUtf8.decode(response.body);
  } catch {
    text = undefined;
  }
  const meta = { s: response.status, h: response.headers, e: text === undefined ? 'b' : 'u' };
  return `${JSON.stringify(meta)}\n${text ?? Buffer.from(response.body).toString('base64')}`;
}

/** The inverse of {@link encodeResponse}. */
export function decodeResponse(payload: string): StoredResponse {
  const newline = payload.indexOf('\n');
  if (newline === -1) throw new TypeError('Malformed stored response');
  const meta = JSON.parse(payload.slice(0, newline)) as {
    s: number;
    h: [string, string][];
    e: 'u' | 'b';
  };
  const rest = payload.slice(newline + 1);
  const body = meta.e === 'b' ? new Uint8Array(Buffer.from(rest, 'base64')) : encoder.encode(rest);
  return { status: meta.s, headers: meta.h, body };
}
