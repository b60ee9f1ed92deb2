import { checkCost, normalizePolicy } from '../ratelimit/gcra.js';
import type {
  RateLimitCheck,
  RateLimitDecision,
  RateLimitResult,
  RateLimitStore,
} from '../ratelimit/types.js';
import {
  type RedisClientLike,
  type RedisCommander,
  RedisScript,
  type RedisVersionError,
  toRedisCommander,
} from './client.js';

/**
 * GCRA over every key of one decision, on the Redis server's clock. All checks admit or none
 * is charged. Needs Redis 6.2 or later (`PXAT`, `KEEPTTL`): {@link RedisRateLimitStore} checks
 * the server's version when it loads the script and refuses older servers with a
 * {@link RedisVersionError}.
 *
 * A key holds 16 bytes: its TAT and the moment the key expires (milliseconds since the epoch,
 * two little-endian doubles): exact, and never formatted or parsed as decimal text, which costs
 * Redis more than the rest of the arithmetic. A key expires once its bucket is full again, plus
 * at most one full refill (burst × interval): the slack lets most writes keep the key's TTL
 * (`KEEPTTL`) instead of setting a new one, which costs Redis more than the write itself. So no
 * key lives longer than two refills (plus 2 ms of rounding) after its last write.
 *
 * A TAT written as decimal text by an earlier version is still read. Decimal text can be 16
 * characters long too (`1735000000000.25`), so a binary value is also told by its eighth byte:
 * the sign and exponent byte of a double between 2^33 and 2^49 (any TAT from 1970 to the year
 * 19 000), `0x42` (`B`), which no decimal number contains.
 *
 * A stored TAT further ahead than the tolerance cannot come from this script at the server's
 * current time: the server's clock went back (or the key was written by hand). It is read as
 * an empty bucket, which refills as usual, rather than one refused for as long as the clock
 * jumped.
 *
 * KEYS: one per check. ARGV: cost, mode (`c` consume, `r` refund), then per check its interval
 * (ms) and burst (units). Reply: one string of integers separated by spaces (a string costs
 * Redis less to return than an array): the decision (1/0), then per check: allowed (1/0),
 * remaining, reset µs, retry µs (-1: never). A single consuming check, the common case, takes
 * a shorter path that builds no closure or table, and when admitted answers with one integer,
 * remaining × 2^32 + reset µs, whenever remaining < 2^21 and reset < 2^32 µs (see
 * {@link parseReply}).
 */
