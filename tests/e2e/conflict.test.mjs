// Issue 4's merge, end to end: two officers who share Gia Viễn edit the same cooperative's
// profile offline in two browser contexts. Different fields: both changes stay. The same
// field to two values: one conflict, seen by the supervisor, who keeps one value; the
// officers' tablets show the choice after their next sync.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, signIn, api, tokenFor, OFFICER, SUPERVISOR } from "./helpers.mjs";

const GIANG = { username: "canbo.giavien", password: "hoptac-giavien" };
const COOP = "HTX Dịch vụ nông nghiệp Gia Hòa";

const browser = await launch();
after(() => browser.close());

/** The cooperative as the server holds it (a fresh pull as the supervisor). */
async function onServer(url, token) {
  let cursor = 0, coop = null, conflicts = [];
  for (;;) {
    const r = await api(url, "/api/sync/pull", { token, body: { client_id: "e2e-check", cursor, limit: 2000 } });
    for (const row of r.body.changes) {
      if (row.change.type === "cooperative" && row.change.data.name === COOP) coop = row.change.data;
      if (row.change.type === "conflict") conflicts.push(row.change.data);
    }
    cursor = r.body.cursor;
    if (!r.body.has_more) return { coop, conflicts };
  }
}

async function editProfile(page, label, value) {
  await page.getByRole("link", { name: new RegExp(COOP) }).first().click();
  await page.getByRole("link", { name: "Sửa hồ sơ" }).click();
  await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole("button", { name: "Lưu thay đổi" }).click();
  await page.getByRole("heading", { name: COOP }).waitFor();
  await page.getByText("1 thay đổi chờ đồng bộ").waitFor();
  await page.goto(new URL(page.url()).origin + "/");
}

async function syncNow(page) {
  await page.getByRole("button", { name: "Đồng bộ ngay" }).click();
  await page.getByText("Không có thay đổi chờ gửi").waitFor({ timeout: 20_000 });
}

test("two officers edit one profile offline: different fields merge, the same field is one conflict", async () => {
  const server = await startServer();
  const { url } = server;
  const ctxA = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const ctxB = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const hoa = await ctxA.newPage();
  const giang = await ctxB.newPage();
  const errors = [];
  for (const p of [hoa, giang]) p.on("pageerror", (e) => errors.push(e.message));
  await signIn(hoa, url, OFFICER);
  await signIn(giang, url, GIANG);
  const supToken = await tokenFor(url, SUPERVISOR);
  const before = (await onServer(url, supToken)).coop;

  // Offline, each changes a different field.
  await ctxA.setOffline(true);
  await ctxB.setOffline(true);
  await editProfile(hoa, "Số thành viên", "560");
  await editProfile(giang, "Điện thoại", "0987654321");
  await ctxA.setOffline(false);
  await syncNow(hoa);
  await ctxB.setOffline(false);
  await syncNow(giang);
  let s = await onServer(url, supToken);
  assert.equal(s.coop.members, 560, "officer A's change stays");
  assert.equal(s.coop.chair_phone, "0987654321", "officer B's change stays");
  assert.equal(s.coop.name, before.name);
  assert.equal(s.conflicts.length, 0);

  // Both tablets get the merged profile.
  await syncNow(hoa);
  await hoa.getByRole("link", { name: new RegExp(COOP) }).first().click();
  await hoa.getByText("0987654321").waitFor();
  await hoa.goto(url + "/");

  // Offline again, both change the number of workers to different values.
  await ctxA.setOffline(true);
  await ctxB.setOffline(true);
  await editProfile(hoa, "Số lao động", "25");
  await editProfile(giang, "Số lao động", "30");
  await ctxA.setOffline(false);
  await syncNow(hoa);
  await ctxB.setOffline(false);
  await syncNow(giang);
  s = await onServer(url, supToken);
  assert.equal(s.coop.workers, 25, "the value that arrived first is kept: nothing overwritten silently");
  assert.equal(s.conflicts.length, 1, "one conflict");
  assert.deepEqual([s.conflicts[0].theirs.workers, s.conflicts[0].mine.workers], [25, 30], "with both values");

  // Officer B sees it on the home screen after the sync.
  await giang.getByRole("heading", { name: /Xung đột cần chọn \(1\)/ }).waitFor();

  // The supervisor sees the one conflict and keeps B's value.
  const ctxS = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const sup = await ctxS.newPage();
  sup.on("pageerror", (e) => errors.push(e.message));
  await signIn(sup, url, SUPERVISOR);
  await sup.getByRole("heading", { name: "Xung đột cần chọn (1)" }).waitFor();
  await sup.getByRole("link", { name: `${COOP}: Số lao động` }).click();
  const card = sup.getByRole("group", { name: "Xung đột: Số lao động" });
  await card.getByText("Trần Văn Giang").waitFor();
  await card.getByRole("button", { name: "Giữ giá trị mới gửi: 30" }).click();
  await card.getByText("Đã chọn: 30 — Lê Thị Tâm").waitFor();
  await syncNow(sup);
  s = await onServer(url, supToken);
  assert.equal(s.coop.workers, 30);
  assert.equal(s.coop.members, 560);
  assert.ok(s.conflicts[0].resolution, "resolved on the server");

  // Officer A's tablet shows the choice after its next sync; nothing is left to choose.
  await syncNow(hoa);
  await hoa.getByRole("link", { name: new RegExp(COOP) }).first().click();
  await hoa.getByText("Đã chọn: 30 — Lê Thị Tâm").waitFor();
  assert.equal(await hoa.getByRole("button", { name: /Giữ giá trị/ }).count(), 0);
  await hoa.goto(url + "/");
  assert.equal(await hoa.getByRole("heading", { name: /Xung đột cần chọn/ }).count(), 0);

  assert.deepEqual(errors, [], "no uncaught errors in the pages");
  await Promise.all([ctxA.close(), ctxB.close(), ctxS.close()]);
  await server.stop();
});
