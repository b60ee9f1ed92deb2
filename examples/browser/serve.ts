/**
 * Serves the shop page and the shop API from one origin: `/` is index.html, `/main.js` the
 * page's script bundled by esbuild, anything else goes to the node:http shop.
 * Run it: `npx tsx examples/browser/serve.ts`, then open the URL it prints.
 *
 * The bundle alone: `npx esbuild examples/browser/main.ts --bundle --format=esm --outfile=main.js`
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { shopHandler } from '../node/server.js';

/** main.ts and what it imports of faultline, as one browser script. */
export async function bundle(): Promise<string> {
  const output = await build({
    entryPoints: [fileURLToPath(new URL('./main.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
  });
  return output.outputFiles[0]!.text;
}

export async function start(port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const page = await readFile(new URL('./index.html', import.meta.url), 'utf8');
  const script = await bundle();
  const api = shopHandler();
  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    } else if (request.method === 'GET' && request.url === '/main.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else {
      api(request, response);
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await start(Number(process.env.PORT ?? 3000));
  console.log(`shop page on ${url}`);
}
