// The officer's registry and form with 10,000 cooperatives in the local store (issue 3),
// in Debian's Chromium with 4x CPU throttling through the DevTools protocol, against
// baselines in the same browser run done with plain JavaScript on the same IndexedDB:
//  - registry usable: navigation → the first page (100 rows) of the list rendered;
//    baseline: getAll of the 10,000 records + the same diacritics folding + 100 <li>;
//  - a search keystroke: input event → the next animation frame (list updated); baseline: the same filter over
//    10,000 folded keys + re-rendering 100 <li>;
//  - saving a draft: keystroke → the draft committed to IndexedDB (the app's drafts
//    worker reports the commit time on the page's clock); baseline: a put of the same
//    object from plain JavaScript;
//  - also: the first opening after the cooperatives changed (no current cached list: every
//    record is read and the list rebuilt), and where the registry's start-up time goes.
// Usage: make build && node bench/registry.mjs   (RUNS=15 for more registry loads)
import { startServer, launch, signIn, OFFICER } from "../tests/e2e/helpers.mjs";

const N = 10_000;
const RUNS = Number(process.env.RUNS ?? 5);
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };
const med = (xs) => pct(xs, 0.5);

const server = await startServer();
const browser = await launch();
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await ctx.newPage();
const cdp = await ctx.newCDPSession(page);
page.on("crash", () => console.error("the page crashed"));
page.on("pageerror", (e) => console.error("page error:", e.message.slice(0, 300)));
await signIn(page, server.url, OFFICER);
await page.getByRole("link", { name: /HTX Thêu ren Văn Lâm/ }).waitFor();

