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
import { type CatalogJson, catalogFromJSON, defineCatalog } from '../../src/core/catalog.js';
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

/**
 * 2 000 numeric codes in 20 category ranges; meanings of one to ten sentences, so rows differ
 * in height and the page cannot size what it has not laid out from one row alone.
 */
function bigCatalog(): CatalogJson {
  const words = ['stream', 'basin', 'record', 'token', 'quota', 'schema', 'shard', 'leader'];
  const statuses = [400, 404, 409, 422, 429, 500, 503];
  const groups = Array.from({ length: 20 }, (_, g) => ({
    id: `Category ${g + 1}`,
    range: [(g + 1) * 1000, (g + 1) * 1000 + 999] as [number, number],
  }));
  return {
    faultline: 1,
    name: 'big',
    typeBase: 'https://example.com/errors#',
    groups,
    entries: Array.from({ length: 2000 }, (_, i) => {
      const word = words[i % words.length]!;
      const status = statuses[i % statuses.length]!;
      return {
        code: (Math.floor(i / 100) + 1) * 1000 + (i % 100),
        name: `${word}_error_${i}`,
        status,
        retry: status >= 500 || status === 429 ? ('yes' as const) : ('no' as const),
        sideEffect: status === 500 ? ('maybe' as const) : ('no' as const),
        message: `The ${word} operation failed`,
        meaning: `The ${word} went wrong (case ${i}). `.repeat(1 + (i % 4) * 3),
        fix: `Check the ${word} and send the request again.`,
        groups: [groups[Math.floor(i / 100)]!.id],
        // One code in ten carries details, so the page has a long section of example bodies.
        ...(i % 10 === 0
          ? {
              details: {
                type: 'object' as const,
                properties: { [`${word}_id`]: { type: 'string' as const } },
                required: [`${word}_id`],
              },
            }
          : {}),
      };
    }),
  };
}

const big = catalogFromJSON(bigCatalog());
const bigEntries = big.entries as readonly Entry[];

