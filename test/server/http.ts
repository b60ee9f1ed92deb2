/**
 * A raw HTTP/1.1 client for the conformance and fuzz tests: sends exactly the bytes asked
 * for (any method, any header, any body) and returns the status, headers and body bytes as
 * they came off the wire. Bounded by a time limit.
 */
import { request as httpRequest } from 'node:http';

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Milliseconds before the request is abandoned (default 10 s). */
  timeoutMs?: number;
}

export interface RawResponse {
  status: number;
  /** Header names in lower case; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: Buffer;
  text: string;
}

/** Sends one request over a fresh connection and reads the whole response. */
export function send(base: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    let settled = false;
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        headers: { connection: 'close', ...request.headers },
        agent: false,
        // The fuzz sends paths Node's own client would refuse; the server must cope with them.
        insecureHTTPParser: true,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => {
          if (!settled) {
            settled = true;
            reject(error);
          }
        });
        res.on('end', () => {
          settled = true;
          clearTimeout(timer);
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined)
              headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers, body, text: body.toString('utf8') });
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`${request.method} ${request.path}: no answer in time`));
    }, request.timeoutMs ?? 10_000);
    req.on('error', (error) => {
      // A server may answer (413) before the upload ends and close: the answer counts.
      if (settled) return;
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    });
    if (request.body !== undefined) req.end(request.body);
    else req.end();
  });
}