// Seed 10,000 cooperatives into the officer's communes, from plain JavaScript.
const seedMs = await page.evaluate(async (n) => {
  const db = await new Promise((ok, err) => { const r = indexedDB.open("hoptac"); r.onsuccess = () => ok(r.result); r.onerror = err; });
  const communes = await new Promise((ok) => { const r = db.transaction("areas").objectStore("areas").getAll(); r.onsuccess = () => ok(r.result.filter((a) => a.level === "commune" && /NB-(HL|GV)\//.test(a.path))); });
  const words = ["Dịch vụ", "Nông nghiệp", "Thêu ren", "Chiếu cói", "Rau an toàn", "Dê núi", "Dược liệu", "Vận tải", "Môi trường", "Thủ công"];
  const t = performance.now();
  await new Promise((ok, err) => {
    const tx = db.transaction("cooperatives", "readwrite");
    const os = tx.objectStore("cooperatives");
    for (let i = 0; i < n; i++) {
      const c = communes[i % communes.length];
      os.put({ id: `bench-${i}`, kind: i % 3 ? "htx" : "tht", name: `HTX ${words[i % 10]} ${c.name.replace(/^(Xã|Phường|Thị trấn) /, "")} số ${i}`,
        sector: "agriculture", area_id: c.id, area_path: c.path, status: i % 7 ? "active" : "standstill", members: i % 500,
        main_products: words[(i * 7) % 10], newly_established: i % 11 === 0, tax_registered: true, version: 1 });
    }
    tx.oncomplete = ok; tx.onerror = err;
  });
  db.close();
  return performance.now() - t;
}, N);

await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });

// Registry usable after navigation; where the time goes (marks the app records).
await page.addInitScript(() => { window.__hoptacBench = { rebuildRead: [], rebuildRows: [], appStart: [], storeOpen: [], coopsRead: [], registryLoaded: [], registryCacheHit: [], sessionLoaded: [], registryStart: [], earlyReady: [], decode: [], appMount: [] }; });
await page.evaluate(() => { window.__hoptacBench = null; });
// The first opening after the records changed reads them all and caches the list (as
// after a sync); the measured runs open the registry as an officer does every day after.
await page.goto(server.url + "/", { waitUntil: "commit" });
const rebuilt = await (await page.waitForFunction(() => document.querySelectorAll("ul.list > li").length >= 100 && performance.now(), null, { polling: "raf", timeout: 60_000 })).jsonValue();
const rebuildMarks = await page.evaluate(() => window.__hoptacBench);
await page.waitForTimeout(3000);
const appLoad = [];
const marks = [];
for (let i = 0; i < RUNS; i++) {
  await page.goto(server.url + "/", { waitUntil: "commit" });
  const h = await page.waitForFunction(() => document.querySelectorAll("ul.list > li").length >= 100 && performance.now(), null, { polling: "raf", timeout: 60_000 });
  appLoad.push(await h.jsonValue());
  marks.push(await page.evaluate(() => window.__hoptacBench));
}
// Search keystrokes: type "dich vu" one key at a time, then clear.
// The renderer process, and its JavaScript heap, outlives a navigation: the six page loads
// above leave their wasm memories (~10 MB each) to be collected, and V8 did that in the
// middle of the typing (a 15–20 ms pause at 4x). An officer opens the app once, so that
// garbage is the benchmark's own: it is collected before typing starts (as it is before
// the baselines), and the typing runs before the plain-JS baselines add theirs.
await page.goto(server.url + "/");
await page.waitForFunction(() => document.querySelectorAll("ul.list > li").length >= 100, null, { timeout: 60_000 });
await cdp.send("HeapProfiler.collectGarbage");
// One keystroke: the input event, then the frame in which the updated list is painted
// (Leptos updates the DOM before the next animation frame).
const typeKey = (ch) => page.evaluate(async (ch) => {
  const input = document.querySelector("#search");
  const t = performance.now();
  input.value = ch === null ? "" : input.value + ch;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  await new Promise((ok) => requestAnimationFrame(() => ok()));
  return performance.now() - t;
}, ch);
const appKeys = [];
for (let r = 0; r < 3; r++) {
  for (const ch of "dich vu") appKeys.push(await typeKey(ch));
  await typeKey(null);
}
const baseLoad = [];
for (let i = 0; i < RUNS; i++) {
  baseLoad.push(await page.evaluate(async () => {
    const fold = (s) => s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");
    const t = performance.now();
    const db = await new Promise((ok, err) => { const r = indexedDB.open("hoptac"); r.onsuccess = () => ok(r.result); r.onerror = err; });
    const rows = await new Promise((ok) => { const r = db.transaction("cooperatives").objectStore("cooperatives").getAll(); r.onsuccess = () => ok(r.result); });
    const keyed = rows.map((c) => ({ c, key: fold(c.name + " " + (c.main_products || "")) })).sort((a, b) => (a.key < b.key ? -1 : 1));
    const ul = document.createElement("ul");
    for (const { c } of keyed.slice(0, 100)) { const li = document.createElement("li"); li.textContent = c.name; ul.append(li); }
    document.body.append(ul);
    db.close();
    return performance.now() - t;
  }));
}

await cdp.send("HeapProfiler.collectGarbage");
const baseKeys = await page.evaluate(async () => {
  const fold = (s) => s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");
  const db = await new Promise((ok, err) => { const r = indexedDB.open("hoptac"); r.onsuccess = () => ok(r.result); r.onerror = err; });
  const rows = await new Promise((ok) => { const r = db.transaction("cooperatives").objectStore("cooperatives").getAll(); r.onsuccess = () => ok(r.result); });
  db.close();
  const keyed = rows.map((c) => ({ c, key: fold(c.name + " " + (c.main_products || "")) }));
  const ul = document.createElement("ul"); document.body.append(ul);
  const out = [];
  let q = "";
  for (const ch of "dich vu") {
    q += ch;
    const t = performance.now();
    const words = q.split(" ").filter(Boolean);
    const hits = keyed.filter((k) => words.every((w) => k.key.includes(w)));
    ul.replaceChildren(...hits.slice(0, 100).map(({ c }) => { const li = document.createElement("li"); li.textContent = c.name; return li; }));
    out.push(performance.now() - t);
  }
  return out;
});

// Draft saves while typing in the visit form.
await page.goto(server.url + "/htx/coop-001/khao-sat");
await page.getByLabel("Nội dung làm việc").waitFor();
await page.evaluate(() => { window.__hoptacBench = { draftSave: [], draftSerialize: [], draftTaskStart: [] }; });
await page.getByLabel("Nội dung làm việc").pressSequentially("Doanh thu giảm do dịch bệnh, cần hỗ trợ vốn", { delay: 60 });
await page.waitForTimeout(500);
const appSaves = await page.evaluate(() => window.__hoptacBench.draftSave);
const appSerialize = await page.evaluate(() => window.__hoptacBench.draftSerialize);
const appTaskStart = await page.evaluate(() => window.__hoptacBench.draftTaskStart);
const baseSaves = await page.evaluate(async () => {
  const db = await new Promise((ok, err) => { const r = indexedDB.open("hoptac"); r.onsuccess = () => ok(r.result); r.onerror = err; });
  const draft = await new Promise((ok) => { const r = db.transaction("meta").objectStore("meta").get("draft:visit:coop-001"); r.onsuccess = () => ok(r.result); });
  const out = [];
  for (let i = 0; i < 40; i++) {
    const t = performance.now();
    await new Promise((ok, err) => { const tx = db.transaction("meta", "readwrite"); tx.objectStore("meta").put({ ...draft, key: "bench-draft" }); tx.oncomplete = ok; tx.onerror = err; });
    out.push(performance.now() - t);
  }
  db.close();
  return out;
});
await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });

