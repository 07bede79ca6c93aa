// Issue 4's fault test, bounded and on loopback only. Two tablets (two officers sharing
// Gia Viễn) each hold 150 unsent reports (imported from an "unsent work" file, as after a
// tablet swap), and 30 more before every round. The tablets reach the server through a
// TCP proxy in this process. Round after round, either the server is killed (SIGKILL) and
// restarted on the same database in the middle of a push (the proxy holds back the push's
// answer, so the server has applied it and the tablet never hears: the retry must not
// apply it twice), or the proxy cuts pull responses part-way. Afterwards the server and
// every tablet hold exactly the same records: none lost, none duplicated.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, connect } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, freePort, launch, signIn, api, tokenFor, OFFICER } from "./helpers.mjs";

const GIANG = { username: "canbo.giavien", password: "hoptac-giavien" };
const FIRST = 150; // unsent reports per tablet at the start
const EACH_ROUND = 30; // more per tablet before every round
const ROUNDS = 8;

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

function exportFile(userId, coops, tag, from, count) {
  const mutations = [];
  for (let i = from; i < from + count; i++) {
    mutations.push({
      id: i - from + 1, created_at: 1_700_000_000_000 + i,
      op: { type: "submit_visit", data: {
        id: `fault-${tag}-${i}`, cooperative_id: coops[i % coops.length], author_id: userId,
        visit_date: "2021-06-11", note: `Báo cáo ${tag} số ${i}: doanh thu ổn định, cần hỗ trợ xúc tiến thương mại.`,
        status: "submitted", revision: 1, created_at: 1_700_000_000_000 + i,
      } },
    });
  }
  const file = join(mkdtempSync(join(tmpdir(), "hoptac-fault-")), `${tag}-${from}.json`);
  writeFileSync(file, JSON.stringify({ format: "hoptac-unsent-work/1", exported_at: 1, user_id: userId, mutations }));
  return file;
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

test("killed servers and cut pulls lose nothing and duplicate nothing", { timeout: 300_000 }, async () => {
  let server = await startServer();
  const { db, port } = server;
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

  log("signed in");
  // Each tablet imports unsent reports (as after a tablet swap); `made` counts them.
  const made = { a: 0, b: 0 };
  const who = { a: ["u-officer-hoalu", ["coop-001", "coop-002", "coop-009", "coop-010"], a], b: ["u-officer-giavien", ["coop-011", "coop-012", "coop-013"], b] };
  async function feed(count) {
    for (const tag of ["a", "b"]) {
      const [user, coops, p] = who[tag];
      const file = exportFile(user, coops, tag, made[tag] + 1, count);
      await p.goto(url + "/may");
      await p.setInputFiles("#import-file", file);
      await p.getByText(`Đã nhập ${count} thay đổi; 0 đã có sẵn trên máy`).waitFor();
      made[tag] += count;
    }
  }
  // The first batch while the server is down.
  await server.stop();
  await feed(FIRST);
  assert.equal((await tablet(a)).outbox, FIRST);
  log("imported");

  // Rounds of faults.
  let kills = 0;
  let killsMidPush = 0;
  for (let round = 0; round < ROUNDS; round++) {
    if (!alive(server)) server = await startServer({ db, port });
    log("server up");
    // In a cut round, the cutting starts before the new reports arrive (their pulls follow
    // at once).
    const cutting = round % 2 === 1;
    const cutsBefore = px.cut.cuts;
    const heldBefore = px.cut.held;
    if (cutting) px.cut.bytes = 150 + Math.floor(Math.random() * 700);
    else px.cut.holdPush = true;
    await feed(EACH_ROUND);
    log("round", round);
    if (!cutting) {
      // Kill the server while a push it applied is still unanswered (its response held
      // back by the proxy), or after a random moment; then bring it back.
      for (let t = 0; t < 20 && px.cut.held === heldBefore; t++) {
        await Promise.all([kick(a), kick(b)]);
        await sleep(100 + Math.floor(Math.random() * 200));
      }
      if (alive(server)) {
        const exited = new Promise((r) => server.proc.once("exit", r));
        server.proc.kill("SIGKILL");
        await exited;
      } else {
        assert.fail(`the server stopped by itself (${server.proc.exitCode} ${server.proc.signalCode}): ${server.output}`);
      }
      px.cut.holdPush = false;
      kills++;
      if (px.cut.held > heldBefore) killsMidPush++;
      log("killed; push answers lost:", px.cut.held - heldBefore);
    } else {
      // Cut pull responses part-way, until at least two were cut (or 20 s passed).
      for (let t = 0; t < 40 && px.cut.cuts < cutsBefore + 2; t++) {
        await Promise.all([kick(a), kick(b)]);
        await sleep(500);
      }
      px.cut.bytes = 0;
      log("cuts so far", px.cut.cuts);
    }
  }
  assert.equal(kills, ROUNDS / 2);
  assert.equal(killsMidPush, ROUNDS / 2, "every kill came with a push applied but not yet answered");

  log("faults done", px.cut.cuts, "cuts");
  // The network settles: sync until both outboxes are empty and nothing more arrives.
  if (!alive(server)) server = await startServer({ db, port });
  for (const p of [a, b]) {
    await p.goto(url + "/");
    await p.getByText("Không có thay đổi chờ gửi").waitFor({ timeout: 60_000 });
  }
  for (const p of [a, b]) {
    await kick(p);
    await p.getByRole("button", { name: "Đồng bộ ngay" }).waitFor();
    await sleep(300);
  }

  log("settled");
  // The server holds each report exactly once.
  const onServer = async (who) => (await api(url, "/api/visits", { token: await tokenFor(url, who) })).body.map((v) => v.id).sort();
  const all = await onServer({ username: "giamsat", password: "hoptac-giamsat" });
  const expected = [...Array(made.a).keys()].map((i) => `fault-a-${i + 1}`).concat([...Array(made.b).keys()].map((i) => `fault-b-${i + 1}`)).sort();
  assert.deepEqual(all, expected, "every report once, none lost, none duplicated");

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