const pages: Record<string, string> = {
  '/big.html': renderHtml(big),
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

async function open(
  path: string,
  options: { dark?: boolean; hash?: string; script?: boolean } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    colorScheme: options.dark ? 'dark' : 'light',
    javaScriptEnabled: options.script ?? true,
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

/**
 * The codes of the rows a search and the filters leave shown. Rows far from the viewport are
 * not laid out (content-visibility), so this reads the classes the page sets rather than boxes;
 * `act` checks the boxes of what is on screen.
 */
async function visibleCodes(page: Page): Promise<string[]> {
  return page.$$eval('tr.row', (rows) =>
    rows
      .filter((row) => row.closest('.out, .none') === null)
      .map((row) => row.querySelector('td.code')!.textContent!.trim()),
  );
}

/** Resolves once the browser has rendered a frame (the task after the next animation frame). */
async function nextFrame(page: Page): Promise<void> {
  await page.evaluate(
    () => new Promise<void>((done) => requestAnimationFrame(() => setTimeout(done, 0))),
  );
}

/** A search or filter change, as the page's own controls make it. */
interface Change {
  readonly query?: string;
  readonly select?: readonly [string, string];
}

/**
 * Makes a change and reads the frame the browser renders right after it: the codes of the rows
 * laid out inside the viewport, top to bottom; how many chunks of rows in the viewport were left
 * skipped (blank until a later frame); and whether the rows in view stop short of the bottom of
 * the viewport while more matches follow. Change and reading are one evaluation: a round trip
 * between them could let a second frame through and hide a first one left blank.
 */
async function act(
  page: Page,
  change: Change,
): Promise<{ codes: string[]; skipped: number; blank: boolean }> {
  return page.evaluate(async ({ query, select }) => {
    const target = (
      query === undefined ? document.querySelector(select![0]) : document.getElementById('q')
    ) as HTMLInputElement | HTMLSelectElement;
    target.value = query ?? select![1];
    target.dispatchEvent(new Event(query === undefined ? 'change' : 'input'));
    await new Promise<void>((done) => requestAnimationFrame(() => setTimeout(done, 0)));
    const bar = document.querySelector('.filters')!.getBoundingClientRect().bottom;
    const shows = (box: DOMRect) =>
      box.height > 0 && box.bottom > bar && box.top < window.innerHeight;
    const chunks = [...document.querySelectorAll('div.chunk:not(.none)')].filter((chunk) =>
      shows(chunk.getBoundingClientRect()),
    );
    const laidOut = chunks.filter((chunk) =>
      chunk.firstElementChild!.checkVisibility({ contentVisibilityAuto: true }),
    );
    const inView = laidOut
      .flatMap((chunk) => [...chunk.querySelectorAll('tr.row:not(.out)')])
      .filter((row) => shows(row.getBoundingClientRect()));
    const last = inView.at(-1);
    const shown = [...document.querySelectorAll('div.chunk:not(.none) tr.row:not(.out)')];
    const below = last ? shown.length - 1 - shown.indexOf(last) : shown.length;
    return {
      codes: inView.map((row) => row.querySelector('td.code')!.textContent!.trim()),
      skipped: chunks.length - laidOut.length,
      // More matches follow, yet the rows in view end well above the bottom of the viewport.
      blank: below > 0 && (last?.getBoundingClientRect().bottom ?? bar) < window.innerHeight - 200,
    };
  }, change);
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
      headings.filter((h) => h.checkVisibility()).map((h) => h.id),
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
    await page.waitForFunction(() => document.getElementById('1001')!.closest('.out') === null);
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

  it('with 2 000 codes, shows the first matches in the first frame after each search', async () => {
    const page = await open('/big.html');
    const all = codes(bigEntries);
    const named = (prefix: string) => codes(bigEntries.filter((e) => e.name.startsWith(prefix)));
    // Filters first, on the page as loaded: a filter that brings rows from far down to the top
    // is the case where the browser would otherwise place them only in the next frame.
    const steps: (Change & { expected: string[] })[] = [
      { select: ['#f-status', '5xx'], expected: codes(bigEntries.filter((e) => e.status >= 500)) },
      {
        select: ['#f-group', 'group-category-20'],
        expected: codes(
          bigEntries.filter((e) => e.status >= 500 && e.groups.includes('Category 20')),
        ),
      },
      {
        select: ['#f-status', ''],
        expected: codes(bigEntries.filter((e) => e.groups.includes('Category 20'))),
      },
      { select: ['#f-group', ''], expected: all },
      { query: 'quota', expected: named('quota') },
      { query: 'quota_error_1', expected: named('quota_error_1') },
      { query: '', expected: all },
      { query: 'leader', expected: named('leader') },
      { query: 'no such code', expected: [] },
      { query: '', expected: all },
    ];
    for (const step of steps) {
      const view = await act(page, step);
      const label = step.query ?? step.select!.join('=');
      expect(await visibleCodes(page), label).toEqual(step.expected);
      // The viewport shows the first matches, laid out, with no gap left by a chunk skipped or
      // sized for rows it no longer shows.
      if (step.expected.length > 0) expect(view.codes.length, label).toBeGreaterThan(0);
      expect(view.codes, label).toEqual(step.expected.slice(0, view.codes.length));
      expect(view.skipped, label).toBe(0);
      expect(view.blank, label).toBe(false);
    }
    await page.context().close();
  });

  it('with 2 000 codes, a filter while scrolled down shows its matches in the viewport', async () => {
    const page = await open('/big.html');
    // A seventh of the way down: past what the browser laid out on load, and still inside the
    // shorter list once the filter has left three codes in seven.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight / 7));
    await nextFrame(page);
    const view = await act(page, { select: ['#f-retry', 'yes'] });
    const expected = codes(bigEntries.filter((e) => e.retry === 'yes'));
    expect(view.skipped).toBe(0);
    expect(view.blank).toBe(false);
    expect(view.codes.length).toBeGreaterThan(3);
    // A run of consecutive matches, in order.
    const first = expected.indexOf(view.codes[0]!);
    expect(first).toBeGreaterThan(0);
    expect(view.codes).toEqual(expected.slice(first, first + view.codes.length));
    await page.context().close();
  });

  it('with 2 000 codes, the anchor of the last code lands on it, on load and on a link', async () => {
    const last = bigEntries.at(-1)!;
    const target = `[id="${last.anchor}"]`;
    // Landed: laid out, its top where scrolling to an anchor puts it (the row's
    // scroll-margin-top, 8rem = 128 px below the top of the viewport, clear of the filters).
    const onScreen = (page: Page) =>
      page.$eval(target, (row) => {
        const box = row.getBoundingClientRect();
        return box.height > 0 && Math.abs(box.top - 128) <= 2;
      });
    const loaded = await open('/big.html', { hash: `#${last.anchor}` });
    await nextFrame(loaded);
    expect(await onScreen(loaded)).toBe(true);
    expect(await loaded.$eval(`${target} details`, (d) => (d as HTMLDetailsElement).open)).toBe(
      true,
    );
    // Still there once the chunks above it have been laid out for real.
    for (let i = 0; i < 5; i++) await nextFrame(loaded);
    expect(await onScreen(loaded)).toBe(true);
    await loaded.context().close();

    const page = await open('/big.html');
    await page.fill('#q', 'stream');
    await nextFrame(page);
    expect(await visibleCodes(page)).not.toContain(String(last.code));
    await page.evaluate((anchor) => {
      location.hash = `#${anchor}`;
    }, last.anchor);
    await page.waitForFunction(
      (sel) => document.querySelector(sel)!.closest('.out') === null,
      target,
    );
    await nextFrame(page);
    expect(await onScreen(page)).toBe(true);
    expect(await page.inputValue('#q')).toBe('');
    expect(await page.textContent('#count')).toBe('2000 codes');
    await page.context().close();
  });

  it('with 2 000 codes, reads without JavaScript: every row shown, anchors scroll natively', async () => {
    const middle = bigEntries[1234]!;
    const page = await open('/big.html', { script: false, hash: `#${middle.anchor}` });
    expect(await page.locator('tr.row').count()).toBe(2000);
    expect(await page.locator('tr.row.out, .none').count()).toBe(0);
    // (No waiting for a frame here: without JavaScript, evaluate's promises never settle.)
    const top = await page.$eval(
      `[id="${middle.anchor}"]`,
      (row) => row.getBoundingClientRect().top,
    );
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(900);
    await page.context().close();
  });

  it('with 2 000 codes, a search without match leaves the example bodies far below unlaid out', async () => {
    const page = await open('/big.html');
    await act(page, { query: 'no such code' });
    // The 200 example bodies below the tables move up to the viewport: those the reader scrolls
    // to are laid out, the ones far below wait until scrolled to, and print shows them all.
    const laidOut = () =>
      page.$$eval('#structured-errors .ex', (blocks) =>
        blocks.map((block) =>
          block.firstElementChild!.checkVisibility({ contentVisibilityAuto: true }),
        ),
      );
    await page.evaluate(() => document.getElementById('structured-errors')!.scrollIntoView());
    await nextFrame(page);
    await nextFrame(page);
    const screen = await laidOut();
    expect(screen).toHaveLength(200);
    expect(screen[0]).toBe(true);
    expect(screen.at(-1)).toBe(false);
    expect(screen.filter(Boolean).length).toBeLessThan(20);
    await page.emulateMedia({ media: 'print' });
    expect((await laidOut()).every(Boolean)).toBe(true);
    await page.context().close();
  });

  it('with 2 000 codes, prints every row with its details, including rows never scrolled to', async () => {
    const page = await open('/big.html');
    await page.emulateMedia({ media: 'print' });
    const last = bigEntries.at(-1)!;
    const shown = await page.$eval(`[id="${last.anchor}"]`, (row) => ({
      row: row.checkVisibility({ contentVisibilityAuto: true }),
      fix: row.querySelector('details .more')!.checkVisibility({ contentVisibilityAuto: true }),
    }));
    expect(shown).toEqual({ row: true, fix: true });
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