export const GCRA_LUA = `
local t = redis.call('TIME')
local now = t[1] * 1000 + t[2] / 1000
local n = #KEYS
if #ARGV ~= 2 + 2 * n then return redis.error_reply('faultline: bad rate-limit arguments') end
local eps = 1e-6
-- Numbers from text by arithmetic ('x' + 0) rather than tonumber, which converts twice; and a
-- cost of 1, nearly every call, by comparing interned strings rather than converting at all.
local cost = 1
if ARGV[1] ~= '1' then cost = ARGV[1] + 0 end
if n == 1 and ARGV[2] == 'c' then
  local interval, burst = ARGV[3] + 0, ARGV[4] + 0
  local tolerance = burst * interval
  local base, expires = now, 0
  local raw = redis.call('GET', KEYS[1])
  if raw then
    local tat
    if #raw == 16 and string.byte(raw, 8) == 66 then
      tat, expires = struct.unpack('<dd', raw)
    else
      tat = tonumber(raw)
    end
    if tat and tat > now then
      base = tat
      if base > now + tolerance then base = now + tolerance end
    end
  end
  local nxt = base + cost * interval
  if nxt - tolerance <= now + eps then
    if cost > 0 then
      local full = math.ceil(nxt)
      if full <= expires then
        redis.call('SET', KEYS[1], struct.pack('<dd', nxt, expires), 'KEEPTTL')
      else
        expires = full + math.ceil(tolerance)
        redis.call('SET', KEYS[1], struct.pack('<dd', nxt, expires), 'PXAT', string.format('%d', expires))
      end
    end
    local free = math.floor((tolerance - (nxt - now)) / interval + eps)
    if free < 0 then free = 0 elseif free > burst then free = burst end
    local reset = math.ceil((nxt - now) * 1000)
    if free < 2097152 and reset < 4294967296 then return free * 4294967296 + reset end
    return string.format('1 1 %d %d 0', free, reset)
  end
  local retry = -1
  if cost <= burst then retry = math.ceil((nxt - tolerance - now) * 1000) end
  local free = math.floor((tolerance - (base - now)) / interval + eps)
  if free < 0 then free = 0 elseif free > burst then free = burst end
  return string.format('0 0 %d %d %d', free, math.ceil((base - now) * 1000), retry)
end
local expiries = {}
local function load(i, tolerance)
  local raw = redis.call('GET', KEYS[i])
  expiries[i] = 0
  if not raw then return now end
  local tat
  if #raw == 16 and string.byte(raw, 8) == 66 then
    tat, expiries[i] = struct.unpack('<dd', raw)
  else
    tat = tonumber(raw)
  end
  if not tat or not (tat > now) then return now end
  if tat > now + tolerance then return now + tolerance end
  return tat
end
local function store(i, tat, tolerance)
  local full = math.ceil(tat)
  if full <= expiries[i] then
    redis.call('SET', KEYS[i], struct.pack('<dd', tat, expiries[i]), 'KEEPTTL')
  else
    local expires = full + math.ceil(tolerance)
    redis.call('SET', KEYS[i], struct.pack('<dd', tat, expires), 'PXAT', string.format('%d', expires))
  end
end
local function remaining(tat, tolerance, interval, burst)
  local free = math.floor((tolerance - (tat - now)) / interval + eps)
  if free < 0 then return 0 end
  if free > burst then return burst end
  return free
end
local refund = ARGV[2] == 'r'
local intervals, bursts, bases, nexts, oks = {}, {}, {}, {}, {}
local all = 1
for i = 1, n do
  local interval, burst = ARGV[1 + 2 * i] + 0, ARGV[2 + 2 * i] + 0
  local tolerance = burst * interval
  intervals[i], bursts[i] = interval, burst
  local base = load(i, tolerance)
  bases[i] = base
  if refund then
    local back = base - cost * interval
    if back < now then back = now end
    nexts[i] = back
    oks[i] = true
  else
    nexts[i] = base + cost * interval
    oks[i] = nexts[i] - tolerance <= now + eps
    if not oks[i] then all = 0 end
  end
end
local out = { all }
for i = 1, n do
  local interval, burst = intervals[i], bursts[i]
  local tolerance = burst * interval
  local tat = bases[i]
  local retry = 0
  if refund then
    tat = nexts[i]
    if bases[i] > now then
      if tat > now then store(i, tat, tolerance) else redis.call('DEL', KEYS[i]) end
    end
  elseif all == 1 then
    tat = nexts[i]
    if cost > 0 then store(i, tat, tolerance) end
  elseif not oks[i] then
    if cost > burst then retry = -1 else retry = math.ceil((nexts[i] - tolerance - now) * 1000) end
  end
  out[i + 1] = string.format('%d %d %d %d', oks[i] and 1 or 0,
    remaining(tat, tolerance, interval, burst), math.ceil((tat - now) * 1000), retry)
end
return table.concat(out, ' ')
`;

/** Options of {@link RedisRateLimitStore}. */
export interface RedisRateLimitStoreOptions {
  /** An ioredis or node-redis client, connected; the store never closes it. */
  readonly client: RedisClientLike;
  /** Prefix of every key (default `faultline:rl:`). */
  readonly prefix?: string;
}

