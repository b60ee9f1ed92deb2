import { createHash } from 'node:crypto';

/** One argument of a Redis command. */
export type RedisArgument = string | number;

/**
 * The one thing faultline needs from a Redis client: send a command, get the reply. Built
 * from an ioredis or node-redis client by {@link toRedisCommander}.
 */
export interface RedisCommander {
  /** Sends one command and resolves with its raw reply. */
  send(command: string, args: readonly RedisArgument[]): Promise<unknown>;
}

/** The part of an ioredis client (`new Redis()`, `new Cluster()`) used here. */
export interface IoRedisLike {
  call(command: string, args: (string | number)[]): Promise<unknown>;
}

/** The part of a node-redis client (`createClient()`) used here. */
export interface NodeRedisLike {
  sendCommand(args: string[]): Promise<unknown>;
  readonly isOpen: boolean;
}

/** Any client faultline accepts: ioredis, node-redis, or a ready {@link RedisCommander}. */
export type RedisClientLike = IoRedisLike | NodeRedisLike | RedisCommander;

/**
 * Wraps an ioredis or node-redis client (or passes a {@link RedisCommander} through).
 *
 * @example
 * ```ts
 * const commander = toRedisCommander(new Redis(process.env.REDIS_URL));
 * await commander.send('PING', []);
 * ```
 * @throws {TypeError} when the value is none of these.
 */
export function toRedisCommander(client: RedisClientLike): RedisCommander {
  const candidate = client as Partial<IoRedisLike & NodeRedisLike & RedisCommander>;
  if (typeof candidate.send === 'function') return client as RedisCommander;
  // Checked before `call`: node-redis has no `call`, but ioredis does have a `sendCommand`
  // (taking a Command object), so `sendCommand` alone would misread an ioredis client.
  if (typeof candidate.sendCommand === 'function' && 'isOpen' in candidate) {
    const nodeRedis = client as NodeRedisLike;
    return {
      send: (command, args) => nodeRedis.sendCommand([command, ...args.map(String)]),
    };
  }
  if (typeof candidate.call === 'function') {
    const ioredis = client as IoRedisLike;
    return { send: (command, args) => ioredis.call(command, args as (string | number)[]) };
  }
  throw new TypeError('Expected an ioredis client, a node-redis client or a RedisCommander');
}

/** Whether a Redis error says the script cache does not hold a script. */
export function isNoScriptError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * A Lua script run with `EVALSHA`: one round trip per call. The script is loaded on first
 * use and loaded again whenever the server answers `NOSCRIPT` (after a restart, a
 * `SCRIPT FLUSH` or a failover to a replica that never saw it).
 */
export class RedisScript {
  readonly sha: string;
  readonly source: string;
  #loading: Promise<unknown> | undefined;

  constructor(source: string) {
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script with `keys` and `args`. */
  run(
    redis: RedisCommander,
    keys: readonly string[],
    args: readonly RedisArgument[],
  ): Promise<unknown> {
    const command = [this.sha, keys.length, ...keys, ...args];
    // Plain promise chaining rather than async/await: this sits on every limiter decision.
    return redis.send('EVALSHA', command).catch((error: unknown) => {
      if (!isNoScriptError(error)) throw error;
      return this.load(redis).then(() => redis.send('EVALSHA', command));
    });
  }

  /** Loads the script into the server's cache (concurrent callers share one load). */
  load(redis: RedisCommander): Promise<unknown> {
    this.#loading ??= redis.send('SCRIPT', ['LOAD', this.source]).finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }
}
