// The fault test's rounds (issues 4, 13 and 29), run against a deployment: one SQLite
// server (fault.test.mjs) or the national one, PostgreSQL with two instances behind nginx
// and photos in S3 (fault-national.test.mjs). Two tablets (two officers sharing Gia Viễn)
// start with 60 unsent reports each (imported from an "unsent work" file, as after a tablet
// swap) and get 4 more before every one of 80 short rounds, with profile edits of one
// shared cooperative every fourth round, a correction of reports a supervisor returned, a
// conflict and its resolution, and, where the deployment keeps photos, a new photo with
// every fourth report of one tablet and every eighth of the other. The tablets reach the deployment through a TCP proxy in this process.
// Even rounds cut the connection of a push the server applied before its answer reaches
// the tablet (the retry must not apply it twice) and then kill a server process (SIGKILL);
// odd rounds cut pull responses part-way, and photo uploads part-way. Once, the database is
// restored from a backup taken two rounds earlier (the tablets notice, pull from the start
// and re-send what it lost). A deployment may add its own faults (PostgreSQL restarted
// mid-push). Afterwards: every report once on the server and on each tablet; every record's
// audit trail holds each change once; the shared cooperative's version counts exactly the
// edits made; every photo on the server once, whole, and named by a report.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, connect } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signIn, api, tokenFor, OFFICER, SUPERVISOR, allVisits, noiseJpeg } from "./helpers.mjs";

const GIANG = { username: "canbo.giavien", password: "hoptac-giavien" };
const FIRST = 60; // unsent reports per tablet at the start
const EACH_ROUND = 4; // more per tablet before every round
export const ROUNDS = Number(process.env.HOPTAC_FAULT_ROUNDS || 80);
export const BACKUP_AT = 50; // a kill round: the database is copied
export const RESTORE_AT = 52; // a kill round: the copy goes back
const SHARED = "coop-010"; // in Gia Viễn: both officers edit it
const CONFLICTED = "coop-011";

export const log = (...m) => process.env.HOPTAC_E2E_VERBOSE && console.error("[fault]", ...m);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A loopback proxy that can cut pull responses after `cut.bytes` bytes, cut a push's
 * connection as its answer arrives (`cut.holdPush`: the server applied the push, the
 * tablet never hears), and cut one photo upload after `cut.uploadBytes` bytes sent. */
