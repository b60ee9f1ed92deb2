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
  toRedisCommander,
} from './client.js';

/**
 * GCRA over every key of one decision, on the Redis server's clock. All checks admit or none
 * is charged. TATs are stored as milliseconds since the epoch with 17 significant digits
 * (sub-microsecond), and expire when the bucket is full again.
 *
 * KEYS: one per check. ARGV: cost, mode (`c` consume, `r` refund), then per check its
 * interval, tolerance and burst (milliseconds, milliseconds, units). Reply, all integers: the
 * decision (1/0), then per check: allowed (1/0), remaining, reset µs, retry µs (-1: never).
 * A single consuming check, the common case, takes a shorter path.
 */
export const GCRA_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local cost = tonumber(ARGV[1])
local eps = 1e-6
if #KEYS == 1 and ARGV[2] == 'c' then
  local interval, tolerance, burst = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
  local base = tonumber(redis.call('GET', KEYS[1]))
  if not base or base < now then base = now end
  local nxt = base + cost * interval
  local tat, ok, retry = nxt, 1, 0
  if nxt - tolerance <= now + eps then
    -- A number argument goes to Redis in full precision (17 significant digits).
    if cost > 0 then redis.call('SET', KEYS[1], nxt, 'PX', math.ceil(nxt - now)) end
  else
    tat, ok, retry = base, 0, -1
    if cost <= burst then retry = math.ceil((nxt - tolerance - now) * 1000) end
  end
  local free = math.floor((tolerance - (tat - now)) / interval + eps)
  if free < 0 then free = 0 elseif free > burst then free = burst end
  return { ok, ok, free, math.ceil((tat - now) * 1000), retry }
end
local function remaining(tat, tolerance, interval, burst)
  local free = math.floor((tolerance - (tat - now)) / interval + eps)
  if free < 0 then return 0 end
  if free > burst then return burst end
  return free
end
local function store(key, tat)
  redis.call('SET', key, tat, 'PX', math.ceil(tat - now))
end
local refund = ARGV[2] == 'r'
local n = #KEYS
local bases, nexts, oks = {}, {}, {}
local all = 1
for i = 1, n do
  local interval = tonumber(ARGV[3 * i])
  local tolerance = tonumber(ARGV[3 * i + 1])
  local base = tonumber(redis.call('GET', KEYS[i]))
  if not base or base < now then base = now end
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
  local interval = tonumber(ARGV[3 * i])
  local tolerance = tonumber(ARGV[3 * i + 1])
  local burst = tonumber(ARGV[3 * i + 2])
  local tat = bases[i]
  local retry = 0
  if refund then
    tat = nexts[i]
    if bases[i] > now then
      if tat > now then store(KEYS[i], tat) else redis.call('DEL', KEYS[i]) end
    end
  elseif all == 1 then
    tat = nexts[i]
    if cost > 0 then store(KEYS[i], tat) end
  elseif not oks[i] then
    if cost > burst then retry = -1 else retry = math.ceil((nexts[i] - tolerance - now) * 1000) end
  end
  out[#out + 1] = oks[i] and 1 or 0
  out[#out + 1] = remaining(tat, tolerance, interval, burst)
  out[#out + 1] = math.ceil((tat - now) * 1000)
  out[#out + 1] = retry
end
return out
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
 * @example
 * ```ts
 * const store = new RedisRateLimitStore({ client: new Redis(process.env.REDIS_URL) });
 * ```
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #redis: RedisCommander;
  readonly #prefix: string;
  readonly #script = new RedisScript(GCRA_LUA);

  constructor(options: RedisRateLimitStoreOptions) {
    this.#redis = toRedisCommander(options.client);
    this.#prefix = options.prefix ?? 'faultline:rl:';
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
    let args: (string | number)[];
    let limits: number[];
    try {
      checkCost(cost);
      keys = [];
      args = [cost, mode];
      limits = [];
      for (const check of checks) {
        const policy = normalizePolicy(check.policy);
        keys.push(`${this.#prefix}{${check.key}}${policy.id}`);
        args.push(policy.intervalMs, policy.toleranceMs, policy.burst);
        limits.push(policy.limit);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    if (checks.length === 0) return Promise.resolve({ allowed: true, results: [] });
    return this.#script.run(this.#redis, keys, args).then((reply) => parseReply(reply, limits));
  }
}

/** Turns the script's flat reply into a decision. */
export function parseReply(reply: unknown, limits: readonly number[]): RateLimitDecision {
  if (!Array.isArray(reply) || reply.length !== 1 + 4 * limits.length) {
    throw new TypeError('Unexpected reply from the rate-limit script');
  }
  const results: RateLimitResult[] = [];
  for (let i = 0; i < limits.length; i++) {
    const at = 1 + 4 * i;
    const retry = Number(reply[at + 3]);
    results.push({
      allowed: Number(reply[at]) === 1,
      limit: limits[i]!,
      remaining: Number(reply[at + 1]),
      // Microseconds on the wire (integer replies), milliseconds here.
      resetMs: Number(reply[at + 2]) / 1000,
      retryAfterMs: retry < 0 ? Number.POSITIVE_INFINITY : retry / 1000,
    });
  }
  return { allowed: Number(reply[0]) === 1, results };
}
