// Issue 16, end to end in Chromium: an officer's tablet is offline while the 1 July 2025
// reorganisation is applied (Hoa Lư's six communes become Phường Hoa Lư, the district is
// dissolved). It holds a report written against an old commune; back online, the report
// lands in the new ward, the tablet's registry shows the new ward instead of the old
// communes, and the supervisor's review of 2025-H2 shows it with last year's figure
// mapped (2024-H2 of the communes the ward was made of).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, signIn, api, tokenFor, OFFICER, SUPERVISOR, allVisits } from "./helpers.mjs";

const browser = await launch();
after(() => browser.close());

const ADMIN = { username: "quantri", password: "hoptac-quantri" };
const HOA_LU = ["NB-HL-NINHHAI", "NB-HL-NINHGIANG", "NB-HL-TRUONGYEN", "NB-HL-NINHXUAN", "NB-HL-NINHVAN", "NB-HL-NINHMY"];
const HOA_LU_NAMES = ["Xã Ninh Hải", "Xã Ninh Giang", "Xã Trường Yên", "Xã Ninh Xuân", "Xã Ninh Vân", "Xã Ninh Mỹ"];
const REFORM = {
  effective_on: "2025-07-01",
  decision: "Nghị quyết 1674/NQ-UBTVQH15",
  new_areas: [{ id: "NB-HOALU", name: "Phường Hoa Lư", level: "commune", parent_id: "NB" }],
  merges: [{ from: HOA_LU, into: "NB-HOALU" }],
  dissolved: ["NB-HL"],
};

/** A report of last year, sent and approved through the API. */
function lastYear(id, coop, date, revenue) {
  return {
    id: 1, created_at: 1,
    op: { type: "submit_visit", data: {
      id, cooperative_id: coop, author_id: "x", visit_date: date, note: "Khảo sát năm trước", status: "submitted", created_at: 1,
      findings: { finances: { revenue_vnd: revenue, revenue_last_year_vnd: revenue - 10_000_000 } },
    } },
  };
}

