/**
 * The HTML error reference in a real browser (Debian chromium through playwright-core):
 * search narrows the table, filters combine, a code's anchor scrolls to it, themes and print
 * work, catalog text cannot inject markup, and the page requests nothing from the network.
 * Screenshots of the S2 and event-store pages are saved under `test-artifacts/`.
 *
 * A missing chromium fails this file; install it with `apt-get install -y chromium`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCatalog } from '../../src/core/catalog.js';
import type { Entry } from '../../src/core/types.js';
import { renderHtml } from '../../src/docs/index.js';
import { presets } from '../../src/presets/index.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

const hostile = defineCatalog({
  name: 'hostile',
  title: '<img src=x onerror="window.__pwned=1">',
  typeBase: 'https://example.com/e#',
  groups: {
    '<script>window.__pwned=2</script>': {
      description: '<iframe src="https://example.com"></iframe>',
      entries: {
        boom: {
          name: '<svg onload="window.__pwned=3">',
          status: 400,
          retry: 'no',
          sideEffect: 'no',
          message: '</script><script>window.__pwned=4</script>',
          meaning: '"><img src=x onerror="window.__pwned=5">',
          fix: '\'><a href="javascript:window.__pwned=6">x</a>',
        },
      },
    },
  },
});

const pages: Record<string, string> = {
  '/s2.html': renderHtml(presets.s2, { format: 's2' }),
  '/event-store.html': renderHtml(presets.eventStore),
  '/jan.html': renderHtml(presets.jan, { format: 'jan' }),
  '/hostile.html': renderHtml(hostile),
};

let server: Server;
let origin: string;
let browser: Browser;
/** Every URL the browser asked for, from every page of this file. */
const requested: string[] = [];
/** Every path the server was asked for. */
const served: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian chromium (apt-get install -y chromium)`,
    );
  }
  server = createServer((request, response) => {
    served.push(request.url ?? '');
    const page = pages[request.url ?? ''];
    if (page === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
});

async function open(path: string, options: { dark?: boolean; hash?: string } = {}): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    colorScheme: options.dark ? 'dark' : 'light',
  });
  const page = await context.newPage();
  page.on('request', (request) => requested.push(request.url()));
  page.on('dialog', (dialog) => {
    requested.push(`dialog:${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(`${origin}${path}${options.hash ?? ''}`);
  return page;
}

/** The codes of the rows shown, once the page has finished updating them. */
async function visibleCodes(page: Page): Promise<string[]> {
  await page.waitForFunction(() => document.documentElement.dataset.pending !== '1');
  return page.$$eval('tr.row', (rows) =>
    rows
      // Off-screen rows are not laid out (content-visibility), so visibility is read from the
      // attributes and classes the page sets rather than from boxes.
      .filter((row) => row.closest('[hidden], .none') === null)
      .map((row) => row.querySelector('td.code')!.textContent!.trim()),
  );
}

const codes = (entries: readonly Entry[]) => entries.map((entry) => String(entry.code));

