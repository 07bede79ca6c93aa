// Issue 18, the supervisor's review queue served by the server: 60 reports arrive; the
// queue shows the newest 50 and says more follow, "Xem thêm phiếu" fetches the rest, and a
// filter asks the server again (its answer replaces the list, never mixed with the last);
// the supervisor's browser holds none of the reports.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, signIn, api, allVisits, tokenFor, OFFICER, SUPERVISOR } from "./helpers.mjs";

const browser = await launch();
after(() => browser.close());

test("the review queue pages on the server: 50 first, then the rest on request", async () => {
  const server = await startServer();
  const { url } = server;
  const errors = [];
  const officer = await tokenFor(url, OFFICER);
  const mutations = [...Array(60).keys()].map((i) => ({
    id: i + 1, created_at: Date.now(),
    op: { type: "submit_visit", data: {
      id: `v-queue-${String(i + 1).padStart(2, "0")}`, cooperative_id: i % 2 ? "coop-001" : "coop-010", author_id: "x",
      visit_date: "2021-06-11", note: `Phiếu hàng đợi ${i + 1}`, status: "submitted", created_at: 1,
    } },
  }));
  const pushed = await api(url, "/api/sync/push", { token: officer, body: { client_id: "e2e-queue", mutations } });
  assert.deepEqual(pushed.body.rejected, [], JSON.stringify(pushed.body));

  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  page.setDefaultTimeout(20_000);
  await signIn(page, url, SUPERVISOR);
  await page.goto(`${url}/bao-cao`);
  const table = page.getByRole("table", { name: "Phiếu khảo sát" });
  const rows = () => table.getByRole("row").filter({ hasText: "Phiếu hàng đợi" }).count();
  await page.getByText("Đang hiện 50 phiếu đầu; còn nữa.").waitFor();
  assert.equal(await rows(), 50, "one page");
  await page.getByRole("button", { name: "Xem thêm phiếu" }).click();
  await page.getByText("Tất cả 60 phiếu.").waitFor();
  assert.equal(await rows(), 60, "the rest, appended");
  assert.equal(await page.getByRole("button", { name: "Xem thêm phiếu" }).count(), 0, "nothing more to fetch");
  // Each report once, whatever the page boundary.
  const notes = await table.getByRole("row").filter({ hasText: "Phiếu hàng đợi" }).allInnerTexts();
  assert.equal(new Set(notes.map((t) => t.match(/Phiếu hàng đợi \d+/)[0])).size, 60);
  // The browser holds no reports of its own: the queue is the server's, a page at a time
  // (the supervisor's sync brings cooperatives, areas and conflicts, not reports).
  await page.getByRole("button", { name: "Đồng bộ ngay" }).click();
  await page.getByText("Không có thay đổi chờ gửi").waitFor({ timeout: 20_000 });
  const held = await page.evaluate(() => new Promise((ok, fail) => {
    const req = indexedDB.open("hoptac");
    req.onerror = () => fail(req.error);
    req.onsuccess = () => {
      const db = req.result;
      const tx = db.transaction(["visits", "cooperatives"]);
      const out = {};
      tx.objectStore("visits").count().onsuccess = (e) => (out.visits = e.target.result);
      tx.objectStore("cooperatives").count().onsuccess = (e) => (out.cooperatives = e.target.result);
      tx.oncomplete = () => { db.close(); ok(out); };
    };
  }));
  assert.deepEqual(held, { visits: 0, cooperatives: 50 });
  // A filter: Gia Viễn's 30 reports (coop-010), asked of the server, in place of the list.
  await page.getByLabel("Địa bàn", { exact: true }).selectOption({ label: "Huyện Gia Viễn" });
  await page.getByText("Tất cả 30 phiếu.").waitFor();
  assert.equal(await rows(), 30);
  assert.deepEqual(errors, []);
  await server.stop();
});

test("a cooperative's page pages its visits on the server too: never a silent cut", async () => {
  const server = await startServer();
  const { url } = server;
  const errors = [];
  const officer = await tokenFor(url, OFFICER);
  const mutations = [...Array(55).keys()].map((i) => ({
    id: i + 1, created_at: Date.now(),
    op: { type: "submit_visit", data: {
      id: `v-coop-page-${String(i + 1).padStart(2, "0")}`, cooperative_id: "coop-001", author_id: "x",
      // Received in order, visited in another: 2021-06-01 … 06-28 and 2021-03-01 … 03-27.
      visit_date: new Date(Date.UTC(2021, i % 2 ? 2 : 5, 1 + Math.floor(i / 2))).toISOString().slice(0, 10),
      note: `Lần thăm ${i + 1}`, status: "submitted", created_at: 1,
    } },
  }));
  const pushed = await api(url, "/api/sync/push", { token: officer, body: { client_id: "e2e-coop-page", mutations } });
  assert.deepEqual(pushed.body.rejected, [], JSON.stringify(pushed.body));
  // What the server holds of coop-001: the 55 and the demo's own.
  const sup = await tokenFor(url, SUPERVISOR);
  const held = await allVisits(url, sup);
  assert.equal(held.status, 200);
  const total = held.body.filter((r) => r.cooperative_id === "coop-001").length;
  assert.ok(total >= 55, `${total}`);

  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  page.setDefaultTimeout(20_000);
  await signIn(page, url, SUPERVISOR);
  await page.goto(`${url}/htx/coop-001`);
  const items = page.getByRole("list", { name: "Các lần khảo sát" }).getByRole("listitem");
  await page.getByText("Đang hiện 50 lần khảo sát đầu; còn nữa.").waitFor();
  assert.equal(await items.count(), 50);
  // By keyboard: the button keeps focus while the page loads (not disabled, which drops
  // focus to the page's start), and when it goes the status line that says what is shown
  // takes focus.
  await page.getByRole("button", { name: "Xem thêm lần khảo sát" }).focus();
  await page.keyboard.press("Enter");
  await page.getByText(`Tất cả ${total} lần khảo sát.`).waitFor();
  assert.equal(await items.count(), total);
  // Newest visit first, across the pages (dd/mm/yyyy as shown).
  const shown = (await items.getByRole("link").allInnerTexts()).map((d) => d.split("/").reverse().join("-"));
  assert.deepEqual(shown, [...shown].sort().reverse(), shown.join(" "));
  assert.ok(shown.indexOf("2021-06-28") < shown.indexOf("2021-03-27"), shown.join(" "));
  assert.equal(await page.getByRole("button", { name: "Xem thêm lần khảo sát" }).count(), 0);
  await page.waitForFunction(() => document.activeElement?.getAttribute("role") === "status");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), `Tất cả ${total} lần khảo sát.`);
  assert.deepEqual(errors, []);
  await server.stop();
});
