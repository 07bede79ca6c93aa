// The officer's day offline (issue 3): after signing in, the network is cut; a full visit
// report touching every section is written, the page is reloaded in the middle of the form
// (nothing lost), bad input gets Vietnamese messages next to the fields, the report is
// submitted and still waits after a reload; back online, the server has every field.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, signIn, api, tokenFor, OFFICER, SUPERVISOR, allVisits } from "./helpers.mjs";

const browser = await launch();
after(() => browser.close());

test("a full visit report written offline keeps every field through reloads and reaches the server", async () => {
  let server = await startServer();
  const { url, db, port } = server;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, geolocation: { latitude: 20.2506, longitude: 105.9745 }, permissions: ["geolocation"] });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signIn(page, url, OFFICER);
  await page.getByRole("link", { name: /HTX Dịch vụ nông nghiệp Ninh Giang/ }).waitFor();
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await context.setOffline(true);
  await server.stop();

  await page.getByRole("link", { name: /HTX Dịch vụ nông nghiệp Ninh Giang/ }).click();
  await page.getByRole("link", { name: "Viết phiếu khảo sát" }).click();
  const note = "Làm việc với Ban quản trị về kết quả 6 tháng đầu năm";
  await page.getByLabel("Ngày khảo sát").fill("2021-06-11");
  await page.getByLabel("Nội dung làm việc").fill(note);
  await page.getByRole("button", { name: "Lấy vị trí GPS" }).click();
  await page.getByText(/20\.25060, 105\.97450/).waitFor();
  // Finances, typed as an officer would, with separators.
  await page.getByLabel("Doanh thu (đồng)").fill("1.250.000.000");
  await page.getByText("1.250.000.000 ₫").waitFor();
  await page.getByLabel("Doanh thu cùng kỳ năm trước (đồng)").fill("1500000000");
  await page.getByLabel("Lợi nhuận (đồng, lỗ ghi dấu -)").fill("-20000000");
  await page.getByLabel("Thu nhập bình quân thành viên / tháng (đồng)").fill("4500000");
  await page.getByLabel("Ảnh hưởng của dịch COVID-19 / cú sốc bên ngoài").selectOption({ label: "Ảnh hưởng nặng" });

  // Reload in the middle of the form: everything typed so far is still there.
  await page.reload();
  await page.getByLabel("Nội dung làm việc").waitFor();
  assert.equal(await page.getByLabel("Nội dung làm việc").inputValue(), note);
  assert.equal(await page.getByLabel("Doanh thu (đồng)").inputValue(), "1250000000");
  assert.equal(await page.getByLabel("Lợi nhuận (đồng, lỗ ghi dấu -)").inputValue(), "-20000000");
  await page.getByText(/20\.25060, 105\.97450/).waitFor();

  // Value chain without stages, OCOP without stars, a follow-up due before the visit.
  await page.getByLabel("HTX sản xuất gắn với chuỗi giá trị").check();
  await page.getByRole("group", { name: "Chứng nhận chất lượng" }).getByLabel("OCOP").check();
  await page.getByRole("button", { name: "Thêm việc cần làm" }).click();
  await page.getByLabel("Việc 1").fill("Hỗ trợ thủ tục chứng nhận OCOP");
  await page.getByLabel("Hạn hoàn thành").fill("2021-05-01");
  await page.getByRole("button", { name: "Gửi phiếu" }).click();
  await page.getByText("HTX tham gia chuỗi giá trị: hãy chọn ít nhất một công đoạn.").waitFor();
  await page.getByText("Sản phẩm OCOP: hãy chọn số sao từ 3 đến 5.").waitFor();
  await page.getByText("Hạn hoàn thành không được trước ngày khảo sát.").waitFor();
  await page.getByText("Phiếu còn 3 lỗi").waitFor();

  // Fix them, and touch every other section.
  await page.getByLabel("Sản xuất", { exact: true }).check();
  await page.getByLabel("Chế biến", { exact: true }).check();
  await page.getByLabel("Doanh nghiệp liên kết").fill("Công ty CP Thực phẩm Ninh Bình");
  await page.getByLabel("Mô hình thuộc chương trình").selectOption({ label: "Quyết định 284/QĐ-LMHTXVN" });
  await page.getByLabel("Số sao OCOP").selectOption("4");
  await page.getByLabel("Hạn hoàn thành").fill("2021-09-30");
  await page.getByRole("group", { name: "Khó khăn của HTX" }).getByLabel("Năng lực tài chính yếu").check();
  await page.getByRole("group", { name: "Khó khăn của HTX" }).getByLabel("Khâu chế biến thiếu máy móc, hạ tầng").check();
  await page.getByRole("group", { name: "Hỗ trợ đã nhận" }).getByLabel("Công trình cơ sở hạ tầng").check();
  await page.getByRole("group", { name: "Hỗ trợ đề nghị" }).getByLabel("Tín dụng").check();
  await page.getByLabel("Số công trình hạ tầng đã bàn giao").fill("1");
  await page.getByLabel("Dùng hóa đơn điện tử").check();
  await page.getByLabel("Đã đăng ký thuế").check();
  await page.getByRole("button", { name: "Gửi phiếu" }).click();
  await page.getByText("Đã lưu phiếu trên máy").waitFor();
  const visits = page.getByRole("list", { name: "Các lần khảo sát" });
  await visits.getByText(note).waitFor();

  // Still waiting after a reload, offline.
  await page.reload();
  await visits.getByText("Đang chờ đồng bộ").waitFor();
  await page.getByText("1 thay đổi chờ đồng bộ").waitFor();

  // Online again: the server receives every field.
  server = await startServer({ db, port });
  await context.setOffline(false);
  await visits.getByText("Đã gửi").waitFor({ timeout: 20_000 });
  const all = await allVisits(url, await tokenFor(url, SUPERVISOR));
  const r = all.body.find((v) => v.note === note);
  assert.ok(r, "the report is on the server");
  assert.equal(r.visit_date, "2021-06-11");
  const f = r.findings;
  assert.equal(f.finances.revenue_vnd, 1250000000);
  assert.equal(f.finances.revenue_last_year_vnd, 1500000000);
  assert.equal(f.finances.profit_vnd, -20000000);
  assert.equal(f.finances.member_income_vnd, 4500000);
  assert.equal(f.finances.shock_impact, "severe");
  assert.deepEqual(f.value_chain, { in_value_chain: true, stages: ["production", "processing"], linked_enterprise: "Công ty CP Thực phẩm Ninh Bình", programme: "decision284", programme_other: "" });
  assert.deepEqual(f.difficulties, ["weak_finances", "processing_lacks_machinery"]);
  assert.deepEqual(f.support.received, ["infrastructure"]);
  assert.deepEqual(f.support.requested, ["credit"]);
  assert.equal(f.support.works_handed_over, 1);
  assert.deepEqual(f.digital, { accounting_software: false, e_invoices: true, sells_online: false });
  assert.deepEqual(f.compliance, { tax_registered: true, certifications: ["ocop"], ocop_stars: 4 });
  assert.deepEqual(f.follow_ups, [{ action: "Hỗ trợ thủ tục chứng nhận OCOP", due: "2021-09-30", done: false }]);
  assert.ok(Math.abs(f.position.lat - 20.2506) < 1e-6 && Math.abs(f.position.lon - 105.9745) < 1e-6);
  assert.deepEqual(errors, []);
  await context.close();
  await server.stop();
});

