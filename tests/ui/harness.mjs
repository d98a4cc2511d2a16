// Serves ui/ with the app's CSP and opens it in Debian's Chromium with a fake
// Tauri backend. Never lets a tool download a browser.

import http from 'node:http';
import { before, after } from 'node:test';
import fs from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const UI = path.resolve(HERE, '../../ui');
const CONF = path.resolve(HERE, '../../tauri.conf.json');

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

async function csp() {
  const conf = JSON.parse(await fs.readFile(CONF, 'utf8'));
  return Object.entries(conf.app.security.csp).map(([k, v]) => `${k} ${v}`).join('; ');
}

export async function serve() {
  const policy = await csp();
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const file = path.normalize(path.join(UI, decodeURIComponent(url.pathname)));
    if (!file.startsWith(UI)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await fs.readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'content-security-policy': policy });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${server.address().port}` };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
}

/** Opens the app with `fixture` as the backend's state. */
export async function openApp(browser, base, fixture, { before, arg, fakeClock } = {}) {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') page.problems.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    page.problems.push(`dialog: ${d.message()}`);
    d.dismiss();
  });
  await page.addInitScript((f) => { window.__fixture = f; }, fixture);
  if (before) await page.addInitScript(before, arg);
  await page.addInitScript({ path: path.join(HERE, 'fake-backend.js') });
  // A clock the test moves itself: a timer is waited out exactly, never raced.
  if (fakeClock) await page.clock.install();
  await page.goto(`${base}/index.html`);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

/**
 * For a test file: serves the UI and starts Chromium before its tests, stops
 * both after them. Returns `open(fixture, options)`, which is `openApp` on them.
 */
export function appUnderTest() {
  let server;
  let base;
  let browser;
  before(async () => {
    ({ server, base } = await serve());
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });
  return (fixture, options) => openApp(browser, base, fixture, options);
}

export async function calls(page, command) {
  const all = await page.evaluate(() => window.__calls);
  return command ? all.filter((c) => c.command === command) : all;
}
