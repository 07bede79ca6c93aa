// What a lazy page's part costs when it opens (issue 6's cut), in Debian's Chromium against
// the release build, 4x CPU throttling, the app saved by the service worker: the time from
// a tap on a cooperative in the registry to its page's heading, the first time in a page
// load (the officer's part is read from the service worker's cache and instantiated) and
// the second time (the part is already loaded). The difference is the part's cost.
// Usage: make build && node bench/lazy-open.mjs
import { startServer, launch, signIn, OFFICER } from "../tests/e2e/helpers.mjs";

const RUNS = 7;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const COOP = "HTX Thêu ren Văn Lâm";

const server = await startServer();
const browser = await launch();
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await ctx.newPage();
await signIn(page, server.url, OFFICER);
const cdp = await ctx.newCDPSession(page);
const link = page.getByRole("link", { name: new RegExp(COOP) });
const heading = page.getByRole("heading", { name: COOP });
const first = [];
const second = [];
for (let i = 0; i < RUNS; i++) {
  await page.goto(server.url + "/");
  await link.waitFor();
  await page.waitForTimeout(300);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  let t = Date.now();
  await link.click();
  await heading.waitFor();
  first.push(Date.now() - t);
  await page.goBack();
  await link.waitFor();
  t = Date.now();
  await link.click();
  await heading.waitFor();
  second.push(Date.now() - t);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
}
console.log(`tap on a cooperative → its page (4x CPU), median of ${RUNS}: first opening in a page load ${median(first)} ms (runs ${first.join(", ")}); part already loaded ${median(second)} ms (runs ${second.join(", ")}); the part's cost ≈ ${median(first) - median(second)} ms`);
await browser.close();
await server.stop();
