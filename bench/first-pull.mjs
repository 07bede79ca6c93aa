// First pull of 10,000 cooperatives into the tablet's IndexedDB (issue 4), in Debian's
// Chromium against the real release server on loopback, each run on a fresh profile.
//  - app: the first sync after sign-in (all pages fetched, decoded and stored), and the
//    part of it spent storing (the app's apply_pull: decoding + IndexedDB writes);
//  - baseline 1 (the issue's): a plain-JavaScript bulk put of the same records, already
//    in memory, in one transaction, in the same browser;
//  - baseline 2: plain JavaScript doing the whole job: fetch the same pages, JSON.parse,
//    put each page in one transaction.
// Usage: make build && node bench/first-pull.mjs
import { execFileSync } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, launch, signIn, tokenFor, OFFICER } from "../tests/e2e/helpers.mjs";

const N = 10_000;
const RUNS = 3;
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// A server whose database holds 10,000 more cooperatives in the officer's communes.
let server = await startServer();
const { db, port } = server;
await server.stop();
const communes = execFileSync("sqlite3", [db, "SELECT id, path FROM areas WHERE level = 'commune' AND path LIKE 'NB/NB-HL/%'"]).toString().trim().split("\n").map((l) => l.split("|"));
let sql = "BEGIN;\n";
for (let i = 0; i < N; i++) {
  const [area, path] = communes[i % communes.length];
  const c = { id: `bench-${i}`, kind: i % 3 ? "htx" : "tht", name: `HTX Dịch vụ nông nghiệp số ${i}`, sector: "agriculture",
    area_id: area, area_path: path, members: i % 500, workers: i % 40, chair_name: "Nguyễn Văn An", chair_phone: "0912345678",
    main_products: "Lúa, rau an toàn", status: "active", newly_established: i % 11 === 0, tax_registered: true, version: 1 };
  const body = JSON.stringify(c).replaceAll("'", "''");
  const change = JSON.stringify({ type: "cooperative", data: c }).replaceAll("'", "''");
  sql += `INSERT INTO cooperatives (id, area_id, area_path, kind, name, status, version, body) VALUES ('${c.id}', '${area}', '${path}', '${c.kind}', '${c.name}', 'active', 1, '${body}');\n`;
  sql += `UPDATE sync_counter SET last_seq = last_seq + 1 WHERE id = 1;\n`;
  sql += `INSERT INTO sync_log (entity, id, seq, scope_path, body) VALUES ('cooperative', '${c.id}', (SELECT last_seq FROM sync_counter WHERE id = 1), '${path}', '${change}');\n`;
}
sql += "COMMIT;\n";
const sqlFile = join(mkdtempSync(join(tmpdir(), "hoptac-bench-")), "seed.sql");
writeFileSync(sqlFile, sql);
execFileSync("sqlite3", [db, `.read ${sqlFile}`]);
server = await startServer({ db, port });
const browser = await launch();

const app = [], storing = [], base1 = [], base2 = [];
let total = 0;
for (let run = 0; run < RUNS; run++) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await ctx.addInitScript(() => { window.__hoptacBench = { firstPull: [], firstPullStoring: [] }; });
  const page = await ctx.newPage();
  await signIn(page, server.url, OFFICER);
  const b = await page.evaluate(() => window.__hoptacBench);
  app.push(b.firstPull[0]);
  storing.push(b.firstPullStoring[0]);
  total = await page.evaluate(() => new Promise((ok) => {
    const r = indexedDB.open("hoptac");
    r.onsuccess = () => { const q = r.result.transaction("cooperatives").objectStore("cooperatives").count(); q.onsuccess = () => { ok(q.result); r.result.close(); }; };
  }));

  // Baselines, same browser, same page.
  const token = await tokenFor(server.url, OFFICER);
  const [t1, t2] = await page.evaluate(async ({ token, run }) => {
    const open = (name) => new Promise((ok, err) => {
      const r = indexedDB.open(name, 1);
      r.onupgradeneeded = () => r.result.createObjectStore("cooperatives", { keyPath: "id" });
      r.onsuccess = () => ok(r.result); r.onerror = err;
    });
    const putAll = (db, records) => new Promise((ok, err) => {
      const tx = db.transaction("cooperatives", "readwrite");
      const os = tx.objectStore("cooperatives");
      for (const c of records) os.put(c);
      tx.oncomplete = ok; tx.onerror = err;
    });
    const pull = async (cursor, client) => {
      const r = await fetch("/api/sync/pull", { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ client_id: client, cursor }) });
      return r.json();
    };
    // Baseline 2: fetch + parse + put, page by page.
    const db2 = await open(`base2-${run}`);
    let t = performance.now();
    for (let cursor = 0; ;) {
      const page = await pull(cursor, `bench-js2-${run}`);
      await putAll(db2, page.changes.filter((c) => c.change.type === "cooperative").map((c) => c.change.data));
      cursor = page.cursor;
      if (!page.has_more) break;
    }
    const t2 = performance.now() - t;
    // Baseline 1: the same records, already in memory, in one bulk put.
    const records = [];
    for (let cursor = 0; ;) {
      const page = await pull(cursor, `bench-js1-${run}`);
      for (const c of page.changes) if (c.change.type === "cooperative") records.push(c.change.data);
      cursor = page.cursor;
      if (!page.has_more) break;
    }
    const db1 = await open(`base1-${run}`);
    t = performance.now();
    await putAll(db1, records);
    const t1 = performance.now() - t;
    db1.close(); db2.close();
    return [t1, t2];
  }, { token, run });
  base1.push(t1);
  base2.push(t2);
  await ctx.close();
}
await browser.close();
await server.stop();

const f = (x) => `${x.toFixed(0)} ms`;
console.log(`cooperatives on the tablet after the first sync: ${total}`);
console.log(`app, first sync (fetch + decode + store, ${RUNS} runs, median): ${f(med(app))}  [${app.map(f).join(", ")}]`);
console.log(`app, of which storing (apply_pull): ${f(med(storing))}`);
console.log(`baseline 1, plain JS bulk put of the same records: ${f(med(base1))}`);
console.log(`baseline 2, plain JS fetch + parse + put per page: ${f(med(base2))}`);
console.log(`ratios: app/baseline1 ${(med(app) / med(base1)).toFixed(2)}, app storing/baseline1 ${(med(storing) / med(base1)).toFixed(2)}, app/baseline2 ${(med(app) / med(base2)).toFixed(2)}`);
