import { EventEmitter } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import type { ErrorLogRecord } from '../server/observe.js';
import { createExpressErrors, discardLateWrites } from './express.js';

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

describe('errors.send', () => {
  async function serve(app: express.Express): Promise<{ url: string; close: () => Promise<void> }> {
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => {
        server.closeAllConnections();
        return new Promise((resolve) => server.close(() => resolve()));
      },
    };
  }

  it('only logs an error answered after the time limit answered', async () => {
    const records: ErrorLogRecord[] = [];
    const errors = createExpressErrors({ telemetry: false, log: (r) => records.push(r) });
    const app = express();
    app.get('/late', errors.timeout(20), (req, res) => {
      setTimeout(() => errors.send(req, res, new Error('late failure')), 60);
    });
    app.use(errors.handlers);
    const server = await serve(app);
    try {
      const response = await fetch(`${server.url}/late`);
      expect(response.status).toBe(504);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(records.map((r) => [r.code, r.msg])).toEqual([
        ['timeout', 'The request took too long'],
        ['internal', 'handler failed after its time limit: late failure'],
      ]);
    } finally {
      await server.close();
    }
  });

  it('logs and ends the connection when the response had already started', async () => {
    const records: ErrorLogRecord[] = [];
    const errors = createExpressErrors({ telemetry: false, log: (r) => records.push(r) });
    const app = express();
    app.get('/started', (req, res) => {
      res.write('partial');
      errors.send(req, res, errors.faultline.error('unavailable'));
    });
    const server = await serve(app);
    try {
      await expect(fetch(`${server.url}/started`).then((r) => r.text())).rejects.toThrow();
      expect(records).toHaveLength(1);
      expect(records[0]?.msg).toBe(
        'error after the response had started: The service is unavailable',
      );
    } finally {
      await server.close();
    }
  });
});
