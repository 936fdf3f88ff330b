import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { Browser, Page } from 'puppeteer-core';
import { ENDPOINTS } from '../apps/console/src/api';
import { ROOT, adminKey, harness, request, unknownTypeTask, waitFor, waitForTask } from './support';

/**
 * The operator console in a real browser (Debian's chromium): log in with a key, watch a task
 * appear, cancel a running CPU task with its button, replay a dead letter by filter after a dry
 * run, and a read-only key that gets no buttons. Screenshots go to .data/test/screenshots/.
 */
const h = harness();
const SHOTS = join(ROOT, '.data/test/screenshots');
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
});

/** A page in its own browser context (its own cookies), logged in with `key`. */
async function loggedIn(key: string, width = 1280, height = 800): Promise<Page> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width, height });
  await page.goto(`${h.gateway.url}/console/`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('form.login input#key');
  await page.type('#key', key);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('header nav');
  return page;
}

async function go(page: Page, hash: string, ready: string): Promise<void> {
  await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  await page.waitForSelector(ready, { timeout: 10_000 });
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `console-${name}.png`) });

async function submit(payload: object): Promise<string> {
  const r = await request(h.gateway.url, 'POST', '/tasks', { type: 'demo.work', payload });
  expect(r.status).toBe(201);
  return r.body.id as string;
}