test("a new group registered offline appears at once and reaches the server", async () => {
  let server = await startServer();
  const { url, db, port } = server;
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signIn(page, url, OFFICER);
  await page.getByRole("link", { name: /HTX Thêu ren Văn Lâm/ }).waitFor();
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await context.setOffline(true);
  await server.stop();

  await page.getByRole("link", { name: "Đăng ký HTX, THT mới" }).click();
  await page.getByLabel("Loại hình").selectOption({ label: "THT" });
  await page.getByLabel("Tên", { exact: true }).fill("THT Trồng sen Ninh Hải");
  await page.getByLabel("Xã, phường").selectOption({ label: "Xã Ninh Hải" });
  await page.getByLabel("Điện thoại").fill("12345");
  await page.getByLabel("Số thành viên").fill("9");
  // A reload keeps the draft.
  await page.reload();
  await page.getByLabel("Tên", { exact: true }).waitFor();
  assert.equal(await page.getByLabel("Tên", { exact: true }).inputValue(), "THT Trồng sen Ninh Hải");
  await page.getByRole("button", { name: "Lưu HTX mới" }).click();
  await page.getByText("Số điện thoại gồm 10 chữ số bắt đầu bằng 0 (hoặc +84).").waitFor();
  await page.getByLabel("Điện thoại").fill("0912 345 678");
  await page.getByRole("button", { name: "Lưu HTX mới" }).click();
  await page.getByRole("heading", { name: "THT Trồng sen Ninh Hải" }).waitFor();
  // The registry opened afresh (a new page load, offline) does not show its list from
  // before the registration (the list read before the app starts is checked against the
  // store).
  await page.goto(url + "/");
  const row = page.getByRole("listitem").filter({ hasText: "THT Trồng sen Ninh Hải" });
  await row.getByText("Chờ đồng bộ").waitFor();
  assert.equal(await page.getByRole("list", { name: "Danh sách hợp tác xã" }).getByRole("listitem").count(), 16);

  server = await startServer({ db, port });
  await context.setOffline(false);
  await page.getByText("Không có thay đổi chờ gửi").waitFor({ timeout: 20_000 });
  await row.getByText("Chờ đồng bộ").waitFor({ state: "detached" });
  // The supervisor's tablet receives it.
  const token = await tokenFor(url, SUPERVISOR);
  const pulled = await api(url, "/api/sync/pull", { token, body: { client_id: "e2e-sup", cursor: 0, limit: 2000 } });
  const c = pulled.body.changes.map((r) => r.change).find((ch) => ch.type === "cooperative" && ch.data.name === "THT Trồng sen Ninh Hải");
  assert.ok(c, "on the server");
  assert.equal(c.data.kind, "tht");
  assert.equal(c.data.area_path, "NB/NB-HL/NB-HL-NINHHAI/");
  assert.equal(c.data.members, 9);
  await context.close();
  await server.stop();
});

