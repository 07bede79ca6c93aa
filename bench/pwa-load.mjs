// PWA load benchmark (issue 6), in Debian's Chromium against the release build served by
// the real server. Reports:
//  - first load: what a fresh browser downloads to show the first page (sign-in) ready to
//    use: html, js, wasm, css, on the wire (brotli, as Chromium takes it) and gzipped (the
//    .gz copies the server sends to a browser that takes gzip only), against 250 KB;
//  - offline caching: what the service worker then downloads in the background (it is
//    registered after the page's load); the files the page already loaded come from the
//    HTTP cache (0 bytes);
//  - an officer's whole first visit: signed in, the registry shown and the officer's pages
//    kept for offline use (the service worker keeps the parts of the user's role only);
//  - repeat load: bytes the page fetched from the network instead of the service worker;
//  - time to interactive with cached assets and 4x CPU throttling (navigation → the
//    officer's cooperative list rendered from IndexedDB), against a baseline in the same
//    browser run: the same IndexedDB read and list rendering done by plain JavaScript.
// Usage: make build && node bench/pwa-load.mjs
import { statSync, existsSync } from "node:fs";
import { join } from "node:path";
import { startServer, launch, signIn, OFFICER, ROOT } from "../tests/e2e/helpers.mjs";

const RUNS = 7;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kindOf = (url) => /\.wasm$/.test(url) ? "wasm" : /\.js$/.test(url) ? "js" : /\.css$/.test(url) ? "css"
  : /\/$|\.html$/.test(url) ? "html" : "other";
// The gzip copy the server sends for a URL of the app ("/" is index.html).
const gzipSize = (url) => {
  const path = new URL(url).pathname;
  const f = join(ROOT, "dist", path === "/" ? "index.html" : path);
  return existsSync(f + ".gz") ? statSync(f + ".gz").size : existsSync(f) ? statSync(f).size : 0;
};

const server = await startServer();
const browser = await launch();
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await ctx.newPage();
const cdp = await ctx.newCDPSession(page);
await cdp.send("Network.enable");

// First load: a fresh profile, nothing cached; the sign-in form shown and typed into.
const sizes = new Map();
const urls = new Map();
cdp.on("Network.responseReceived", (e) => {
  if (!e.response.fromServiceWorker) urls.set(e.requestId, e.response.url);
});
cdp.on("Network.loadingFinished", (e) => sizes.set(e.requestId, e.encodedDataLength));
await page.goto(server.url + "/");
await page.getByLabel("Tên đăng nhập").fill("x");
await page.waitForLoadState("load");
const first = { html: 0, js: 0, wasm: 0, css: 0, other: 0 };
let firstGzip = 0;
for (const [id, url] of urls) {
  if (url.includes("/api/") || !sizes.has(id)) continue;
  first[kindOf(url)] += sizes.get(id);
  if (kindOf(url) !== "other") firstGzip += gzipSize(url);
}
const firstTotal = first.html + first.js + first.wasm + first.css;
// The service worker's install (offline caching), from its own resource timings: 0 bytes
// for what came from the HTTP cache the page's load filled.
await page.evaluate(() => navigator.serviceWorker.ready);
const sw = ctx.serviceWorkers()[0] ?? (await ctx.waitForEvent("serviceworker"));
const swFetched = await sw.evaluate(() => performance.getEntriesByType("resource")
  .filter((e) => !e.name.includes("/api/")).map((e) => ({ url: e.name, bytes: e.transferSize })));
const swNet = swFetched.filter((e) => e.bytes > 0);
const swBytes = swNet.reduce((n, e) => n + e.bytes, 0);
const swGzip = swNet.reduce((n, e) => n + gzipSize(e.url), 0);

// Sign in as an officer (first sync; the status bar's "saving the app" gone: the service
// worker has kept the officer's part), then count what the visit downloaded in all: the
// page's own files (the first load, then the officer's part for the registry) and what the
// service worker fetched from the network (0 bytes for what the HTTP cache had).
const firstIds = new Set(urls.keys());
await signIn(page, server.url, OFFICER);
await page.getByRole("listitem").first().waitFor();
let pageAfter = 0;
let pageAfterGzip = 0;
for (const [id, url] of urls) {
  if (firstIds.has(id) || url.includes("/api/") || !sizes.has(id)) continue;
  pageAfter += sizes.get(id);
  if (kindOf(url) !== "other") pageAfterGzip += gzipSize(url);
}
const swAll = (await sw.evaluate(() => performance.getEntriesByType("resource")
  .filter((e) => !e.name.includes("/api/")).map((e) => ({ url: e.name, bytes: e.transferSize }))))
  .filter((e) => e.bytes > 0);