export function proxy(targetPort) {
  // pushesInFlight: pushes sent on and not yet answered (at this moment).
  const cut = { bytes: 0, cuts: 0, holdPush: false, held: 0, uploadBytes: 0, uploadCuts: 0, pushesInFlight: 0 };
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    let pulling = false;
    let pushing = false;
    let uploading = false;
    let sent = 0;
    let up = 0;
    let awaiting = false; // a push sent on, its answer not yet begun
    const answered = () => { if (awaiting) { awaiting = false; cut.pushesInFlight--; } };
    const kill = () => { answered(); client.destroy(); upstream.destroy(); };
    client.on("data", (d) => {
      // HTTP/1.1: requests on one connection are sequential; note what this one is.
      const head = d.subarray(0, 40).toString("latin1");
      if (/^(GET|POST|PUT) /.test(head)) {
        pulling = head.startsWith("POST /api/sync/pull");
        pushing = head.startsWith("POST /api/sync/push");
        uploading = head.startsWith("PUT /api/photos/");
        sent = 0;
        up = 0;
        if (pushing && !awaiting) { awaiting = true; cut.pushesInFlight++; }
      }
      if (uploading && cut.uploadBytes > 0) {
        up += d.length;
        if (up > cut.uploadBytes) {
          upstream.write(d.subarray(0, Math.max(0, d.length - (up - cut.uploadBytes))));
          cut.uploadBytes = 0;
          cut.uploadCuts++;
          return kill();
        }
      }
      upstream.write(d);
    });
    upstream.on("data", (d) => {
      answered();
      if (pushing && cut.holdPush) {
        cut.held++;
        return kill(); // applied, never answered
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
/** An "unsent work" file of `ops` ({type, data}) for `userId`, with `photos` (the bytes of
 * the photos those reports name). */
export function exportFile(userId, ops, photos = []) {
  const mutations = ops.map((op, i) => ({ id: i + 1, created_at: 1_700_000_000_000 + i, op }));
  const file = join(mkdtempSync(join(tmpdir(), "hoptac-fault-")), `${userId}-${fileNo++}.json`);
  writeFileSync(file, JSON.stringify({
    format: "hoptac-unsent-work/1", exported_at: 1, user_id: userId, mutations,
    photos: photos.map((p) => ({ hash: p.hash, width: p.width, height: p.height, data: p.bytes.toString("base64") })),
  }));
  return file;
}

export function report(userId, coops, tag, i, photo) {
  const r = {
    id: `fault-${tag}-${i}`, cooperative_id: coops[i % coops.length], author_id: userId,
    visit_date: "2021-06-11", note: `Báo cáo ${tag} số ${i}: doanh thu ổn định, cần hỗ trợ xúc tiến thương mại.`,
    status: "submitted", revision: 1, created_at: 1_700_000_000_000 + i,
  };
  if (photo) {
    r.findings = { photos: [{ hash: photo.hash, section: "products", caption: `Sản phẩm, báo cáo ${i}`, bytes: photo.bytes.length, width: photo.width, height: photo.height }] };
  }
  return r;
}

/** What the tablet holds: visit ids, and the outbox size, read from its IndexedDB. */
export async function tablet(page) {
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

export async function kick(page) {
  const b = page.getByRole("button", { name: "Đồng bộ ngay" });
  if (await b.isEnabled().catch(() => false)) await b.click().catch(() => {});
}

/**
 * Runs the rounds against `dep`, a deployment:
 * - `port`: where the proxy sends the tablets (the server, or nginx);
 * - `direct`: the URL the supervisor's calls and the checks use, past the proxy;
 * - `ensureUp()`: starts again what the test stopped, and throws if a process stopped by
 *   itself (a crash is never restarted unseen); `assertAlive()`: throws on such a stop;
 * - `kill(round)`: a kill round's SIGKILL; `backup()`, `restore()` (called on kill rounds,
 *   after the kill: `restore` may stop and start what it needs);
 * - `disturb(round, kickers)` (optional): more faults of its own during a round, returning
 *   how many; `photos`: whether reports carry photos (then `photoKeys()` lists what the
 *   store holds: { photos: [hash], staging: [key] });
 * - `stop()`.
 * Returns the counts of faults injected, by kind.
 */
export async function runFaultRounds(browser, dep) {
  const url = `http://127.0.0.1:${dep.proxyPort}`;
  const px = dep.proxy;
  const direct = dep.direct;
  const ctxA = await browser.newContext();
  const ctxB = await browser.newContext();
  const a = await ctxA.newPage();
  const b = await ctxB.newPage();
  const errors = [];
  for (const p of [a, b]) p.on("pageerror", (e) => errors.push(e.message));
  await signIn(a, url, OFFICER);
  await signIn(b, url, GIANG);
  // Photos as a camera's detail compresses (noise): about 100 KB to 1 MB, some sent
  // whole, some in pieces; a new one with every fourth report of tablet a and every eighth
  // of tablet b, so uploads go on in every round.
  let photoNo = 0;
  const photoFor = async (tag, i) => {
    if (!dep.photos || i % (tag === "a" ? 4 : 8) !== 0) return null;
    const [width, height] = [[320, 240], [800, 600], [480, 360]][photoNo++ % 3];
    const bytes = await noiseJpeg(a, width, height, 100 + photoNo);
    return { hash: createHash("sha256").update(bytes).digest("hex"), bytes, width, height };
  };
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
  const named = new Set(); // the photos reports name
  async function feed(count) {
    for (const tag of ["a", "b"]) {
      const [user, coops, p] = who[tag];
      const ops = [];
      const sending = new Map();
      for (let i = made[tag] + 1; i <= made[tag] + count; i++) {
        const photo = await photoFor(tag, i);
        if (photo) { sending.set(photo.hash, photo); named.add(photo.hash); }
        ops.push({ type: "submit_visit", data: report(user, coops, tag, i, photo) });
      }
      ops.push(...extra[tag]);
      extra[tag] = [];
      await p.goto(url + "/may");
      await p.setInputFiles("#import-file", exportFile(user, ops, [...sending.values()]));
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
  const kickers = () => Promise.all([kick(a), kick(b)]);

  // The first batch while the deployment is down.
  await dep.kill("all");
  await feed(FIRST);
  assert.equal((await tablet(a)).outbox, FIRST);
  log("imported");

  let kills = 0, killsMidPush = 0, restored = false, own = 0;
  for (let round = 0; round < ROUNDS; round++) {
    await dep.ensureUp();
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
    if (cutting) {
      px.cut.bytes = 150 + Math.floor(Math.random() * 700);
      if (dep.photos) px.cut.uploadBytes = 20_000 + Math.floor(Math.random() * 300_000);
    } else px.cut.holdPush = true;
    await feed(EACH_ROUND);
    log("round", round);
    if (dep.disturb) own += await dep.disturb(round, kickers);
    if (!cutting) {
      // A push the server applied is cut before its answer arrives; then a server
      // process is killed and the tablets go on with what is left.
      for (let t = 0; t < 40 && px.cut.held === heldBefore; t++) {
        await kickers();
        await sleep(50 + Math.floor(Math.random() * 100));
      }
      dep.assertAlive();
      await dep.kill(round);
      px.cut.holdPush = false;
      kills++;
      if (px.cut.held > heldBefore) killsMidPush++;
      if (round === BACKUP_AT) await dep.backup();
      if (round === RESTORE_AT) {
        await dep.restore();
        restored = true;
      }
    } else {
      // Cut pull responses part-way, until at least two were cut (or 20 s passed).
      for (let t = 0; t < 80 && px.cut.cuts < cutsBefore + 2; t++) {
        await kickers();
        await sleep(250);
      }
      px.cut.bytes = 0;
      // The cut of a photo upload stays armed until one happens (uploads follow pushes:
      // they may come in the next round).
    }
  }
  const counts = { kills, killsMidPush, cuts: px.cut.cuts, uploadCuts: px.cut.uploadCuts, own, restores: restored ? 1 : 0 };
  counts.faults = kills + px.cut.cuts + px.cut.uploadCuts + own + counts.restores;
  log("faults", counts, edits);
  console.log(`# fault counts (${dep.name}): ${kills} kills (${killsMidPush} with a push applied but unanswered), ${px.cut.cuts} cut pulls, ${px.cut.uploadCuts} cut photo uploads, ${own} ${dep.ownFaults || "other faults"}, ${counts.restores} restore: ${counts.faults} faults; ${made.a + made.b} reports, ${named.size} photos, ${edits.a + edits.b} profile edits, ${returned.length} corrections, 1 conflict resolved`);
  if (ROUNDS >= 80) assert.ok(counts.faults >= 100, `at least 100 faults (${counts.faults})`);
  assert.ok(killsMidPush >= kills * 0.9, `nearly every kill came with a push applied but unanswered (${killsMidPush}/${kills})`);
  assert.ok(restored || ROUNDS <= RESTORE_AT);

  // The network settles: sync until both outboxes are empty and nothing more arrives.
  await dep.ensureUp();
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
    const r = await api(direct, `/api/audit/visit/${id}`, { token: admin });
    assert.equal(r.status, 200, `${id}: ${JSON.stringify(r.body)}`);
    const trail = r.body.map((e) => e.action);
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
  if (ROUNDS > 20) {
    const conflictTrail = (await api(direct, `/api/audit/conflict/${conflictId}`, { token: admin })).body.map((e) => e.action);
    assert.deepEqual(conflictTrail, ["conflict", "resolve"]);
  }

  // Every tablet holds exactly what the server shows its officer.
  for (const [p, who] of [[a, OFFICER], [b, GIANG]]) {
    const t = await tablet(p);
    assert.equal(t.outbox, 0);
    assert.deepEqual(t.visits, await onServer(who));
  }

  // Photos: the tablets upload every one the reports name (kicked until the server holds
  // them all); each is then in the store once, whole, and no piece of an upload is left.
  if (dep.photos) {
    const officer = await tokenFor(direct, OFFICER);
    // The photos not yet complete on the server, with what it says of each.
    const waiting = async () => {
      const out = [];
      for (const h of named) {
        const st = await api(direct, `/api/photos/${h}/status`, { token: officer });
        if (!st.body?.complete) out.push(`${h.slice(0, 12)}: ${st.status} ${JSON.stringify(st.body)}`);
      }
      return out;
    };
    // Up to 3 minutes: a loaded CI machine re-sends the photos a restore lost slowly.
    for (let t = 0; t < 240 && (await waiting()).length; t++) {
      await kickers();
      await sleep(500);
    }
    const left = await waiting();
    assert.deepEqual(left, [], `every photo a report names reached the server (${left.length} of ${named.size} did not)`);
    for (const h of named) {
      const r = await fetch(`${direct}/api/photos/${h}`, { headers: { authorization: `Bearer ${officer}` } });
      assert.equal(r.status, 200, h);
      const got = createHash("sha256").update(Buffer.from(await r.arrayBuffer())).digest("hex");
      assert.equal(got, h, "the photo is whole");
    }
    const keys = await dep.photoKeys();
    assert.deepEqual(keys.photos.sort(), [...named].sort(), "each photo in the store once, and every one named by a report");
    assert.deepEqual(keys.staging, [], "no piece of an upload left behind");
  }
  assert.ok(px.cut.cuts >= ROUNDS / 2, `the proxy really cut pull responses (${px.cut.cuts})`);
  assert.deepEqual(errors, [], "no uncaught errors in the pages");
  await Promise.all([ctxA.close(), ctxB.close()]);
  return counts;
}
