// Drives Debian's Chromium (headless, through playwright-core) through a
// running `jinsong serve`: the index, a click to a battle's page, its
// Attributes table, and the timeline's SVG; saves a screenshot of each.
//
// Usage: node pages.mjs BASE_URL OUT_DIR   (CHROMIUM overrides /usr/bin/chromium)
// Prints one JSON line of what it saw; exits non-zero when a check fails.

import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [base, out] = process.argv.slice(2);
if (!base || !out) {
  console.error('usage: node pages.mjs BASE_URL OUT_DIR');
  process.exit(2);
}
mkdirSync(out, { recursive: true });

const fail = (message) => {
  console.error(`browser check failed: ${message}`);
  process.exitCode = 1;
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
const seen = {};
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
  let response = await page.goto(`${base}/`);
  if (response.status() !== 200) fail(`index answered ${response.status()}`);
  await page.screenshot({ path: join(out, 'index.png'), fullPage: true });
  seen.indexHeadings = await page.locator('h2').allTextContents();

  // Follow the first battle's link, as a reader would.
  const battles = page.locator('h2:has-text("Battles") + ul a').first();
  seen.battle = (await battles.textContent()) || '';
  await battles.click();
  await page.waitForURL(/\/page\//);
  await page.waitForLoadState('load');
  seen.battleUrl = page.url();
  const title = await page.locator('h1').textContent();
  if (!title || !title.startsWith('About: ')) fail(`battle page title ${title}`);
  seen.title = title;
  const headers = await page.locator('table th').allTextContents();
  if (headers.join('|') !== 'Attributes|Values') fail(`table headers ${headers}`);
  const attributes = await page.locator('table tr td:first-child').allTextContents();
  seen.attributes = attributes;
  for (const needed of ['rdf:type', 'rdfs:label']) {
    if (!attributes.includes(needed)) fail(`no ${needed} in the Attributes table`);
  }
  await page.screenshot({ path: join(out, 'battle.png'), fullPage: true });

  response = await page.goto(`${base}/timeline`);
  if (response.status() !== 200) fail(`timeline answered ${response.status()}`);
  seen.timelineLinks = await page.locator('svg a').count();
  seen.timelineLanes = await page.locator('svg text.lane').allTextContents();
  if (seen.timelineLinks < 5) fail(`the timeline has ${seen.timelineLinks} links`);
  const box = await page.locator('svg').first().boundingBox();
  if (!box || box.width < 500) fail('the timeline SVG is not drawn');
  await page.screenshot({ path: join(out, 'timeline.png'), fullPage: true });
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