const f = (x) => x.toFixed(1);
console.log(`seed: ${N} cooperatives put from plain JS in ${f(seedMs)} ms (unthrottled)`);
console.log(`registry usable after navigation (4x CPU): app median ${f(med(appLoad))} ms (runs ${appLoad.map(f).join(", ")}); baseline plain JS ${f(med(baseLoad))} ms; ratio ${f(med(appLoad) / med(baseLoad))}; target <= 300 ms`);
console.log(`  first opening after the cooperatives changed (every record read, the list rebuilt and cached): ${f(rebuilt)} ms (reading the records ${f(rebuildMarks.rebuildRead[0] ?? NaN)} ms, building the list ${f(rebuildMarks.rebuildRows[0] ?? NaN)} ms)`);
const m = (k) => f(med(marks.map((x) => x[k][0] ?? NaN)));
console.log(`  where it goes (medians, ms from navigation): app start ${m("appStart")}, store open ${m("storeOpen")}, registry loaded ${m("registryLoaded")} (reading the list took ${m("coopsRead")}, of which IndexedDB ${m("registryCacheHit")}; cached list used in ${marks.filter((x) => x.registryCacheHit.length).length} of ${marks.length} runs)`);
console.log(`  session set ${m("sessionLoaded")}, app mounted ${m("appMount")}, registry started ${m("registryStart")}, its list ready ${m("earlyReady")} (decoding the list read before the wasm started took ${m("decode")}), list rendered ${f(med(appLoad))}`);
console.log(`  keystrokes in order (ms): ${appKeys.map(f).join(" ")}`);
console.log(`search keystroke (4x CPU): app median ${f(med(appKeys))} ms, max ${f(Math.max(...appKeys))} ms; baseline plain JS median ${f(med(baseKeys))} ms; ratio ${f(med(appKeys) / med(baseKeys))}; target <= 50 ms`);
console.log(`draft save (4x CPU): app p50 ${f(pct(appSaves, 0.5))} ms, p95 ${f(pct(appSaves, 0.95))} ms over ${appSaves.length} saves; baseline plain JS put p95 ${f(pct(baseSaves, 0.95))} ms; ratio ${f(pct(appSaves, 0.95) / pct(baseSaves, 0.95))}; target p95 <= 20 ms`);
console.log(`  of which turning the report into a JS value: p50 ${f(pct(appSerialize, 0.5))} ms, p95 ${f(pct(appSerialize, 0.95))} ms; until the write starts: p50 ${f(pct(appTaskStart, 0.5))} ms, p95 ${f(pct(appTaskStart, 0.95))} ms`);
await browser.close();
await server.stop();
