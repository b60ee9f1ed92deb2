import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { discardLateWrites } from './express.js';

describe('discardLateWrites', () => {
  it('turns every later write into a no-op instead of a throw or an error event', () => {
    const calls: string[] = [];
    const res = Object.assign(new EventEmitter(), {
      setHeader: () => calls.push('setHeader'),
      writeHead: () => calls.push('writeHead'),
      write: () => calls.push('write'),
      end: () => calls.push('end'),
      removeHeader: () => calls.push('removeHeader'),
      appendHeader: () => calls.push('appendHeader'),
    }) as unknown as ServerResponse;
    discardLateWrites(res);
    res.setHeader('x', '1');
    res.writeHead(200);
    expect(res.write('late')).toBe(true);
    res.end('late');
    res.removeHeader('x');
    expect(calls).toEqual([]);
  });
});