const swAllBytes = swAll.reduce((n, e) => n + e.bytes, 0);
const swAllGzip = swAll.reduce((n, e) => n + gzipSize(e.url), 0);
const kept = await page.evaluate(async () => {
  const names = await caches.keys();
  const out = { files: 0, parts: [] };
  for (const n of names.filter((k) => k !== "hoptac-keep")) {
    for (const r of await (await caches.open(n)).keys()) {
      out.files++;
      const f = new URL(r.url).pathname;
      if (/^\/(split|chunk)_/.test(f)) out.parts.push(f);
    }
  }
  return out;
});
let networkBytes = 0;
const onResp = async (r) => {
  if (!r.fromServiceWorker() && !r.url().includes("/api/")) networkBytes += (await r.body().catch(() => Buffer.alloc(0))).length;
};
page.on("response", onResp);
await page.reload();
await page.getByRole("listitem").first().waitFor();
page.off("response", onResp);

// Interactive time, 4x CPU throttling, assets from the service worker.
await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
const app = [];
const base = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = Date.now();
  await page.reload();
  await page.getByRole("list", { name: "Danh sách hợp tác xã" }).getByRole("listitem").nth(14).waitFor();
  app.push(Date.now() - t0);
  base.push(await page.evaluate(async () => {
    const t = performance.now();
    const db = await new Promise((ok, err) => { const r = indexedDB.open("hoptac"); r.onsuccess = () => ok(r.result); r.onerror = err; });
    const coops = await new Promise((ok, err) => {
      const r = db.transaction("cooperatives").objectStore("cooperatives").getAll(); r.onsuccess = () => ok(r.result); r.onerror = err;
    });
    const ul = document.createElement("ul");
    for (const c of coops.sort((a, b) => a.name.localeCompare(b.name, "vi"))) {
      const li = document.createElement("li"); const a = document.createElement("a");
      a.href = "/htx/" + c.id; a.textContent = c.name; li.append(a); ul.append(li);
    }
    document.body.append(ul);
    db.close();
    return performance.now() - t;
  }));
}
await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });

const kb = (b) => (b / 1024).toFixed(1);
console.log(`first load, sign-in page ready (bytes on the wire, brotli): html ${first.html}, js ${first.js}, wasm ${first.wasm}, css ${first.css}; total ${firstTotal} (${kb(firstTotal)} KiB) = ${(firstTotal / 256000).toFixed(2)} of the 250 KB budget`);
console.log(`first load gzipped (the server's .gz copies of the same files): ${firstGzip} (${kb(firstGzip)} KiB) = ${(firstGzip / 256000).toFixed(2)} of the budget`);
console.log(`offline caching by the service worker after the load: ${swFetched.length} files, ${swNet.length} from the network, ${swBytes} bytes brotli (${swGzip} gzipped); whole first visit ${firstTotal + swBytes} brotli, ${firstGzip + swGzip} gzipped`);
console.log(`an officer's whole first visit, signed in and saved for offline use: ${firstTotal + pageAfter + swAllBytes} brotli (${firstGzip + pageAfterGzip + swAllGzip} gzipped): first load ${firstTotal}, the page's files after sign-in ${pageAfter}, the service worker's ${swAllBytes} from the network; kept: ${kept.files} files, parts ${kept.parts.join(", ")}`);
console.log(`repeat load: ${networkBytes} bytes from the network (the rest from the service worker)`);
console.log(`interactive with 4x CPU throttling, median of ${RUNS}: app ${median(app)} ms (navigation to list); baseline plain-JS IndexedDB read + render ${median(base).toFixed(1)} ms; app / baseline = ${(median(app) / median(base)).toFixed(1)}`);
await browser.close();
await server.stop();
