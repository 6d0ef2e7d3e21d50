// Debian's Chromium (/usr/bin/chromium, installed by `make browser`) driven by playwright-core,
// for the console's browser tests. Playwright's own browser download does not work on these
// machines, so the system one is used, headless, with a fresh profile in a temporary folder and
// without any of its background connections (this machine's network is closed).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A browser context with its own new profile, closed (and its folder removed) when the test
 * ends. Skips the test with a reason when Chromium is not installed.
 * @param {import('node:test').TestContext} t
 * @param {object} [options] playwright's context options (viewport, ...)
 */
async function openBrowser(t, options = {}) {
  if (!fs.existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing: run "make browser" (apt-get install chromium)`);
    return null;
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  t.after(async () => {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  });
  return context;
}

module.exports = { openBrowser, CHROMIUM };
