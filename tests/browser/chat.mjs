// examples/chat in a real browser: two pages join a room, talk, one reloads and sees the history,
// and a burst of messages meets the rate limiter. Prints one JSON line: what the pages showed.
//
//   node tests/browser/chat.mjs URL CHROMIUM_PATH
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [url, executablePath] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), "flint-chromium-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
  timeout: 30000,
});
const result = { failed: [] };
const lines = (page) => page.$$eval("#log li", (items) => items.map((li) => li.textContent));
const waitForLine = (page, text) => page.waitForFunction((t) => [...document.querySelectorAll("#log li")].some((li) => li.textContent === t), text);
try {
  const open = async (name) => {
    const page = await browser.newPage();
    page.setDefaultTimeout(15000);
    page.on("pageerror", (e) => result.failed.push(`${name}: page error: ${e.message}`));
    page.on("requestfailed", (r) => result.failed.push(`${name}: ${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
    await page.goto(new URL(`/?room=test&name=${name}`, url).href);
    await page.waitForFunction((n) => document.getElementById("status").textContent === `In room test as ${n}.`, name);
    return page;
  };
  const say = async (page, text) => { await page.fill("#text", text); await page.press("#text", "Enter"); };

  const alice = await open("alice");
  result.heading = await alice.textContent("h1");
  const bob = await open("bob");
  await waitForLine(alice, "bob joined");

  await say(alice, "hello bob");
  await waitForLine(bob, "alice: hello bob");
  await say(bob, "hi alice");
  await waitForLine(alice, "bob: hi alice");
  result.aliceSaw = await lines(alice);
  result.bobSaw = await lines(bob);

  await alice.reload();
  await alice.waitForFunction(() => document.getElementById("status").textContent === "In room test as alice.");
  await waitForLine(alice, "bob: hi alice");
  result.afterReload = await lines(alice);

  for (let i = 0; i < 8; i++) await say(bob, `burst ${i}`);
  await bob.waitForSelector("#log li.error");
  result.rateLimited = await bob.textContent("#log li.error");
  result.burstDelivered = (await lines(bob)).filter((l) => l.startsWith("bob: burst")).length;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
