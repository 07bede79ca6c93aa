// Issue 4's fault test, raised by issue 13: bounded and on loopback only, at least 100
// injected faults per run (server kills and cut connections), over every kind of work an
// officer sends. Two tablets (two officers sharing Gia Viễn) start with 60 unsent reports
// each (imported from an "unsent work" file, as after a tablet swap) and get 4 more before
// every one of 80 short rounds, with profile edits of one shared cooperative every fourth
// round, a correction of reports a supervisor returned, a conflict and its resolution.
// The tablets reach the server through a TCP proxy in this process. Even rounds kill the
// server (SIGKILL) in the middle of a push whose answer the proxy holds back (the server
// applied it, the tablet never heard: the retry must not apply it twice) and restart it;
// odd rounds cut pull responses part-way. Once, the server is restored from a backup taken
// two rounds earlier (case 6: the tablets notice, pull from the start and re-send what it
// lost). Afterwards: every report once on the server and on each tablet; every record's
// audit trail holds each change once; the shared cooperative's version counts exactly the
// edits made. Counts go to docs/BENCHMARKS.md.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, connect } from "node:net";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, freePort, launch, signIn, api, tokenFor, OFFICER, SUPERVISOR, allVisits } from "./helpers.mjs";

const GIANG = { username: "canbo.giavien", password: "hoptac-giavien" };
const FIRST = 60; // unsent reports per tablet at the start
const EACH_ROUND = 4; // more per tablet before every round
const ROUNDS = Number(process.env.HOPTAC_FAULT_ROUNDS || 80);
const BACKUP_AT = 50; // a kill round: the database is copied while the server is down
const RESTORE_AT = 52; // a kill round: the copy goes back
const SHARED = "coop-010"; // in Gia Viễn: both officers edit it
const CONFLICTED = "coop-011";

const browser = await launch();
after(() => browser.close());

/** A loopback proxy that can cut pull responses after `cut.bytes` bytes, and hold back
 * push responses (`cut.holdPush`: the server applied the push, the tablet never hears). */
function proxy(targetPort) {
  const cut = { bytes: 0, cuts: 0, holdPush: false, held: 0 };
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    let pulling = false;
    let pushing = false;
    let sent = 0;
    const kill = () => { client.destroy(); upstream.destroy(); };
    client.on("data", (d) => {
      // HTTP/1.1: requests on one connection are sequential; note whether this is a pull.
      const head = d.subarray(0, 40).toString("latin1");
      if (/^(GET|POST|PUT) /.test(head)) {
        pulling = head.startsWith("POST /api/sync/pull");
        pushing = head.startsWith("POST /api/sync/push");
        sent = 0;
      }
      upstream.write(d);
    });
    upstream.on("data", (d) => {
      if (pushing && cut.holdPush) {
        cut.held++;
        return; // dropped: the connection dies with the server
      }
      if (pulling && cut.bytes > 0) {
        sent += d.length;
        if (sent > cut.bytes) {
          cut.cuts++;
          client.write(d.subarray(0, Math.max(0, d.length - (sent - cut.bytes))));
          return kill();
        }
      }
      client.write(d);
    });
    for (const s of [client, upstream]) {
      s.on("error", kill);
      s.on("close", () => { kill(); sockets.delete(s); });
    }
  });
  return {
    cut,
    async listen(port) { await new Promise((ok) => server.listen(port, "127.0.0.1", ok)); },
    close() { for (const s of sockets) s.destroy(); server.close(); },
  };
}

let fileNo = 0;
/** An "unsent work" file of `ops` ({type, data}) for `userId`. */
function exportFile(userId, ops) {
  const mutations = ops.map((op, i) => ({ id: i + 1, created_at: 1_700_000_000_000 + i, op }));
  const file = join(mkdtempSync(join(tmpdir(), "hoptac-fault-")), `${userId}-${fileNo++}.json`);
  writeFileSync(file, JSON.stringify({ format: "hoptac-unsent-work/1", exported_at: 1, user_id: userId, mutations }));
  return file;
}

