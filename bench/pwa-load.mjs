// PWA load benchmark (issue 6), in Debian's Chromium against the release build served by
// the real server. Reports:
//  - first load: bytes transferred (encoded, as on the wire) for html, js, wasm, css, by
//    the page and by the service worker precaching the app, against the 250 KB budget;
//  - repeat load: bytes the page fetched from the network instead of the service worker;
//  - time to interactive with cached assets and 4x CPU throttling (navigation → the
//    officer's cooperative list rendered from IndexedDB), against a baseline in the same
//    browser run: the same IndexedDB read and list rendering done by plain JavaScript.
// Usage: make build && node bench/pwa-load.mjs
import { startServer, launch, signIn, OFFICER } from "../tests/e2e/helpers.mjs";

const RUNS = 7;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await startServer();
const browser = await launch();
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await ctx.newPage();
const cdp = await ctx.newCDPSession(page);
await cdp.send("Network.enable");

// First load: a fresh profile, nothing cached.
const sizes = new Map();
const types = new Map();
cdp.on("Network.responseReceived", (e) => types.set(e.requestId, { url: e.response.url, sw: e.response.fromServiceWorker }));
cdp.on("Network.loadingFinished", (e) => sizes.set(e.requestId, e.encodedDataLength));
await page.goto(server.url + "/");
await page.getByLabel("Tên đăng nhập").waitFor();
await page.evaluate(() => navigator.serviceWorker.ready);
const byKind = { html: 0, js: 0, wasm: 0, css: 0, other: 0 };
for (const [id, bytes] of sizes) {
  const t = types.get(id);
  if (!t || t.sw || t.url.includes("/api/")) continue;
  const kind = /\.wasm$/.test(t.url) ? "wasm" : /\.js$/.test(t.url) ? "js" : /\.css$/.test(t.url) ? "css"
    : /\/$|\.html$/.test(t.url) ? "html" : "other";
  byKind[kind] += bytes;
}
// What the service worker fetched to precache the app (its own resource timings: 0 bytes
// for what came from the HTTP cache the page's load filled).
const sw = ctx.serviceWorkers()[0] ?? (await ctx.waitForEvent("serviceworker"));
const swFetched = await sw.evaluate(() => performance.getEntriesByType("resource")
  .filter((e) => !e.name.includes("/api/")).map((e) => ({ url: e.name, bytes: e.transferSize })));
const swBytes = swFetched.reduce((n, e) => n + e.bytes, 0);
const firstTotal = byKind.html + byKind.js + byKind.wasm + byKind.css + swBytes;

// Sign in (first sync), then measure repeat loads.
await signIn(page, server.url, OFFICER);
await page.getByRole("listitem").first().waitFor();
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
console.log(`first load (bytes on the wire): html ${byKind.html}, js ${byKind.js}, wasm ${byKind.wasm}, css ${byKind.css}; service worker's precache ${swBytes} (${swFetched.length} files, ${swFetched.filter((e) => e.bytes > 0).length} from the network); total ${firstTotal} (${kb(firstTotal)} KiB)`);
console.log(`first load / 250 KB budget = ${(firstTotal / 256000).toFixed(2)}`);
console.log(`repeat load: ${networkBytes} bytes from the network (the rest from the service worker)`);
console.log(`interactive with 4x CPU throttling, median of ${RUNS}: app ${median(app)} ms (navigation to list); baseline plain-JS IndexedDB read + render ${median(base).toFixed(1)} ms; app / baseline = ${(median(app) / median(base)).toFixed(1)}`);
await browser.close();
await server.stop();
