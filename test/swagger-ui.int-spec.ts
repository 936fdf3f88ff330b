import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { Browser, Page } from 'puppeteer-core';
import { ROOT, adminKey, harness } from './support';

/**
 * Swagger UI in a real browser (Debian's chromium): "Try it out" on GET /tasks answers 401 until a
 * key is given to the Authorize button, then 200. Screenshots go to .data/test/screenshots/.
 */
const h = harness({ worker: false });
const SHOTS = join(ROOT, '.data/test/screenshots');
let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
});
afterAll(async () => {
  await browser?.close();
});

/** Runs GET /tasks with "Try it out" and answers the status Swagger UI shows. */
async function tryListTasks(): Promise<string> {
  const op = '#operations-tasks-TasksController_list';
  await page.waitForSelector(op);
  if (!(await page.$(`${op}.is-open`))) await page.click(`${op} .opblock-summary-control`);
  const tryOut = await page.waitForSelector(`${op} button.try-out__btn`);
  if ((await tryOut!.evaluate((b) => b.textContent ?? '')).includes('Try it out')) await tryOut!.click();
  await page.click(`${op} button.execute`);
  const cell = `${op} .live-responses-table tr.response .response-col_status`;
  await page.waitForSelector(cell, { timeout: 10_000 });
  return page.$eval(cell, (td) => (td.textContent ?? '').trim());
}

describe('Swagger UI', () => {
  it('sends the key given to Authorize with "Try it out"', async () => {
    await page.goto(`${h.gateway.url}/docs`, { waitUntil: 'networkidle0' });
    expect(await tryListTasks()).toMatch(/^401/);

    await page.click('.auth-wrapper button.authorize');
    const input = await page.waitForSelector('.modal-ux input');
    await input!.type(adminKey());
    await page.click('.modal-ux .auth-btn-wrapper button.authorize');
    await page.screenshot({ path: join(SHOTS, 'swagger-authorize.png') });
    await page.click('.modal-ux .auth-btn-wrapper button.btn-done');

    await page.click('#operations-tasks-TasksController_list button.btn-clear').catch(() => undefined);
    expect(await tryListTasks()).toMatch(/^200/);
    await page.screenshot({ path: join(SHOTS, 'swagger-try-it-out.png'), fullPage: false });
  });
});