test("a report written offline against an old commune lands in the new ward, and the review compares with last year in today's areas", async () => {
  const server = await startServer();
  const { url } = server;
  const errors = [];
  const officerToken = await tokenFor(url, OFFICER);
  const sup = await tokenFor(url, SUPERVISOR);
  // Last year: two Hoa Lư communes reported (and were approved).
  for (const [i, [id, coop, revenue]] of [["ly-a", "coop-001", 400_000_000], ["ly-b", "coop-002", 250_000_000]].entries()) {
    const m = lastYear(id, coop, "2024-09-1" + i, revenue);
    m.id = i + 1;
    const pushed = await api(url, "/api/sync/push", { token: officerToken, body: { client_id: "api-last-year", mutations: [m] } });
    assert.deepEqual(pushed.body.rejected, [], JSON.stringify(pushed.body));
    const ok = await api(url, `/api/visits/${id}/decisions`, { token: sup, body: { action: "approve", text: "" } });
    assert.equal(ok.status, 200);
  }

  // The officer's tablet, synced, then offline.
  const tablet = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await tablet.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  await signIn(page, url, OFFICER);
  await page.getByRole("link", { name: /HTX Dịch vụ nông nghiệp Ninh Giang/ }).waitFor();
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await tablet.setOffline(true);
  await page.getByRole("link", { name: /HTX Dịch vụ nông nghiệp Ninh Giang/ }).click();
  await page.getByRole("link", { name: "Viết phiếu khảo sát" }).click();
  await page.getByLabel("Ngày khảo sát").fill("2025-08-15");
  await page.getByLabel("Nội dung làm việc").fill("Viết khi chưa biết xã đã sáp nhập");
  await page.getByLabel("Doanh thu (đồng)", { exact: true }).fill("300000000");
  await page.getByLabel("Doanh thu cùng kỳ năm trước (đồng)").fill("280000000");
  await page.getByRole("button", { name: "Gửi phiếu" }).click();
  await page.getByText("Đã lưu phiếu trên máy").waitFor();

  // Meanwhile the administrator applies the reorganisation in the app: the file, the
  // preview (nothing changed yet), then Apply.
  const adminPage = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  adminPage.on("pageerror", (e) => errors.push(e.message));
  await signIn(adminPage, url, ADMIN);
  await adminPage.goto(`${url}/quan-tri/dia-ban`);
  // First the official list of units: a dry run, then the import.
  const list = "Mã,Tên,Cấp,Mã cấp trên\r\n14398,Xã Thử Nghiệm,Xã,NB\r\n1,Xã Sai,Xã,999\r\n";
  await adminPage.getByLabel("Tệp danh mục (XLSX, CSV)").setInputFiles({ name: "dvhc.csv", mimeType: "text/csv", buffer: Buffer.from(list) });
  await adminPage.getByText("Đơn vị mới: 1").waitFor();
  await adminPage.getByRole("list", { name: "Dòng bị từ chối" }).getByText(/Dòng 3: Không có đơn vị cấp trên mã "999"/).waitFor();
  await adminPage.getByRole("button", { name: "Nhập danh mục" }).click();
  await adminPage.getByText("Đã nhập: 1 đơn vị mới, 0 đổi tên.").waitFor();
  await adminPage.getByLabel("Tệp sắp xếp (JSON)").setInputFiles({ name: "sap-xep-2025.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(REFORM)) });
  await adminPage.getByRole("heading", { name: "Xem trước (chưa thay đổi gì)" }).waitFor();
  await adminPage.getByText("HTX, THT chuyển địa bàn: 8").waitFor();
  const accounts = adminPage.getByRole("table", { name: "Tài khoản đổi địa bàn" });
  await accounts.getByRole("row", { name: /canbo\.hoalu.*Huyện Gia Viễn, Huyện Hoa Lư.*Huyện Gia Viễn, Phường Hoa Lư/ }).waitFor();
  const areasBefore = await api(url, "/api/areas", { token: await tokenFor(url, ADMIN) });
  assert.ok(!areasBefore.body.some((a) => a.id === "NB-HOALU"), "the preview changed nothing");
  await adminPage.getByRole("button", { name: "Áp dụng sắp xếp" }).click();
  await adminPage.getByText(/Đã áp dụng: 8 HTX/).waitFor();

  // Back online: the report is sent and lands in the new ward.
  await tablet.setOffline(false);
  const mine = page.getByRole("list", { name: "Các lần khảo sát" }).getByRole("listitem").filter({ hasText: "Viết khi chưa biết xã đã sáp nhập" });
  await mine.getByText("Đã gửi").waitFor({ timeout: 20_000 });
  const all = await allVisits(url, sup);
  const sent = all.body.find((v) => v.note === "Viết khi chưa biết xã đã sáp nhập");
  assert.ok(sent, "the report is on the server");
  assert.equal(sent.area_path, "NB/NB-HOALU/");
  const ok = await api(url, `/api/visits/${sent.id}/decisions`, { token: sup, body: { action: "approve", text: "" } });
  assert.equal(ok.status, 200);

  // The tablet's registry: the new ward, not the old communes.
  await page.goto(`${url}/`);
  await page.getByRole("link", { name: /HTX Dịch vụ nông nghiệp Ninh Giang/ }).waitFor();
  const row = page.getByRole("link", { name: /HTX Dịch vụ nông nghiệp Ninh Giang/ });
  await row.getByText("Phường Hoa Lư").waitFor({ timeout: 20_000 });
  // The filter's communes are those of the listed cooperatives: the list shown at start is
  // the tablet's cached one, brought up to date as the start's sync applies the reform.
  const filter = page.locator("#f-commune");
  await filter.locator("option", { hasText: "Phường Hoa Lư" }).waitFor({ state: "attached", timeout: 20_000 });
  for (const old of HOA_LU_NAMES) {
    await filter.locator("option", { hasText: old }).waitFor({ state: "detached", timeout: 20_000 }).catch(() => {});
  }
  // Read until the redraw settles (under load the filter is briefly empty while the list
  // is rebuilt), at most 20 s.
  let communes = await filter.locator("option").allInnerTexts();
  for (let t = 0; t < 100 && (!communes.includes("Phường Hoa Lư") || communes.some((c) => HOA_LU_NAMES.includes(c))); t++) {
    await new Promise((r) => setTimeout(r, 200));
    communes = await filter.locator("option").allInnerTexts();
  }
  assert.ok(communes.includes("Phường Hoa Lư"), communes.join(", "));
  assert.ok(!communes.some((c) => HOA_LU_NAMES.includes(c)), `the old communes are gone: ${communes.join(", ")}`);
  // The list redraws as the start's sync applies the reform: the old commune's name goes
  // from every row within 20 s (read until then, not once).
  const shown = () => page.locator("main").innerText();
  for (let t = 0; t < 100 && (await shown()).includes("Xã Ninh Giang"); t++) await new Promise((r) => setTimeout(r, 200));
  assert.ok(!(await shown()).includes("Xã Ninh Giang"), await shown());

  // The supervisor's review of 2025-H2 for the ward: this period and last year's, mapped.
  const supPage = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  supPage.on("pageerror", (e) => errors.push(e.message));
  await signIn(supPage, url, SUPERVISOR);
  await supPage.getByRole("link", { name: "Sơ kết 6 tháng" }).click();
  await supPage.getByLabel("Kỳ báo cáo", { exact: true }).selectOption({ label: "6 tháng cuối năm 2025" });
  await supPage.getByLabel("Địa bàn", { exact: true }).selectOption({ label: "Phường Hoa Lư" });
  const section = supPage.getByRole("table", { name: /Cùng kỳ năm trước \(2024-H2\), theo địa bàn hiện nay/ });
  const revenue = section.getByRole("row").filter({ has: supPage.getByRole("rowheader", { name: "Tổng doanh thu (2024-H2)" }) });
  await revenue.getByRole("button", { name: /^Tổng doanh thu \(2024-H2\): 650\.000\.000 ₫/ }).waitFor({ timeout: 20_000 });
  assert.match(await revenue.innerText(), /kỳ này 300\.000\.000 ₫/);
  assert.deepEqual(errors, []);
  await server.stop();
});

test("an administrator renames, adds and merges single areas from today's list", async () => {
  const server = await startServer();
  const { url } = server;
  const errors = [];
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  page.setDefaultTimeout(20_000);
  await signIn(page, url, ADMIN);
  await page.goto(`${url}/quan-tri/dia-ban`);
  const today = page.getByRole("table", { name: "Địa bàn hiện nay" });

  // Rename (a correction) with the national code.
  await today.getByRole("button", { name: "Đổi tên Xã Ninh Hải" }).click();
  const rename = page.getByRole("form", { name: "Đổi tên địa bàn" });
  await rename.getByLabel("Tên mới").fill("Xã Ninh Hải Mới");
  await rename.getByLabel("Mã đơn vị hành chính").fill("14305");
  await rename.getByRole("button", { name: "Lưu" }).click();
  await page.getByText("Đã lưu: Xã Ninh Hải Mới").waitFor();
  await today.getByRole("row", { name: /Xã Ninh Hải Mới.*14305/ }).waitFor();

  // Add a commune under Hoa Lư.
  const add = page.getByRole("form", { name: "Thêm đơn vị" });
  await add.getByLabel("Thuộc").selectOption({ label: "Huyện Hoa Lư" });
  await add.getByLabel("Tên", { exact: true }).fill("Xã Thêm Mới");
  await add.getByRole("button", { name: "Thêm" }).click();
  await page.getByText("Đã thêm: Xã Thêm Mới").waitFor();
  await today.getByRole("cell", { name: "Xã Thêm Mới", exact: true }).waitFor();

  // Close Ninh Vân from a date, merged into Ninh Hải: the same preview, then apply.
  await today.getByRole("button", { name: "Sáp nhập/giải thể Xã Ninh Vân" }).click();
  const close = page.getByRole("form", { name: "Sáp nhập/giải thể Xã Ninh Vân" });
  await close.getByLabel("Từ ngày").fill("2025-07-01");
  await close.getByLabel("Theo quyết định").fill("Nghị quyết thử nghiệm");
  await close.getByLabel("Sáp nhập vào").selectOption({ label: "Xã Ninh Hải Mới" });
  await close.getByRole("button", { name: "Xem trước" }).click();
  await page.getByRole("heading", { name: "Xem trước (chưa thay đổi gì)" }).waitFor();
  await page.getByText(/HTX, THT chuyển địa bàn: [1-9]/).waitFor();
  await page.getByRole("button", { name: "Áp dụng sắp xếp" }).click();
  await page.getByText(/Đã áp dụng: [1-9]\d* HTX/).waitFor();

  const admin = await tokenFor(url, ADMIN);
  const areas = (await api(url, "/api/areas?closed=true", { token: admin })).body;
  const byId = Object.fromEntries(areas.map((a) => [a.id, a]));
  assert.equal(byId["NB-HL-NINHHAI"].name, "Xã Ninh Hải Mới");
  assert.equal(byId["NB-HL-NINHHAI"].code, "14305");
  assert.equal(byId["NB-HL-XATHEMMOI"]?.parent_id, "NB-HL");
  assert.equal(byId["NB-HL-NINHVAN"].closed_on, "2025-07-01");
  assert.equal(byId["NB-HL-NINHVAN"].successor_id, "NB-HL-NINHHAI");
  assert.deepEqual(errors, []);
  await server.stop();
});