describe('the console', () => {
  it('calls only routes the API document has', async () => {
    const doc = (await request(h.gateway.url, 'GET', '/docs-json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    for (const [name, [method, path]] of Object.entries(ENDPOINTS)) {
      expect([name, method, path, Boolean(doc.paths[path]?.[method.toLowerCase()])]).toEqual([
        name,
        method,
        path,
        true,
      ]);
    }
  });

  it('serves its page with a strict content security policy, and answers 401 to its calls without a login', async () => {
    const res = await fetch(`${h.gateway.url}/console/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.text()).toContain('<div id="app">');
    const overview = await fetch(`${h.gateway.url}/overview`);
    expect(overview.status).toBe(401);
  });

  it('logs in, shows a task submitted through the API within 2 s, and the overview with queue figures', async () => {
    const page = await loggedIn(adminKey());
    await page.waitForSelector('#overview-title');
    await waitFor('the work queues on the overview', async () =>
      (await page.$$eval('main table tbody tr', (rows) => rows.length)) >= 4 ? true : undefined,
    );
    await go(page, '#/tasks', 'table.tasks');
    const submittedAt = Date.now();
    const value = 100_000_000 + Math.floor(Math.random() * 800_000_000);
    const id = await submit({ seconds: 0, cpuBound: false, value });
    await page.waitForSelector(`tr[data-task="${id}"]`, { timeout: 5000 });
    const shownMs = Date.now() - submittedAt;
    process.stdout.write(
      `console: a new task appeared on the tasks page ${shownMs} ms after it was submitted\n`,
    );
    expect(shownMs).toBeLessThan(2000);
    await shot(page, 'tasks');
    // The text box searches payloads: only this task has its value in it.
    await submit({ seconds: 0, cpuBound: false });
    await page.type('.filters input[placeholder="at least 3 characters"]', String(value));
    await page.keyboard.press('Tab');
    await page.waitForFunction(
      `[...document.querySelectorAll('tr[data-task]')].map((r) => r.dataset.task).join() === ${JSON.stringify(id)}`,
    );
    await go(page, '#/workers', 'article.worker');
    await shot(page, 'workers');
    await go(page, '#/batches', '#batches-title');
    await shot(page, 'batches');
    await page.browserContext().close();
  });

  it('cancels a running CPU task with its button, and the page shows it cancelled', async () => {
    const page = await loggedIn(adminKey());
    const id = await submit({ seconds: 30, cpuBound: true });
    await waitForTask(h.gateway.url, id, 'running');
    await go(page, `#/tasks/${id}`, '[data-status="running"]');
    const cancel = await page.waitForSelector('.actions button.danger');
    expect(await cancel!.evaluate((b) => b.textContent)).toBe('Cancel');
    await cancel!.click();
    await page.waitForSelector('[data-status="cancelled"]', { timeout: 15_000 });
    expect((await request(h.gateway.url, 'GET', `/tasks/${id}`)).body.status).toBe('cancelled');
    await page.waitForSelector('.timeline li');
    await shot(page, 'task');
    await page.browserContext().close();
  });

  it('shows a poison message on the dead-letters page and replays it by filter after a dry run', async () => {
    // Letters of this reason from earlier specs would count in the filter: a clean slate.
    expect((await request(h.gateway.url, 'DELETE', '/dead-letters?reason=UNKNOWN_TYPE')).status).toBe(200);
    // Its message names a type no worker has: the worker dead-letters it, the task is dead.
    const { id } = await unknownTypeTask(h.env, h.db);
    await waitForTask(h.gateway.url, id, 'dead');

    const page = await loggedIn(adminKey());
    await go(page, '#/dead-letters', 'tr[data-dead-letter]');
    await page.type('.filters input[placeholder="INVALID_PAYLOAD"]', 'UNKNOWN_TYPE');
    await page.keyboard.press('Tab');
    // Page code runs in the browser: given as text, so this file needs no DOM types.
    await page.waitForFunction(
      `[...document.querySelectorAll('tr[data-dead-letter] code')].every((c) => c.textContent === 'UNKNOWN_TYPE')`,
    );
    await page.click('tr[data-dead-letter] button[aria-expanded]');
    await page.waitForSelector('.preview pre');
    expect(await page.$eval('.preview pre', (p) => p.textContent)).toContain('no.such.type');
    await shot(page, 'dead-letters');
    const replayAll = await page.waitForSelector('xpath/.//button[contains(., "Replay all that match")]');
    await replayAll!.click();
    await page.waitForSelector('.confirm [data-matched="1"]');
    expect((await request(h.gateway.url, 'GET', `/tasks/${id}`)).body.status).toBe('dead'); // a dry run only
    await page.click('.confirm button:not(.link)');
    await page.waitForFunction(
      `document.querySelector('[role=status]')?.textContent?.includes('Replayed 1 of 1')`,
    );
    const task = await waitForTask(h.gateway.url, id, 'terminal');
    expect([task.status, task.attempts]).toEqual(['succeeded', 2]);
    await page.browserContext().close();
  });

  it('gives a read-only key no buttons', async () => {
    const made = await request(h.gateway.url, 'POST', '/api-keys', {
      name: 'console read-only',
      scopes: ['tasks:read'],
    });
    expect(made.status).toBe(201);
    const id = await submit({ seconds: 30, cpuBound: false });
    await waitForTask(h.gateway.url, id, 'running');
    const page = await loggedIn(made.body.key as string);
    expect(await page.$eval('.who', (w) => w.textContent)).toContain('tasks:read');
    await go(page, `#/tasks/${id}`, '[data-status="running"]');
    expect(await page.$$('.actions button')).toHaveLength(0);
    await go(page, '#/dead-letters', '#dl-title');
    await page.waitForSelector('table');
    expect(await page.$$('.actions button')).toHaveLength(0);
    expect(await page.$$('xpath/.//button[contains(., "Replay") or contains(., "Discard")]')).toHaveLength(0);
    // And the API behind the page agrees: the same key may not cancel.
    const refused = await request(
      h.gateway.url,
      'PATCH',
      `/tasks/${id}`,
      { status: 'cancelled' },
      { authorization: `Bearer ${made.body.key as string}` },
    );
    expect(refused.status).toBe(403);
    expect((await request(h.gateway.url, 'PATCH', `/tasks/${id}`, { status: 'cancelled' })).status).toBe(200);
    await page.browserContext().close();
  });

  it('draws the overview of the work above, at a desk and on a phone', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({
      type: 'demo.work',
      payload: { seconds: (i % 10) / 100, cpuBound: false, ...(i % 50 === 0 && { fail: true }) },
      maxAttempts: 1,
    }));
    const r = await request(h.gateway.url, 'POST', '/tasks/batch', { items });
    expect(r.status).toBe(201);
    const page = await loggedIn(adminKey());
    await go(page, '#/overview', '.chart');
    // The page asks every 5 s; the figures include the batch once it has finished.
    await page.waitForFunction(
      `Number(document.querySelector('.bar span[title^="succeeded"]')?.getAttribute('title')?.split(': ')[1]) >= 980`,
      { timeout: 60_000 },
    );
    expect(await page.$$eval('.chart', (charts) => charts.length)).toBe(3);
    await shot(page, 'overview');
    await page.setViewport({ width: 390, height: 844 });
    await go(page, '#/overview', '.chart');
    await shot(page, 'overview-phone');
    await page.browserContext().close();
  });
});
