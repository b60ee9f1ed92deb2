import { describe, expect, it } from 'vitest';
import { type RedisCommander, RedisVersionError } from './client.js';
import { parseReply, RedisRateLimitStore } from './ratelimit.js';

describe('parseReply', () => {
  it('reads the one-integer answer of an admitted single check', () => {
    const decision = parseReply(999_999 * 2 ** 32 + 1_234, [1_000_000]);
    expect(decision).toEqual({
      allowed: true,
      results: [
        { allowed: true, limit: 1_000_000, remaining: 999_999, resetMs: 1.234, retryAfterMs: 0 },
      ],
    });
  });

  it('reads the largest integer answer exactly', () => {
    const decision = parseReply((2 ** 21 - 1) * 2 ** 32 + (2 ** 32 - 1), [5]);
    expect(decision.results[0]).toMatchObject({
      remaining: 2 ** 21 - 1,
      resetMs: (2 ** 32 - 1) / 1000,
    });
  });

  it('reads the text answer: refusals, several checks, never-admitted costs', () => {
    expect(parseReply('0 0 0 720000000 719999000', [5])).toEqual({
      allowed: false,
      results: [
        { allowed: false, limit: 5, remaining: 0, resetMs: 720_000, retryAfterMs: 719_999 },
      ],
    });
    const two = parseReply('0 1 1 5000 0 0 2 3000 -1', [3, 4]);
    expect(two.allowed).toBe(false);
    expect(two.results.map((r) => [r.allowed, r.remaining, r.retryAfterMs])).toEqual([
      [true, 1, 0],
      [false, 2, Number.POSITIVE_INFINITY],
    ]);
    expect(parseReply(Buffer.from('1 1 4 100 0'), [5]).results[0]!.remaining).toBe(4);
  });

  it('reads the integer answer sent as text (ioredis stringNumbers)', () => {
    expect(parseReply(String(3 * 2 ** 32 + 500), [5]).results[0]).toMatchObject({
      allowed: true,
      remaining: 3,
      resetMs: 0.5,
    });
    expect(parseReply(Buffer.from('0'), [5]).results[0]!.remaining).toBe(0);
  });

  it('refuses a reply of the wrong shape', () => {
    expect(() => parseReply('1 1 4 100', [5])).toThrow(TypeError);
    expect(() => parseReply(7, [5, 6])).toThrow(TypeError);
    expect(() => parseReply(['1', '1', '4', '100', '0'], [5])).toThrow(TypeError);
  });

  it.each([
    ['a negative integer', -1],
    ['a fraction', 1.5],
    ['an unsafe integer', 2 ** 53],
    ['NaN', Number.NaN],
    ['null', null],
    ['an error status', 'OK'],
    ['an empty string', ''],
    ['a doubled space', '1  1 4 100'],
    ['a flag other than 0 or 1', '1 2 4 100 0'],
    ['a decision flag of 2', '2 1 4 100 0'],
    ['a decision that disagrees with its checks', '1 0 0 100 5'],
    ['a refusal that says allowed', '0 1 4 100 0'],
    ['a negative remaining', '1 1 -4 100 0'],
    ['a retry below -1', '0 0 0 100 -2'],
    ['a decimal field', '1 1 4.5 100 0'],
    ['hex', '1 1 0x4 100 0'],
    ['an exponent', '1 1 4 1e3 0'],
    ['an overflowed integer', '0 0 0 -9223372036854775808 0'],
    ['trailing space', '1 1 4 100 0 '],
  ])('refuses %s', (_, reply) => {
    expect(() => parseReply(reply, [5])).toThrow(TypeError);
  });
});

/** A commander that answers like a server of the given version with an empty script cache. */
function fakeServer(version: string | Error, sent: string[]): RedisCommander {
  let loaded = false;
  return {
    send: async (command, args) => {
      sent.push(command);
      if (command === 'INFO') {
        if (version instanceof Error) throw version;
        return `# Server\r\nredis_version:${version}\r\nredis_mode:standalone\r\n`;
      }
      if (command === 'SCRIPT') {
        loaded = true;
        return 'sha';
      }
      if (!loaded) throw new Error('NOSCRIPT No matching script. Please use EVAL.');
      expect(args.slice(2)).toEqual(['{k}1/1000/1', '1', 'c', '1000', '1']);
      return 1_000_000;
    },
  };
}

describe('RedisRateLimitStore on servers older than 6.2', () => {
  const checks = [{ key: 'k', policy: { limit: 1, windowMs: 1000 } }];

  it.each(['6.0.16', '5.0.14', '6.1.0'])(
    'refuses Redis %s with a RedisVersionError, at setup and on a decision',
    async (version) => {
      const sent: string[] = [];
      const store = new RedisRateLimitStore({ client: fakeServer(version, sent), prefix: '' });
      const error = await store.setup().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RedisVersionError);
      expect(error).toMatchObject({ required: '6.2', found: version });
      expect((error as Error).message).toContain(`Redis 6.2 or later; the server runs ${version}`);
      await expect(store.consume(checks)).rejects.toBeInstanceOf(RedisVersionError);
      // The script is never loaded on such a server.
      expect(sent).not.toContain('SCRIPT');
    },
  );

  it.each(['6.2.0', '7.0.15', '10.0.0'])('loads the script on Redis %s', async (version) => {
    const sent: string[] = [];
    const store = new RedisRateLimitStore({ client: fakeServer(version, sent), prefix: '' });
    expect((await store.consume(checks)).allowed).toBe(true);
    expect(sent).toEqual(['EVALSHA', 'INFO', 'SCRIPT', 'EVALSHA']);
  });

  it('loads the script when the server will not tell its version (INFO denied)', async () => {
    const sent: string[] = [];
    const denied = new Error("NOPERM User limited has no permissions to run the 'info' command");
    const store = new RedisRateLimitStore({ client: fakeServer(denied, sent), prefix: '' });
    await store.setup();
    expect(sent).toEqual(['INFO', 'SCRIPT']);
  });
});