/**
 * The Redis rate-limit store: one `EVALSHA` per decision, whatever the number of policies,
 * timed by the Redis server's clock so that every process shares one notion of now.
 *
 * Keys are `<prefix>{<key>}<limit>/<windowMs>/<burst>`: the braces keep every policy of one
 * key in one Redis Cluster slot. A decision over checks with different keys needs a single
 * Redis server (or keys that hash to one slot).
 *
 * Needs Redis 6.2 or later. An older server is refused with a {@link RedisVersionError} when
 * the store loads its script ({@link RedisRateLimitStore.setup}, or the first decision on a
 * server that does not hold the script yet), rather than failing on each write. Keys written by
 * the earlier decimal format are read, and rewritten in the binary one on their next charge;
 * while processes of both versions share a Redis (a rolling deploy), an old process reads a
 * new key as a full bucket.
 *
 * @example
 * ```ts
 * const store = new RedisRateLimitStore({ client: new Redis(process.env.REDIS_URL) });
 * await store.setup(); // optional: refuses a server older than Redis 6.2 at startup
 * ```
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #redis: RedisCommander;
  readonly #prefix: string;
  readonly #script = new RedisScript(GCRA_LUA, { minVersion: [6, 2] });

  constructor(options: RedisRateLimitStoreOptions) {
    this.#redis = toRedisCommander(options.client);
    this.#prefix = options.prefix ?? 'faultline:rl:';
  }

  /**
   * Loads the script and checks the server's version. Optional: the first decision does the
   * same. Call it at startup to learn of an unsupported server there, rather than from the
   * limiter's failure mode on the first request.
   *
   * @throws {RedisVersionError} when the server is older than Redis 6.2.
   */
  async setup(): Promise<void> {
    await this.#script.load(this.#redis);
  }

  consume(checks: readonly RateLimitCheck[], cost = 1): Promise<RateLimitDecision> {
    return this.#run(checks, cost, 'c');
  }

  refund(checks: readonly RateLimitCheck[], cost = 1): Promise<RateLimitDecision> {
    return this.#run(checks, cost, 'r');
  }

  #run(
    checks: readonly RateLimitCheck[],
    cost: number,
    mode: 'c' | 'r',
  ): Promise<RateLimitDecision> {
    // Plain promise chaining rather than async/await: this sits on every limiter decision.
    // Bad input (a cost or policy out of range) still rejects rather than throws.
    let keys: string[];
    let args: string[];
    let limits: number[];
    try {
      checkCost(cost);
      keys = [];
      // Text rather than numbers or a packed buffer: clients send strings as they are, while
      // numbers are converted and a buffer switches ioredis to a slower way of writing.
      args = [String(cost), mode];
      limits = [];
      for (const check of checks) {
        const policy = normalizePolicy(check.policy);
        keys.push(`${this.#prefix}{${check.key}}${policy.id}`);
        args.push(String(policy.intervalMs), String(policy.burst));
        limits.push(policy.limit);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    if (checks.length === 0) return Promise.resolve({ allowed: true, results: [] });
    return this.#script.runAndParse(this.#redis, keys, args, (reply) => parseReply(reply, limits));
  }
}

/** 2^32: an admitted single check's reply is `remaining * 2^32 + reset µs`. */
const HIGH = 4_294_967_296;

/**
 * Turns the script's reply into a decision: one integer for an admitted single check (the
 * usual answer, cheapest for Redis to return and for the client to read), otherwise a string
 * of integers separated by spaces. Anything else, or a field out of range, is refused: the
 * reply of a proxy or a server that ran something else must not pass for a decision.
 *
 * @throws {TypeError} when the reply is not one this script gives.
 */
export function parseReply(reply: unknown, limits: readonly number[]): RateLimitDecision {
  if (typeof reply === 'number') return admitted(reply, reply, limits);
  const text = typeof reply === 'string' ? reply : Buffer.isBuffer(reply) ? reply.toString() : '';
  const fields = text.split(' ');
  // One integer as text: a client told to answer integers as strings (ioredis `stringNumbers`).
  if (fields.length === 1 && limits.length === 1) {
    return admitted(integer(fields[0]!, reply, 0), reply, limits);
  }
  if (fields.length !== 1 + 4 * limits.length) throw unexpected(reply);
  const results: RateLimitResult[] = [];
  let every = true;
  for (let i = 0; i < limits.length; i++) {
    const at = 1 + 4 * i;
    const allowed = flag(fields[at]!, reply);
    const retry = integer(fields[at + 3]!, reply, -1);
    every &&= allowed;
    results.push({
      allowed,
      limit: limits[i]!,
      remaining: integer(fields[at + 1]!, reply, 0),
      // Microseconds on the wire (integers), milliseconds here.
      resetMs: integer(fields[at + 2]!, reply, 0) / 1000,
      retryAfterMs: retry < 0 ? Number.POSITIVE_INFINITY : retry / 1000,
    });
  }
  const allowed = flag(fields[0]!, reply);
  // A consumed decision is allowed exactly when every check is; a refund allows them all.
  if (allowed !== every) throw unexpected(reply);
  return { allowed, results };
}

function admitted(packed: number, reply: unknown, limits: readonly number[]): RateLimitDecision {
  if (limits.length !== 1 || !Number.isSafeInteger(packed) || packed < 0) {
    throw unexpected(reply);
  }
  const resetUs = packed % HIGH;
  return {
    allowed: true,
    results: [
      {
        allowed: true,
        limit: limits[0]!,
        remaining: (packed - resetUs) / HIGH,
        resetMs: resetUs / 1000,
        retryAfterMs: 0,
      },
    ],
  };
}

const INTEGER = /^-?\d+$/;

function integer(field: string, reply: unknown, min: number): number {
  const value = Number(field);
  if (!INTEGER.test(field) || !Number.isSafeInteger(value) || value < min) throw unexpected(reply);
  return value;
}

function flag(field: string, reply: unknown): boolean {
  if (field === '1') return true;
  if (field === '0') return false;
  throw unexpected(reply);
}

function unexpected(reply: unknown): TypeError {
  const shown = typeof reply === 'string' ? JSON.stringify(reply.slice(0, 80)) : typeof reply;
  return new TypeError(`Unexpected reply from the rate-limit script: ${shown}`);
}