describe('HTML error reference in chromium', () => {
  it('search narrows the table and says how many codes match', async () => {
    const page = await open('/s2.html');
    expect(await visibleCodes(page)).toHaveLength(presets.s2.entries.length);
    await page.fill('#q', 'deletion_pending');
    expect(await visibleCodes(page)).toEqual(['basin_deletion_pending', 'stream_deletion_pending']);
    expect(await page.textContent('#count')).toBe(`2 of ${presets.s2.entries.length} codes`);
    await page.fill('#q', 'stream 404');
    expect(await visibleCodes(page)).toEqual(['stream_not_found']);
    await page.fill('#q', 'no such thing anywhere');
    expect(await visibleCodes(page)).toEqual([]);
    expect(await page.isVisible('#empty')).toBe(true);
    await page.fill('#q', '');
    expect(await visibleCodes(page)).toHaveLength(presets.s2.entries.length);
    await page.context().close();
  });

  it('filters combine with each other and with search', async () => {
    const page = await open('/s2.html');
    const entries = presets.s2.entries as readonly Entry[];
    await page.selectOption('#f-retry', 'yes');
    expect(await visibleCodes(page)).toEqual(codes(entries.filter((e) => e.retry === 'yes')));
    await page.selectOption('#f-effect', 'maybe');
    expect(await visibleCodes(page)).toEqual(
      codes(entries.filter((e) => e.retry === 'yes' && e.sideEffect === 'maybe')),
    );
    await page.selectOption('#f-status', '5xx');
    expect(await visibleCodes(page)).toEqual(
      codes(
        entries.filter((e) => e.retry === 'yes' && e.sideEffect === 'maybe' && e.status >= 500),
      ),
    );
    await page.fill('#q', 'storage');
    expect(await visibleCodes(page)).toEqual(['storage']);
    await page.click('#reset');
    await page.selectOption('#f-status', '409');
    await page.selectOption('#f-retry', 'after-change');
    expect(await visibleCodes(page)).toEqual(
      codes(entries.filter((e) => e.status === 409 && e.retry === 'after-change')),
    );
    await page.context().close();
  });

  it('filters by group and hides the tables left empty', async () => {
    const page = await open('/event-store.html');
    const schema = presets.eventStore.groups.find((group) => group.id === 'Schema')!;
    await page.selectOption('#f-group', { label: 'Schema' });
    expect(await visibleCodes(page)).toEqual(schema.codes.map(String));
    const visibleSections = await page.$$eval('section.group h2', (headings) =>
      headings.filter((h) => h.getClientRects().length > 0).map((h) => h.id),
    );
    expect(visibleSections).toEqual(['group-schema']);
    await page.selectOption('#f-retry', 'yes');
    const entries = presets.eventStore.entries as readonly Entry[];
    expect(await visibleCodes(page)).toEqual(
      codes(entries.filter((e) => e.groups.includes('Schema') && e.retry === 'yes')),
    );
    await page.context().close();
  });

  it('lists a code of two services in both, and its anchor once', async () => {
    const page = await open('/jan.html');
    await page.fill('#q', 'TIMEOUT');
    expect(await visibleCodes(page)).toEqual(['TIMEOUT', 'TIMEOUT']);
    expect(await page.locator('[id="TIMEOUT"]').count()).toBe(1);
    await page.context().close();
  });

  it('scrolls to the anchor of a code and opens its details, clearing filters that hide it', async () => {
    const page = await open('/event-store.html', { hash: '#2013' });
    const inView = () =>
      page.$eval('[id="2013"]', (row) => {
        const box = row.getBoundingClientRect();
        return box.top >= 0 && box.top < window.innerHeight && box.height > 0;
      });
    expect(await inView()).toBe(true);
    expect(await page.$eval('[id="2013"]', (row) => row.classList.contains('target'))).toBe(true);
    expect(await page.$eval('[id="2013"] details', (d) => (d as HTMLDetailsElement).open)).toBe(
      true,
    );
    await page.screenshot({ path: `${ARTIFACTS}event-store-2013.png` });
    await page.selectOption('#f-status', '5xx');
    expect(await page.isVisible('[id="1001"]')).toBe(false);
    await page.evaluate(() => {
      location.hash = '#1001';
    });
    await page.waitForFunction(() => !document.getElementById('1001')!.hidden);
    expect(await page.$eval('[id="1001"]', (row) => row.getBoundingClientRect().top)).toBeLessThan(
      900,
    );
    expect(await page.inputValue('#f-status')).toBe('');
    await page.context().close();
  });

  it('has light and dark themes, from the system and from the toggle', async () => {
    const background = (page: Page) =>
      page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await open('/s2.html');
    const dark = await open('/s2.html', { dark: true });
    const lightColor = await background(light);
    const darkColor = await background(dark);
    expect(lightColor).not.toBe(darkColor);
    await dark.screenshot({ path: `${ARTIFACTS}s2-dark.png` });
    await light.click('#theme');
    expect(await light.textContent('#theme')).toBe('Theme: light');
    await light.click('#theme');
    expect(await light.textContent('#theme')).toBe('Theme: dark');
    expect(await background(light)).toBe(darkColor);
    await light.reload();
    expect(await background(light)).toBe(darkColor);
    await light.context().close();
    await dark.context().close();
  });

  it('prints without the controls', async () => {
    const page = await open('/s2.html');
    await page.emulateMedia({ media: 'print' });
    expect(await page.isVisible('.filters')).toBe(false);
    expect(await page.isVisible('[id="bad_header"]')).toBe(true);
    await page.context().close();
  });

  it('shows catalog text as text: no markup, no script runs', async () => {
    const page = await open('/hostile.html');
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('img, iframe, svg, main a[href^="javascript"]').count()).toBe(0);
    expect(await page.textContent('h1')).toContain('<img src=x');
    expect(await page.textContent('td.meaning')).toContain('"><img src=x onerror=');
    await page.context().close();
  });

  it('saves screenshots of the S2 and event-store pages', async () => {
    for (const name of ['s2', 'event-store']) {
      const page = await open(`/${name}.html`);
      // A full-page capture needs every chunk laid out, not only those near the viewport.
      await page.addStyleTag({ content: '.chunk{content-visibility:visible !important}' });
      const path = `${ARTIFACTS}${name}.png`;
      await page.screenshot({ path, fullPage: true });
      expect(existsSync(path)).toBe(true);
      await page.context().close();
    }
  });

  it('requested nothing but the pages themselves', () => {
    expect(requested.length).toBeGreaterThan(0);
    const outside = requested.filter(
      (url) => !(url.startsWith(`${origin}/`) && pages[new URL(url).pathname] !== undefined),
    );
    expect(outside).toEqual([]);
    expect(served.every((path) => pages[path] !== undefined)).toBe(true);
  });
});
