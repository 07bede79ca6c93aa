// Issue 29 (build 3): a rolling upgrade while tablets sync, as docs/DEPLOY.md tells an
// operator to do it. The previous release (the commit named in tests/e2e/previous-release,
// built by scripts/previous.sh) runs as two instances on one PostgreSQL behind nginx; two
// officers' tablets load its app and send reports. Then one instance is replaced by this
// release (which migrates the database as it starts) while the other, old, still serves:
// the tablets' requests go to both, a supervisor returns reports through both. Then the
// old instance is stopped and replaced too, and a third tablet signs in. The first two
// tablets still run the previous app from their service worker's cache, and keep
// syncing with the new servers; at the end they reload into the new app. Afterwards:
// every report once on the server and on each tablet, each audit trail whole, nothing
// left in any outbox (docs/ARCHITECTURE.md, "Faults, full stores and two releases side by
// side"). A second test opens the app in fresh browsers while two builds with different
// files serve behind nginx: each page starts, its files found on the instance that has
// them.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, freePort, launch, signIn, api, tokenFor, allVisits, ROOT, SERVER_BIN, OFFICER, SUPERVISOR } from "./helpers.mjs";
import { exportFile, report, tablet, kick, sleep } from "./fault-harness.mjs";

const PREVIOUS = readFileSync(join(ROOT, "tests/e2e/previous-release"), "utf8").split("\n").find((l) => l && !l.startsWith("#")).trim();
const PREV_ROOT = join(ROOT, "target/previous/src");
const PREV_BIN = join(PREV_ROOT, "target/release/hoptac-server");
const PREV_DIST = join(PREV_ROOT, "dist");
const DIST = join(ROOT, "dist");
const GIANG = { username: "canbo.giavien", password: "hoptac-giavien" };
const KIMSON = { username: "canbo.kimson", password: "hoptac-kimson" };
const INSTANCE = { ...process.env, HOPTAC_INSTANCE: "upgrade" };
const pgScript = (cmd) => spawnSync("bash", [join(ROOT, "scripts/pg.sh"), cmd], { env: INSTANCE, encoding: "utf8" });

const browser = await launch();
const nginxes = [];
after(async () => {
  for (const n of nginxes) n.kill("SIGTERM");
  await browser.close();
  pgScript("stop");
});

/** nginx in front of `ports`, as `hoptac-server nginx-config` writes it; its URL. */
async function startNginx(ports) {
  const nginxBin = ["/usr/sbin/nginx", "/usr/bin/nginx"].find(existsSync);
  assert.ok(nginxBin, "nginx is not installed: run bash scripts/setup.sh");
  const dir = mkdtempSync(join(tmpdir(), "hoptac-upgrade-nginx-"));
  const port = await freePort();
  const conf = spawnSync(SERVER_BIN, ["nginx-config", "--listen", String(port), "--dir", dir,
    ...(process.getuid?.() === 0 ? ["--as-root"] : []), ...ports.map(String)], { encoding: "utf8" });
  assert.equal(conf.status, 0, conf.stderr);
  writeFileSync(join(dir, "nginx.conf"), conf.stdout);
  nginxes.push(spawn(nginxBin, ["-c", join(dir, "nginx.conf"), "-p", dir], { stdio: "ignore" }));
  const url = `http://127.0.0.1:${port}`;
  for (let t = 0; ; t++) {
    if (await fetch(`${url}/api/health`).then((r) => r.ok, () => false)) return url;
    assert.ok(t < 100, "nginx did not start");
    await sleep(100);
  }
}

/** The wasm file a page runs (its name carries the build's hash). */
const wasmOf = (page) => page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name).find((n) => n.endsWith(".wasm"))?.split("/").pop());
const wasmIn = (dist) => readdirSync(dist).find((f) => f.endsWith("_bg.wasm"));

