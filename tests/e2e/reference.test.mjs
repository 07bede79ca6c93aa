// Issue 15, part 5, end to end in Chromium: the administrator adds a programme to the
// reference list on "Danh mục báo cáo"; the officer's tablet receives it at its next sync
// and offers it in the visit form, offline; the report keeps it; once the item is retired
// a new report no longer offers it, and the six-monthly review still counts the report.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, signIn, api, tokenFor, OFFICER, SUPERVISOR, allVisits } from "./helpers.mjs";

const browser = await launch();
after(() => browser.close());

const ADMIN = { username: "quantri", password: "hoptac-quantri" };

test("a programme an administrator adds reaches the tablet's form offline and stays on the report after it is retired", async () => {
  const server = await startServer();
  const { url } = server;
  const errors = [];

  // The administrator adds the programme.
  const admin = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const ap = await admin.newPage();
  ap.on("pageerror", (e) => errors.push(e.message));
  await signIn(ap, url, ADMIN);
  await ap.getByRole("link", { name: "Quản trị", exact: true }).click();
  await ap.getByRole("link", { name: "Danh mục báo cáo" }).click();
  const programmes = ap.getByRole("region", { name: "Chương trình" });
  await programmes.getByRole("cell", { name: "Nghị quyết 113 của HĐND tỉnh" }).waitFor();
  await programmes.getByLabel("Mục mới (tiếng Việt)").fill("Đề án phát triển HTX nông nghiệp 2021–2025");
  await programmes.getByLabel("Tên tiếng Anh (không bắt buộc)").fill("Agricultural cooperatives scheme 2021–2025");
  await programmes.getByRole("button", { name: /Thêm mục/ }).click();
  await ap.getByText(/Đã thêm "Đề án phát triển HTX nông nghiệp 2021–2025"/).waitFor();
  await programmes.getByRole("cell", { name: "Đề án phát triển HTX nông nghiệp 2021–2025" }).waitFor();
  // The same name again is refused, in Vietnamese.
  await programmes.getByLabel("Mục mới (tiếng Việt)").fill("đề án phát triển HTX nông nghiệp 2021–2025");
  await programmes.getByRole("button", { name: /Thêm mục/ }).click();
  await ap.getByText(/Danh mục đã có mục/).waitFor();

  // The officer's tablet syncs, then works offline.
  const tablet = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await tablet.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  await signIn(page, url, OFFICER);
  await page.getByRole("link", { name: /HTX Dịch vụ nông nghiệp Ninh Giang/ }).waitFor();
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await tablet.setOffline(true);
  await page.getByRole("link", { name: /HTX Dịch vụ nông nghiệp Ninh Giang/ }).click();
  await page.getByRole("link", { name: "Viết phiếu khảo sát" }).click();
  await page.getByLabel("Ngày khảo sát").fill("2021-05-20");
  await page.getByLabel("Nội dung làm việc").fill("Mô hình theo đề án mới");
  await page.getByLabel("HTX sản xuất gắn với chuỗi giá trị").check();
  await page.getByLabel("Sản xuất", { exact: true }).check();
  const select = page.getByLabel("Mô hình thuộc chương trình");
  await select.selectOption({ label: "Đề án phát triển HTX nông nghiệp 2021–2025" });
  await page.getByRole("button", { name: "Gửi phiếu" }).click();
  await page.getByText("Đã lưu phiếu trên máy").waitFor();
  await tablet.setOffline(false);
  const visits = page.getByRole("list", { name: "Các lần khảo sát" });
  await visits.getByText("Đã gửi").waitFor({ timeout: 20_000 });

  const sup = await tokenFor(url, SUPERVISOR);
  const all = await allVisits(url, sup);
  const r = all.body.find((v) => v.note === "Mô hình theo đề án mới");
  assert.ok(r, "the report is on the server");
  assert.equal(r.findings.value_chain.programme, "de_an_phat_trien_htx_nong_nghiep_2021_2025");
  const approved = await api(url, `/api/visits/${r.id}/decisions`, { token: sup, body: { action: "approve", text: "" } });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));

  // Retired: the administrator's page says so; the tablet's next form no longer offers it.
  const row = programmes.getByRole("row", { name: /Đề án phát triển HTX nông nghiệp/ });
  await row.getByRole("button", { name: "Ngừng dùng" }).click();
  await row.getByRole("cell", { name: "Ngừng dùng", exact: true }).waitFor();
  await page.getByRole("button", { name: "Đồng bộ ngay" }).click();
  await page.goto(`${url}/htx/coop-002/khao-sat`);
  await page.getByLabel("HTX sản xuất gắn với chuỗi giá trị").check();
  await page.getByLabel("Mô hình thuộc chương trình").waitFor();
  await page.waitForFunction(() => {
    const s = document.getElementById("programme");
    return s && [...s.options].every((o) => !o.text.includes("Đề án phát triển")) && s.options.length === 4;
  }, null, { timeout: 20_000 });

  // The review still counts the report under the item's name.
  const review = await api(url, "/api/review?period=2021-H1", { token: sup });
  const chains = review.body.review.value_chains.map((t) => [t.key, t.label.vi, t.count]);
  assert.deepEqual(chains, [["de_an_phat_trien_htx_nong_nghiep_2021_2025", "Đề án phát triển HTX nông nghiệp 2021–2025", 1]]);
  assert.deepEqual(errors, []);
  await server.stop();
});