function report(userId, coops, tag, i) {
  return {
    id: `fault-${tag}-${i}`, cooperative_id: coops[i % coops.length], author_id: userId,
    visit_date: "2021-06-11", note: `Báo cáo ${tag} số ${i}: doanh thu ổn định, cần hỗ trợ xúc tiến thương mại.`,
    status: "submitted", revision: 1, created_at: 1_700_000_000_000 + i,
  };
}

/** What the tablet holds: visit ids, and the outbox size, read from its IndexedDB. */
async function tablet(page) {
  return page.evaluate(() => new Promise((ok, fail) => {
    const req = indexedDB.open("hoptac");
    req.onerror = () => fail(req.error);
    req.onsuccess = () => {
      const db = req.result;
      const tx = db.transaction(["visits", "outbox"]);
      const out = {};
      tx.objectStore("visits").getAllKeys().onsuccess = (e) => (out.visits = e.target.result.sort());
      tx.objectStore("outbox").count().onsuccess = (e) => (out.outbox = e.target.result);
      tx.oncomplete = () => { db.close(); ok(out); };
    };
  }));
}

const alive = (server) => server.proc.exitCode === null && server.proc.signalCode === null;
const log = (...m) => process.env.HOPTAC_E2E_VERBOSE && console.error("[fault]", ...m);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function kick(page) {
  const b = page.getByRole("button", { name: "Đồng bộ ngay" });
  if (await b.isEnabled().catch(() => false)) await b.click().catch(() => {});
}

