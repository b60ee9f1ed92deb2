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
      send: (command, args) => {
        const line = [command];
        for (const arg of args) line.push(String(arg));
        return nodeRedis.sendCommand(line);
      },
    };
  }
  if (typeof candidate.call === 'function') {
    const ioredis = client as IoRedisLike;
    return { send: (command, args) => ioredis.call(command, args as (string | number)[]) };
  }
  throw new TypeError('Expected an ioredis client, a node-redis client or a RedisCommander');
}

const identity = (reply: unknown): unknown => reply;

/** Whether a Redis error says the script cache does not hold a script. */
export function isNoScriptError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Thrown when a Redis server is older than a faultline script needs.
 *
 * @example
 * ```ts
 * await store.setup().catch((error) => {
 *   if (error instanceof RedisVersionError) console.error(error.found, '<', error.required);
 *   throw error;
 * });
 * ```
 */
export class RedisVersionError extends Error {
  override name = 'RedisVersionError';
  /** The oldest version the script runs on, such as `6.2`. */
  readonly required: string;
  /** The server's `redis_version`. */
  readonly found: string;
  constructor(required: string, found: string) {
    super(`This faultline Redis store needs Redis ${required} or later; the server runs ${found}`);
    this.required = required;
    this.found = found;
  }
}

/** Options of {@link RedisScript}. */
export interface RedisScriptOptions {
  /**
   * The oldest Redis version the script runs on, as `[major, minor]`. Checked (with
   * `INFO server`) each time the script is loaded; a server that does not tell its version
   * (`INFO` denied by an ACL) is given the benefit of the doubt.
   */
  readonly minVersion?: readonly [number, number];
}

/**
 * A Lua script run with `EVALSHA`: one round trip per call. The script is loaded on first
 * use and loaded again whenever the server answers `NOSCRIPT` (after a restart, a
 * `SCRIPT FLUSH` or a failover to a replica that never saw it).
 */
export class RedisScript {
  readonly sha: string;
  readonly source: string;
  readonly #minVersion: readonly [number, number] | undefined;
  #loading: Promise<unknown> | undefined;

  constructor(source: string, options: RedisScriptOptions = {}) {
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
    this.#minVersion = options.minVersion;
  }

  /** Runs the script with `keys` and `args`. */
  run(
    redis: RedisCommander,
    keys: readonly string[],
    args: readonly RedisArgument[],
  ): Promise<unknown> {
    return this.runAndParse(redis, keys, args, identity);
  }

  /**
   * Runs the script and maps its reply with `parse`, in a single promise step: the rate-limit
   * store calls this on every decision, so no extra promise layer for the NOSCRIPT retry.
   */
  runAndParse<T>(
    redis: RedisCommander,
    keys: readonly string[],
    args: readonly RedisArgument[],
    parse: (reply: unknown) => T,
  ): Promise<T> {
    const command: RedisArgument[] = [this.sha, String(keys.length)];
    for (const key of keys) command.push(key);
    for (const arg of args) command.push(arg);
    return redis.send('EVALSHA', command).then(parse, (error: unknown) => {
      if (!isNoScriptError(error)) throw error;
      return this.load(redis)
        .then(() => redis.send('EVALSHA', command))
        .then(parse);
    });
  }

  /**
   * Loads the script into the server's cache (concurrent callers share one load), after
   * checking the server's version when the script has a minimum.
   *
   * @throws {RedisVersionError} when the server is older than the script's minimum.
   */
  load(redis: RedisCommander): Promise<unknown> {
    this.#loading ??= this.#checkVersion(redis)
      .then(() => redis.send('SCRIPT', ['LOAD', this.source]))
      .finally(() => {
        this.#loading = undefined;
      });
    return this.#loading;
  }

  #checkVersion(redis: RedisCommander): Promise<void> {
    const required = this.#minVersion;
    if (!required) return Promise.resolve();
    return redis.send('INFO', ['server']).then(
      (info) => {
        const text = Buffer.isBuffer(info) ? info.toString() : String(info);
        const match = /^redis_version:(\d+)\.(\d+)\S*/m.exec(text);
        if (!match) return;
        const major = Number(match[1]);
        const minor = Number(match[2]);
        if (major > required[0] || (major === required[0] && minor >= required[1])) return;
        throw new RedisVersionError(required.join('.'), match[0].slice('redis_version:'.length));
      },
      // INFO denied (an ACL) or unknown to a proxy: the script's own errors will speak.
      () => undefined,
    );
  }
}
