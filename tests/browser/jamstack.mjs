// The Jamstack example in a real browser: loads the single-page app, logs in through its form and
// waits for the notes the Worker reads from D1. Prints one JSON line: what the page showed.
//
//   node tests/browser/jamstack.mjs URL CHROMIUM_PATH
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [url, executablePath] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), "flint-chromium-"));
// A new empty profile (Playwright passes it as --user-data-dir). Without the background-networking
// flags Chromium's own connections are refused by the closed network.
const browser = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
  timeout: 30000,
});
const result = { steps: [] };
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(15000);
  const failed = [];
  page.on("requestfailed", (r) => failed.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  page.on("pageerror", (e) => failed.push(`page error: ${e.message}`));

  await page.goto(new URL("/notes", url).href);
  result.steps.push({ at: new URL(page.url()).pathname, heading: await page.textContent("h1") });

  await page.fill("input[name=password]", "wrong-password");
  await page.click("button[type=submit]");
  await page.waitForSelector("#error:not(:empty)");
  result.loginError = await page.textContent("#error");

  await page.fill("input[name=password]", "demo-password");
  await page.click("button[type=submit]");
  await page.waitForSelector("#notes li");
  result.steps.push({ at: new URL(page.url()).pathname, heading: await page.textContent("h1") });
  result.notes = await page.$$eval("#notes li", (items) => items.map((li) => li.textContent));
  result.stylesheet = await page.evaluate(() => getComputedStyle(document.body).maxWidth);

  await page.reload();
  await page.waitForSelector("#notes li");
  result.afterReload = await page.textContent("h1");

  await page.click("#logout");
  await page.waitForSelector("#login");
  result.steps.push({ at: new URL(page.url()).pathname, heading: await page.textContent("h1") });
  result.failed = failed;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