test("unsent work exported on one tablet and imported on another reaches the server once", async () => {
  const server = await startServer();
  const { url } = server;
  const a = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const pa = await a.newPage();
  await signIn(pa, url, OFFICER);
  await pa.getByRole("link", { name: /HTX Dê núi Gia Vân/ }).waitFor();
  await a.setOffline(true);
  await pa.getByRole("link", { name: /HTX Dê núi Gia Vân/ }).click();
  await pa.getByRole("link", { name: "Viết phiếu khảo sát" }).click();
  const note = `Đàn dê tăng 30 con — ${Date.now()}`;
  await pa.getByLabel("Nội dung làm việc").fill(note);
  await pa.getByRole("button", { name: "Gửi phiếu" }).click();
  await pa.getByText("1 thay đổi chờ đồng bộ").waitFor();
  await pa.getByRole("link", { name: "Máy này" }).click();
  const [download] = await Promise.all([pa.waitForEvent("download"), pa.getByRole("button", { name: "Xuất dữ liệu chưa gửi" }).click()]);
  const file = await download.path();
  await pa.getByText("Đã xuất 1 thay đổi chưa gửi ra tệp.").waitFor();

  // Another tablet, same officer: import, and it is sent.
  const b = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const pb = await b.newPage();
  await signIn(pb, url, OFFICER);
  await pb.getByRole("link", { name: "Máy này" }).click();
  await pb.setInputFiles("#import-file", file);
  await pb.getByText("Đã nhập 1 thay đổi; 0 đã có sẵn trên máy").waitFor();
  await pb.getByText("Không có thay đổi chờ gửi").waitFor({ timeout: 20_000 });
  await pb.setInputFiles("#import-file", file);
  await pb.getByText("Đã nhập 0 thay đổi; 1 đã có sẵn trên máy").waitFor();

  // The first tablet comes back online and sends its own copy: still one on the server.
  await a.setOffline(false);
  await pa.getByText("Không có thay đổi chờ gửi").waitFor({ timeout: 20_000 });
  const all = await allVisits(url, await tokenFor(url, SUPERVISOR));
  assert.equal(all.body.filter((v) => v.note === note).length, 1, "exactly once");
  await a.close();
  await b.close();
  await server.stop();
});

test("drafts are still saved when the drafts worker cannot start", async () => {
  const server = await startServer();
  // No service worker (it would answer from its cache): the worker's script is refused.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: "block" });
  await context.route("**/draft-worker.js", (r) => r.fulfill({ status: 404, body: "" }));
  const page = await context.newPage();
  await signIn(page, server.url, OFFICER);
  await page.getByRole("link", { name: /HTX Thêu ren Văn Lâm/ }).click();
  await page.getByRole("link", { name: "Viết phiếu khảo sát" }).click();
  const note = "Ghi chép khi không có worker";
  await page.getByLabel("Nội dung làm việc").pressSequentially(note, { delay: 20 });
  await page.getByLabel("Doanh thu (đồng)").fill("300000000");
  await page.waitForTimeout(300);
  await page.reload();
  await page.getByLabel("Nội dung làm việc").waitFor();
  assert.equal(await page.getByLabel("Nội dung làm việc").inputValue(), note);
  assert.equal(await page.getByLabel("Doanh thu (đồng)").inputValue(), "300000000");
  await context.close();
  await server.stop();
});
