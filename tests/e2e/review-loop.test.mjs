// Issue 5's loop (and issue 3's returned reports), end to end in two browsers: the officer
// submits a report; the supervisor returns it with a comment (an empty comment is refused
// in Vietnamese); the officer, after a sync, sees the comment on the home screen, fixes
// the revenue and resubmits (a new revision); the supervisor sees exactly that field
// changed and approves; the officer's tablet shows "Đã duyệt". The audit trail holds
// every step.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startServer, launch, signIn, api, tokenFor, readXlsx, OFFICER, SUPERVISOR, allVisits } from "./helpers.mjs";

const browser = await launch();
after(() => browser.close());

async function syncNow(page) {
  await page.getByRole("button", { name: "Đồng bộ ngay" }).click();
  await page.getByText("Không có thay đổi chờ gửi").waitFor({ timeout: 20_000 });
  await page.getByRole("button", { name: "Đồng bộ ngay" }).and(page.locator(":enabled")).waitFor();
}

test("returned for correction, fixed on the tablet, resubmitted and approved", async () => {
  const server = await startServer();
  const { url } = server;
  const ctxO = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const ctxS = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const officer = await ctxO.newPage();
  const sup = await ctxS.newPage();
  const errors = [];
  for (const p of [officer, sup]) p.on("pageerror", (e) => errors.push(e.message));

  // The officer writes and submits a report.
  await signIn(officer, url, OFFICER);
  await officer.getByRole("link", { name: /HTX Thêu ren Văn Lâm/ }).click();
  await officer.getByRole("link", { name: "Viết phiếu khảo sát" }).click();
  await officer.getByLabel("Ngày khảo sát").fill("2021-06-11");
  const note = `Làm việc với ban giám đốc — ${Date.now()}`;
  await officer.getByLabel("Nội dung làm việc").fill(note);
  await officer.getByLabel("Doanh thu (đồng)").fill("1000000000");
  await officer.getByLabel("Doanh thu cùng kỳ năm trước (đồng)").fill("800000000");
  await officer.getByRole("button", { name: "Gửi phiếu" }).click();
  await officer.getByText("Đã lưu phiếu trên máy").waitFor();
  await syncNow(officer);

  // The supervisor opens it and returns it; an empty comment is refused.
  await signIn(sup, url, SUPERVISOR);
  await sup.getByRole("row").filter({ hasText: note }).getByRole("link").click();
  await sup.getByRole("heading", { name: /Phiếu khảo sát/ }).waitFor();
  // The whole report, section by section.
  const whole = await sup.locator(".report-facts").innerText();
  assert.match(whole, /Doanh thu cùng kỳ năm trước\s+800\.000\.000 ₫/);
  assert.match(whole, /Tham gia chuỗi giá trị\s+Không/);
  await sup.getByRole("button", { name: "Trả lại để sửa" }).click();
  await sup.getByText("Hãy ghi nhận xét: cán bộ cần biết phải sửa gì.").waitFor();
  await sup.getByLabel("Nhận xét hoặc lý do").fill("Doanh thu chưa khớp sổ sách, kiểm tra lại.");
  await sup.getByRole("button", { name: "Trả lại để sửa" }).click();
  await sup.getByRole("status").filter({ hasText: "Trả lại để sửa" }).waitFor();

  // The officer's tablet: after a sync, the return and its comment are on the home screen.
  await officer.goto(url + "/");
  await syncNow(officer);
  const returned = officer.getByRole("region", { name: /Phiếu cần sửa \(1\)/ });
  await returned.getByText("Lê Thị Tâm: “Doanh thu chưa khớp sổ sách, kiểm tra lại.”").waitFor();
  await returned.getByRole("link", { name: "Sửa và gửi lại" }).click();
  await officer.getByRole("note", { name: "Nhận xét của giám sát viên" }).waitFor();
  assert.equal(await officer.getByLabel("Nội dung làm việc").inputValue(), note, "the form opens with the returned report");
  await officer.getByLabel("Doanh thu (đồng)").fill("1200000000");
  await officer.getByRole("button", { name: "Gửi lại phiếu đã sửa" }).click();
  await officer.getByText("Đã lưu phiếu trên máy").waitFor();
  await syncNow(officer);
  await officer.goto(url + "/");
  assert.equal(await officer.getByRole("region", { name: /Phiếu cần sửa/ }).count(), 0, "nothing left to fix");

  // The supervisor sees exactly which field changed, and approves.
  await sup.goto(url + "/");
  await syncNow(sup);
  await sup.getByRole("row").filter({ hasText: note }).getByRole("link").click();
  const changed = sup.getByRole("list", { name: "Các ô đã sửa" });
  await changed.waitFor();
  assert.equal(await changed.getByRole("listitem").count(), 1);
  assert.match(await changed.innerText(), /Doanh thu \(đồng\): 1000000000 → 1200000000/);
  await sup.getByRole("button", { name: "Duyệt" }).click();
  await sup.getByRole("status").filter({ hasText: "Đã duyệt" }).waitFor();

  // The review queue's filters and search (answered by the server): state, district,
  // officer, period, words without diacritics.
  await sup.goto(url + "/");
  const rows = () => sup.getByRole("row").filter({ hasText: note }).count();
  const rowsBecome = async (n, why) => {
    for (let i = 0; i < 100 && (await rows()) !== n; i++) await sup.waitForTimeout(100);
    assert.equal(await rows(), n, why);
  };
  await sup.getByRole("row").filter({ hasText: note }).waitFor();
  await sup.getByLabel("Trạng thái", { exact: true }).selectOption({ label: "Trả lại để sửa" });
  await rowsBecome(0, "not returned any more");
  await sup.getByLabel("Trạng thái", { exact: true }).selectOption({ label: "Đã duyệt" });
  await rowsBecome(1, "approved");
  await sup.getByLabel("Địa bàn", { exact: true }).selectOption({ label: "Huyện Kim Sơn" });
  await rowsBecome(0, "not in Kim Sơn");
  await sup.getByLabel("Địa bàn", { exact: true }).selectOption({ label: "Huyện Hoa Lư" });
  await sup.getByLabel("Cán bộ", { exact: true }).selectOption({ label: "Đinh Thị Hoa" });
  await sup.getByLabel("Kỳ", { exact: true }).selectOption({ label: "6 tháng đầu năm 2021" });
  await rowsBecome(1, "Hoa Lư, Đinh Thị Hoa, 2021-H1");
  const search = sup.getByRole("searchbox", { name: "Tìm (HTX, cán bộ, nội dung)" });
  await search.fill("theu ren van lam");
  await search.press("Enter");
  await rowsBecome(1, "found by the cooperative's name, typed without diacritics");
  await search.fill("kim chinh");
  await search.press("Enter");
  await rowsBecome(0, "another cooperative's name");
  await sup.getByText("Không có phiếu nào.").waitFor();
  await search.fill("");
  await search.press("Enter");
  await rowsBecome(1, "the search cleared");
  // The filtered list as XLSX, read back: the header and this one report.
  const [listFile] = await Promise.all([
    sup.waitForEvent("download"),
    sup.getByRole("button", { name: "Tải danh sách đang lọc (XLSX)" }).click(),
  ]);
  const listRows = readXlsx(readFileSync(await listFile.path()));
  assert.equal(listRows[0][0], "Mã phiếu");
  assert.equal(listRows.length, 2, "the header and the one approved report");
  assert.equal(listRows[1][16], note);
  assert.deepEqual([listRows[1][1], listRows[1][6], listRows[1][8]], ["HTX Thêu ren Văn Lâm", "Đã duyệt", "1200000000"]);

  // The approved report counts in the six-monthly review of Hoa Lư, 2021-H1.
  await sup.getByRole("link", { name: "Sơ kết 6 tháng" }).click();
  await sup.getByLabel("Kỳ báo cáo", { exact: true }).selectOption({ label: "6 tháng đầu năm 2021" });
  await sup.getByLabel("Địa bàn", { exact: true }).selectOption({ label: "Huyện Hoa Lư" });
  const results = sup.getByRole("table", { name: "Kết quả sản xuất kinh doanh" });
  const revenue = results.getByRole("row").filter({ has: sup.getByRole("rowheader", { name: "Tổng doanh thu" }) });
  await revenue.getByRole("button", { name: /^Tổng doanh thu: 1\.200\.000\.000 ₫/ }).waitFor();
  assert.match(await revenue.innerText(), /cùng kỳ 800\.000\.000 ₫ \(\+50\.0%\)/);
  // The figure opens the report behind it.
  await revenue.getByRole("button").click();
  const behind = sup.getByRole("region", { name: "Hồ sơ làm căn cứ — Tổng doanh thu" });
  await behind.getByRole("link", { name: /HTX Thêu ren Văn Lâm — 11\/06\/2021 — Đinh Thị Hoa/ }).click();
  await sup.getByRole("heading", { name: /Phiếu khảo sát — 11\/06\/2021/ }).waitFor();
  // The back button returns to the review (the app's own router follows history).
  await sup.goBack();
  await sup.getByRole("heading", { name: "Báo cáo sơ kết 6 tháng" }).waitFor();
  await sup.getByLabel("Kỳ báo cáo", { exact: true }).selectOption({ label: "6 tháng đầu năm 2021" });
  await sup.getByLabel("Địa bàn", { exact: true }).selectOption({ label: "Huyện Hoa Lư" });
  await revenue.getByRole("button", { name: /^Tổng doanh thu: 1\.200\.000\.000 ₫/ }).waitFor();
  // The picture of it: an SVG chart whose name reads its bars.
  await sup.getByRole("img", { name: /Doanh thu \(triệu đồng\): Doanh thu kỳ này 1200; Doanh thu cùng kỳ 800/ }).waitFor();
  // Targets: the supervisor sets Hoa Lư's; the figure shows it.
  await sup.getByLabel("Kế hoạch: HTX thành lập mới").fill("4");
  await sup.getByRole("button", { name: "Lưu kế hoạch" }).click();
  await sup.getByText("Đã lưu.").waitFor();
  await sup.getByRole("table", { name: "Phát triển HTX, THT" }).getByRole("row").filter({ hasText: "HTX thành lập mới" }).getByText("kế hoạch 4").waitFor();
  // The XLSX export, read back.
  const [download] = await Promise.all([
    sup.waitForEvent("download"),
    sup.getByRole("button", { name: "Tải Excel (XLSX)" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "so-ket-2021-H1.xlsx");
  const rowsOut = readXlsx(readFileSync(await download.path()));
  assert.deepEqual(rowsOut[0], ["Báo cáo sơ kết 6 tháng", "2021-H1", "Huyện Hoa Lư"]);
  assert.deepEqual(rowsOut.find((r) => r[0] === "Tổng doanh thu (đồng)"), ["Tổng doanh thu (đồng)", "1200000000", "800000000", "50"]);
  assert.deepEqual(rowsOut.find((r) => r[0] === "HTX thành lập mới").slice(0, 3), ["HTX thành lập mới", "0", "4"]);
  // Printable: the print stylesheet leaves out navigation and buttons.
  await sup.emulateMedia({ media: "print" });
  assert.equal(await sup.getByRole("button", { name: "In báo cáo" }).isVisible(), false);
  assert.equal(await sup.getByRole("navigation").isVisible(), false);
  assert.ok(await sup.getByRole("img", { name: /Doanh thu \(triệu đồng\)/ }).isVisible());
  await sup.emulateMedia({ media: "screen" });

  // The officer's tablet shows the approval.
  await officer.goto(url + "/");
  await syncNow(officer);
  await officer.getByRole("link", { name: /HTX Thêu ren Văn Lâm/ }).click();
  const visit = officer.getByRole("list", { name: "Các lần khảo sát" }).getByRole("listitem").filter({ hasText: note });
  await visit.getByText("Đã duyệt").waitFor();

  // The audit trail: submit, return, resubmit (from the tablet), approve.
  const token = await tokenFor(url, SUPERVISOR);
  const all = await allVisits(url, token);
  const id = all.body.find((v) => v.note === note).id;
  const trail = await api(url, `/api/audit/visit/${id}`, { token });
  assert.deepEqual(trail.body.map((e) => e.action), ["submit", "return", "resubmit", "approve"]);
  assert.ok(trail.body[2].client_id, "the resubmission came from the tablet");
  assert.deepEqual(errors, [], "no uncaught errors in the pages");
  await Promise.all([ctxO.close(), ctxS.close()]);
  await server.stop();
});