test("100 and more kills and cuts lose nothing and apply nothing twice", { timeout: 900_000 }, async () => {
  let server = await startServer();
  const { db, port } = server;
  const direct = server.url; // the supervisor's and the checks' way in, past the proxy
  const proxyPort = await freePort();
  const px = proxy(port);
  await px.listen(proxyPort);
  const url = `http://127.0.0.1:${proxyPort}`;
  const ctxA = await browser.newContext();
  const ctxB = await browser.newContext();
  const a = await ctxA.newPage();
  const b = await ctxB.newPage();
  const errors = [];
  for (const p of [a, b]) p.on("pageerror", (e) => errors.push(e.message));
  await signIn(a, url, OFFICER);
  await signIn(b, url, GIANG);
  // The shared cooperatives as the tablets received them.
  const sup = await tokenFor(direct, SUPERVISOR);
  const coopsNow = async () => {
    const out = {};
    let cursor = 0;
    for (;;) {
      const r = await api(direct, "/api/sync/pull", { token: sup, body: { client_id: "fault-checker", cursor, limit: 2000 } });
      for (const c of r.body.changes) out[`${c.change.type}:${c.change.data.id}`] = c.change.data;
      cursor = r.body.cursor;
      if (!r.body.has_more) return out;
    }
  };
  const shared0 = (await coopsNow())[`cooperative:${SHARED}`];
  const conflicted0 = (await coopsNow())[`cooperative:${CONFLICTED}`];
  log("signed in");

  const made = { a: 0, b: 0 };
  const who = { a: ["u-officer-hoalu", ["coop-001", "coop-002", "coop-009", "coop-010"], a], b: ["u-officer-giavien", ["coop-011", "coop-012", "coop-013"], b] };
  // Profile edits: tablet a changes the phone, tablet b the members, each from the value
  // it set last (so each applies, field by field, without a conflict).
  const edits = { a: 0, b: 0 };
  let phone = shared0.chair_phone, members = shared0.members;
  const extra = { a: [], b: [] }; // more operations for the next import
  async function feed(count) {
    for (const tag of ["a", "b"]) {
      const [user, coops, p] = who[tag];
      const ops = [];
      for (let i = made[tag] + 1; i <= made[tag] + count; i++) ops.push({ type: "submit_visit", data: report(user, coops, tag, i) });
      ops.push(...extra[tag]);
      extra[tag] = [];
      await p.goto(url + "/may");
      await p.setInputFiles("#import-file", exportFile(user, ops));
      await p.getByText(`Đã nhập ${ops.length} thay đổi; 0 đã có sẵn trên máy`).waitFor();
      made[tag] += count;
    }
  }
  function editShared() {
    const nextPhone = `0912${String(100000 + edits.a).slice(-6)}`;
    extra.a.push({ type: "update_cooperative", data: { base: { ...shared0, chair_phone: phone }, record: { ...shared0, chair_phone: nextPhone } } });
    phone = nextPhone;
    edits.a++;
    const nextMembers = 200 + edits.b;
    extra.b.push({ type: "update_cooperative", data: { base: { ...shared0, members }, record: { ...shared0, members: nextMembers } } });
    members = nextMembers;
    edits.b++;
  }
  const returned = ["fault-a-1", "fault-a-2", "fault-a-3"];
  let conflictId = null;

  // The first batch while the server is down.
  await server.stop();
  await feed(FIRST);
  assert.equal((await tablet(a)).outbox, FIRST);
  log("imported");

  let kills = 0, killsMidPush = 0, restored = false;
  const backup = join(mkdtempSync(join(tmpdir(), "hoptac-fault-backup-")), "backup.db");
  const copyDb = (from, to) => {
    copyFileSync(from, to);
    for (const ext of ["-wal", "-shm"]) {
      rmSync(to + ext, { force: true });
      if (existsSync(from + ext)) copyFileSync(from + ext, to + ext);
    }
  };
  for (let round = 0; round < ROUNDS; round++) {
    if (!alive(server)) server = await startServer({ db, port });
    const quiet = round >= BACKUP_AT - 3 && round <= RESTORE_AT + 1; // nothing but reports
    if (!quiet && round % 4 === 0 && round > 0) editShared();
    // The supervisor returns three of tablet a's reports once they are on the server; the
    // officer's corrections follow a few rounds later.
    if (round === 6) {
      for (const id of returned) {
        const r = await api(direct, `/api/visits/${id}/decisions`, { token: sup, body: { action: "return", text: "Bổ sung số liệu doanh thu." } });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
    }
    if (round === 10) {
      for (const id of returned) {
        const r = (await api(direct, `/api/visits/${id}`, { token: sup })).body.report;
        extra.a.push({ type: "resubmit_visit", data: { ...r, note: `${r.note} Đã bổ sung doanh thu.`, revision: 2, status: "resubmitted" } });
      }
    }
    // A conflict: both officers change the main products of one cooperative from the same
    // base; the second to arrive is a conflict, which tablet b then resolves.
    if (round === 14) {
      extra.a.push({ type: "update_cooperative", data: { base: conflicted0, record: { ...conflicted0, main_products: "Lúa hữu cơ" } } });
      extra.b.push({ type: "update_cooperative", data: { base: conflicted0, record: { ...conflicted0, main_products: "Gạo đặc sản" } } });
    }
    if (round === 20) {
      const all = await coopsNow();
      const c = Object.values(all).find((x) => x.cooperative_id === CONFLICTED && x.field === "main_products");
      assert.ok(c, "the two edits made a conflict");
      conflictId = c.id;
      extra.b.push({ type: "resolve_conflict", data: { conflict_id: conflictId, choice: "mine" } });
    }
    const cutting = round % 2 === 1;
    const cutsBefore = px.cut.cuts;
    const heldBefore = px.cut.held;
    if (cutting) px.cut.bytes = 150 + Math.floor(Math.random() * 700);
    else px.cut.holdPush = true;
    await feed(EACH_ROUND);
    log("round", round);
    if (!cutting) {
      // Kill the server while a push it applied is still unanswered (its response held
      // back by the proxy); then bring it back.
      for (let t = 0; t < 40 && px.cut.held === heldBefore; t++) {
        await Promise.all([kick(a), kick(b)]);
        await sleep(50 + Math.floor(Math.random() * 100));
      }
      assert.ok(alive(server), `the server stopped by itself (${server.proc.exitCode} ${server.proc.signalCode}): ${server.output}`);
      const exited = new Promise((r) => server.proc.once("exit", r));
      server.proc.kill("SIGKILL");
      await exited;
      px.cut.holdPush = false;
      kills++;
      if (px.cut.held > heldBefore) killsMidPush++;
      if (round === BACKUP_AT) copyDb(db, backup);
      if (round === RESTORE_AT) {
        copyDb(backup, db);
        restored = true;
      }
    } else {
      // Cut pull responses part-way, until at least two were cut (or 20 s passed).
      for (let t = 0; t < 80 && px.cut.cuts < cutsBefore + 2; t++) {
        await Promise.all([kick(a), kick(b)]);
        await sleep(250);
      }
      px.cut.bytes = 0;
    }
  }
  const faults = kills + px.cut.cuts;
  log("faults", { kills, killsMidPush, cuts: px.cut.cuts, edits, restored });
  console.log(`# fault counts: ${kills} kills (${killsMidPush} with a push applied but unanswered), ${px.cut.cuts} cut pulls, ${faults} faults; ${made.a + made.b} reports, ${edits.a + edits.b} profile edits, ${returned.length} corrections, 1 conflict resolved, 1 restore`);
  if (ROUNDS >= 80) assert.ok(faults >= 100, `at least 100 faults (${faults})`);
  assert.ok(killsMidPush >= kills * 0.9, `nearly every kill came with a push applied but unanswered (${killsMidPush}/${kills})`);
  assert.ok(restored || ROUNDS <= RESTORE_AT);

  // The network settles: sync until both outboxes are empty and nothing more arrives.
  if (!alive(server)) server = await startServer({ db, port });
  for (const p of [a, b]) {
    await p.goto(url + "/");
    await p.getByText("Không có thay đổi chờ gửi").waitFor({ timeout: 120_000 });
  }
  for (let i = 0; i < 2; i++) {
    for (const p of [a, b]) {
      await kick(p);
      await p.getByRole("button", { name: "Đồng bộ ngay" }).and(p.locator(":enabled")).waitFor({ timeout: 60_000 });
      await sleep(300);
    }
  }
  log("settled");

  // The server holds each report exactly once, each submitted once in its audit trail.
  const onServer = async (who) => (await allVisits(direct, await tokenFor(direct, who))).body.map((v) => v.id).sort();
  const all = await onServer(SUPERVISOR);
  const expected = [...Array(made.a).keys()].map((i) => `fault-a-${i + 1}`).concat([...Array(made.b).keys()].map((i) => `fault-b-${i + 1}`)).sort();
  assert.deepEqual(all, expected, "every report once, none lost, none duplicated");
  const admin = await tokenFor(direct, { username: "quantri", password: "hoptac-quantri" });
  for (const id of all) {
    const trail = (await api(direct, `/api/audit/visit/${id}`, { token: admin })).body.map((e) => e.action);
    const want = returned.includes(id) ? ["submit", "return", "resubmit"] : ["submit"];
    assert.deepEqual(trail, want, `${id}: each step once`);
  }
  for (const id of returned) {
    const r = (await api(direct, `/api/visits/${id}`, { token: sup })).body.report;
    assert.deepEqual([r.status, r.revision], ["resubmitted", 2], id);
  }
  // The shared cooperative: every edit applied once, in order, none lost to the other's.
  const shared = (await coopsNow())[`cooperative:${SHARED}`];
  assert.equal(shared.chair_phone, phone);
  assert.equal(shared.members, members);
  assert.equal(shared.version, shared0.version + edits.a + edits.b, "one version per edit");
  const sharedTrail = (await api(direct, `/api/audit/cooperative/${SHARED}`, { token: admin })).body.map((e) => e.action);
  assert.equal(sharedTrail.filter((x) => x === "update").length, edits.a + edits.b, "one audit entry per edit");
  // The conflict: made once, resolved once.
  const conflictTrail = (await api(direct, `/api/audit/conflict/${conflictId}`, { token: admin })).body.map((e) => e.action);
  assert.deepEqual(conflictTrail, ["conflict", "resolve"]);

  // Every tablet holds exactly what the server shows its officer.
  for (const [p, who] of [[a, OFFICER], [b, GIANG]]) {
    const t = await tablet(p);
    assert.equal(t.outbox, 0);
    assert.deepEqual(t.visits, await onServer(who));
  }
  assert.ok(px.cut.cuts >= ROUNDS / 2, `the proxy really cut pull responses (${px.cut.cuts})`);
  assert.deepEqual(errors, [], "no uncaught errors in the pages");
  await Promise.all([ctxA.close(), ctxB.close()]);
  px.close();
  await server.stop();
});