test("a rolling upgrade while tablets sync loses nothing and applies nothing twice; tablets on the previous app keep syncing", { timeout: 900_000 }, async () => {
  assert.ok(existsSync(PREV_BIN) && existsSync(join(PREV_DIST, "index.html")),
    `the previous release (${PREVIOUS}) is not built: run bash scripts/previous.sh`);
  const pg = pgScript("start");
  assert.equal(pg.status, 0, pg.stderr);
  const admin = pg.stdout.trim().split("=").slice(1).join("=");
  const created = spawnSync("psql", [admin, "-q", "-c", "CREATE DATABASE upgrade"], { encoding: "utf8" });
  assert.equal(created.status, 0, created.stderr);
  const db = admin.replace(/\/[^/]*$/, "/upgrade");
  const photos = mkdtempSync(join(tmpdir(), "hoptac-upgrade-photos-"));
  const ports = [await freePort(), await freePort()];
  const start = (i, release) => startServer({
    db, port: ports[i], bin: release === "previous" ? PREV_BIN : SERVER_BIN, dist: release === "previous" ? PREV_DIST : DIST,
    args: ["--photos", photos, "--trusted-proxies", "127.0.0.1"],
  });
  const instances = [await start(0, "previous"), null];
  instances[1] = await start(1, "previous");

  const url = await startNginx(ports);

  // Two officers' tablets on the previous release's app.
  const contexts = [];
  const open = async (who) => {
    const ctx = await browser.newContext();
    contexts.push(ctx);
    const page = await ctx.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await signIn(page, url, who);
    return { page, errors };
  };
  const a = await open(OFFICER);
  const b = await open(GIANG);
  const oldWasm = wasmIn(PREV_DIST);
  assert.equal(await wasmOf(a.page), oldWasm, "tablet a runs the previous app");
  const who = {
    a: ["u-officer-hoalu", ["coop-001", "coop-002", "coop-009"], a.page],
    b: ["u-officer-giavien", ["coop-011", "coop-012", "coop-013"], b.page],
  };
  const made = { a: 0, b: 0, c: 0 };
  const feed = async (tag, count, extra = []) => {
    const [user, coops, page] = who[tag];
    const ops = [];
    for (let i = made[tag] + 1; i <= made[tag] + count; i++) ops.push({ type: "submit_visit", data: report(user, coops, tag, i) });
    ops.push(...extra);
    await page.goto(url + "/may");
    await page.setInputFiles("#import-file", exportFile(user, ops));
    await page.getByText(`Đã nhập ${ops.length} thay đổi; 0 đã có sẵn trên máy`).waitFor();
    made[tag] += count;
  };
  const syncAll = async (tags, rounds = 6) => {
    for (let r = 0; r < rounds; r++) {
      await Promise.all(tags.map((t) => kick(who[t][2])));
      await sleep(300);
    }
  };

  // 1. The previous release alone.
  await feed("a", 20);
  await feed("b", 20);
  await syncAll(["a", "b"]);

  // 2. One instance replaced: the new release migrates the database and serves beside
  // the old one; requests go to both.
  await instances[1].stop();
  instances[1] = await start(1, "current");
  const sup = await tokenFor(url, SUPERVISOR);
  const returned = ["fault-a-1", "fault-a-2"];
  for (let round = 0; round < 6; round++) {
    await feed("a", 5);
    await feed("b", 5);
    await syncAll(["a", "b"], 3);
    if (round === 3) {
      // PostgreSQL restarts under the tablets' pushes: the new instance answers 503
      // `unavailable`, a code the previous app does not know (it retries, as on any 5xx).
      await syncAll(["a", "b"], 1);
      const r = pgScript("restart");
      assert.equal(r.status, 0, r.stderr);
    }
    if (round === 1) {
      for (const id of returned) {
        const r = await api(url, `/api/visits/${id}/decisions`, { token: sup, body: { action: "return", text: "Bổ sung số liệu doanh thu." } });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
    }
  }

  // 3. The old instance stopped and replaced: only the new release serves. Tablets a and
  // b still run the previous app from their cache; they correct the returned reports. A
  // third tablet signs in. (Signing in while both releases serve needs the previous
  // release to answer 404 for a file it lacks, which releases before 2026-12-08 do not:
  // the next test checks that window with this release on both sides.)
  await instances[0].stop();
  instances[0] = await start(0, "current");
  const c = await open(KIMSON);
  who.c = ["u-officer-kimson", ["coop-016"], c.page];
  await feed("c", 10);
  const corrections = [];
  for (const id of returned) {
    const r = (await api(url, `/api/visits/${id}`, { token: sup })).body.report;
    corrections.push({ type: "resubmit_visit", data: { ...r, note: `${r.note} Đã bổ sung doanh thu.`, revision: 2, status: "resubmitted" } });
  }
  await feed("a", 10, corrections);
  await feed("b", 10);
  await syncAll(["a", "b", "c"]);
  assert.equal(await wasmOf(a.page), oldWasm, "tablet a still runs the previous app from its cache");
  for (const t of [a, b, c]) {
    await t.page.goto(url + "/");
    await t.page.getByText("Không có thay đổi chờ gửi").waitFor({ timeout: 60_000 });
  }

  // Checks: every report once, each step once in its trail, each tablet as the server.
  const onServer = async (w) => (await allVisits(url, await tokenFor(url, w))).body.map((v) => v.id).sort();
  const expected = Object.entries(made).flatMap(([tag, n]) => [...Array(n).keys()].map((i) => `fault-${tag}-${i + 1}`)).sort();
  assert.deepEqual(await onServer(SUPERVISOR), expected, "every report once, none lost, none duplicated");
  const adminToken = await tokenFor(url, { username: "quantri", password: "hoptac-quantri" });
  for (const id of expected) {
    const trail = (await api(url, `/api/audit/visit/${id}`, { token: adminToken })).body.map((e) => e.action);
    assert.deepEqual(trail, returned.includes(id) ? ["submit", "return", "resubmit"] : ["submit"], id);
  }
  for (const [t, w] of [[a, OFFICER], [b, GIANG], [c, KIMSON]]) {
    const held = await tablet(t.page);
    assert.equal(held.outbox, 0);
    assert.deepEqual(held.visits, await onServer(w));
  }
  // The tablets reload into the new app and hold the same.
  for (const [t, w] of [[a, OFFICER], [b, GIANG]]) {
    const update = t.page.getByRole("button", { name: "Tải lại để cập nhật" });
    if (await update.isVisible().catch(() => false)) await update.click();
    else await t.page.reload();
    await t.page.waitForLoadState("load");
    await t.page.getByText("Không có thay đổi chờ gửi").waitFor({ timeout: 60_000 });
    assert.deepEqual((await tablet(t.page)).visits, await onServer(w));
  }
  for (const t of [a, b, c]) assert.deepEqual(t.errors, [], "no uncaught errors in the pages");
  console.log(`# rolling upgrade from ${PREVIOUS}: ${expected.length} reports, ${returned.length} corrections; app ${oldWasm} → ${wasmIn(DIST)}`);
  for (const ctx of contexts) await ctx.close();
  for (const i of [0, 1]) await instances[i].stop();
});

test("a browser opening the app while two builds serve side by side gets one build's page and files", { timeout: 300_000 }, async () => {
  // The other build: this release's dist with its hashed files renamed (another hash), as
  // the next release's would be.
  const other = mkdtempSync(join(tmpdir(), "hoptac-other-dist-"));
  cpSync(DIST, other, { recursive: true });
  // Compressed copies would hold the old names: served uncompressed instead.
  for (const f of readdirSync(other, { recursive: true })) if (/\.(br|gz)$/.test(f)) rmSync(join(other, f));
  const renames = {};
  for (const f of readdirSync(other)) {
    const m = f.match(/^(.*-)([0-9a-f]{12,16})((?:_bg)?\.(?:js|wasm|css))$/);
    if (m) {
      const to = m[1] + "0".repeat(m[2].length) + m[3];
      renameSync(join(other, f), join(other, to));
      renames[m[1] + m[2]] = m[1] + "0".repeat(m[2].length);
    }
  }
  assert.ok(Object.keys(renames).length >= 3, "the build has hashed files");
  for (const f of readdirSync(other).filter((f) => /\.(html|js|mjs|webmanifest)$/.test(f))) {
    let text = readFileSync(join(other, f), "utf8");
    for (const [from, to] of Object.entries(renames)) text = text.split(from).join(to);
    writeFileSync(join(other, f), text);
  }
  // index.html's integrity attributes, for the files changed.
  const index = join(other, "index.html");
  writeFileSync(index, readFileSync(index, "utf8").replace(/href="\/([^"]+)"([^>]*?)integrity="sha384-[^"]*"/g, (_, href, mid) =>
    `href="/${href}"${mid}integrity="sha384-${createHash("sha384").update(readFileSync(join(other, href))).digest("base64")}"`));
  const db = join(mkdtempSync(join(tmpdir(), "hoptac-two-builds-")), "hoptac.db");
  const ports = [await freePort(), await freePort()];
  const one = await startServer({ db, port: ports[0] });
  const two = await startServer({ db, port: ports[1], dist: other, demo: false });
  const url = await startNginx(ports);
  // A file one build lacks: 404 from its instance, never its index.html in the file's place.
  const missing = await fetch(`http://127.0.0.1:${ports[1]}/${wasmIn(DIST)}`);
  assert.equal(missing.status, 404);
  const builds = new Set();
  for (let i = 0; i < 8; i++) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url + "/");
    await page.getByLabel("Tên đăng nhập").waitFor({ timeout: 30_000 });
    builds.add(await wasmOf(page));
    assert.deepEqual(errors, [], `browser ${i}: no errors`);
    await ctx.close();
  }
  assert.equal(builds.size, 2, `pages of both builds were served (${[...builds]})`);
  await one.stop();
  await two.stop();
});
