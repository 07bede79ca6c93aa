// Accessibility of every main page, at tablet (1280x800) and phone (390x844) size:
// axe-core finds no serious or critical violation, and every control is at least 44 px
// tall (touch targets).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { startServer, launch, signIn, api, tokenFor, OFFICER, SUPERVISOR } from "./helpers.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const server = await startServer();
const browser = await launch();
after(async () => { await browser.close(); await server.stop(); });

async function audit(page, label) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")})`), [], label);
  const small = await page.evaluate(() =>
    [...document.querySelectorAll("button, input, select, textarea, nav a, .list a, a.brand, a.button")]
      .filter((el) => el.offsetParent !== null)
      // A checkbox is touched through its whole label.
      .map((el) => (el.type === "checkbox" && el.closest("label")) || el)
      .map((el) => ({ el: el.outerHTML.slice(0, 80), h: el.getBoundingClientRect().height }))
      .filter((x) => x.h < 44));
  assert.deepEqual(small, [], `${label}: touch targets under 44 px`);
}

for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
  const size = `${viewport.width}x${viewport.height}`;

  test(`officer pages at ${size}`, async () => {
    // bypassCSP lets the test inject axe-core; the app itself runs under the CSP elsewhere.
    const ctx = await browser.newContext({ viewport, bypassCSP: true });
    const page = await ctx.newPage();
    await page.goto(server.url + "/dang-nhap");
    await page.getByLabel("Tên đăng nhập").waitFor();
    await audit(page, `sign-in ${size}`);
    await signIn(page, server.url, OFFICER);
    await page.getByRole("link", { name: /HTX Thêu ren Văn Lâm/ }).waitFor();
    await audit(page, `registry ${size}`);
    await page.getByRole("link", { name: /HTX Thêu ren Văn Lâm/ }).click();
    await page.getByRole("link", { name: "Viết phiếu khảo sát" }).waitFor();
    await audit(page, `cooperative ${size}`);
    await page.getByRole("link", { name: "Viết phiếu khảo sát" }).click();
    await page.getByLabel("HTX sản xuất gắn với chuỗi giá trị").check();
    await page.getByRole("button", { name: "Gửi phiếu" }).click();
    await page.getByText("Hãy ghi nội dung làm việc").waitFor();
    await audit(page, `visit report form with validation messages ${size}`);
    await page.getByRole("button", { name: "English" }).click();
    await page.getByLabel("What you found").waitFor();
    await audit(page, `visit report form in English ${size}`);
    await page.getByRole("button", { name: "Tiếng Việt" }).click();
    await page.getByRole("link", { name: "Máy này" }).click();
    await page.getByRole("button", { name: "Xuất dữ liệu chưa gửi" }).waitFor();
    await audit(page, `this tablet ${size}`);
    await page.goto(server.url + "/htx-moi");
    await page.getByRole("button", { name: "Lưu HTX mới" }).click();
    await page.getByText("Hãy nhập tên hợp tác xã.").waitFor();
    await audit(page, `register a cooperative with validation messages ${size}`);
    await page.goto(server.url + "/");
    await page.getByRole("link", { name: /HTX Thêu ren Văn Lâm/ }).click();
    await page.getByRole("link", { name: "Sửa hồ sơ" }).click();
    await page.getByRole("button", { name: "Lưu thay đổi" }).waitFor();
    await audit(page, `edit a cooperative's profile ${size}`);
    await ctx.close();
  });

  test(`supervisor pages at ${size}`, async () => {
    const ctx = await browser.newContext({ viewport, bypassCSP: true });
    const page = await ctx.newPage();
    // A submitted report to review (pushed as the officer's tablet would).
    const note = `Báo cáo để duyệt ${size}`;
    const token = await tokenFor(server.url, OFFICER);
    const id = `a11y-${viewport.width}`;
    const pushed = await api(server.url, "/api/sync/push", { token, body: { client_id: `a11y-${viewport.width}`, mutations: [{ id: 1, created_at: 1,
      op: { type: "submit_visit", data: { id, cooperative_id: "coop-001", author_id: "", visit_date: "2021-06-11", note, status: "submitted", revision: 1, created_at: 1 } } }] } });
    assert.deepEqual(pushed.body.rejected, []);
    await signIn(page, server.url, SUPERVISOR);
    await page.getByRole("heading", { name: "Phiếu khảo sát đã gửi" }).waitFor();
    await audit(page, `reports ${size}`);
    await page.getByRole("row").filter({ hasText: note }).getByRole("link").click();
    await page.getByRole("button", { name: "Duyệt" }).waitFor();
    await audit(page, `review a report ${size}`);
    await page.getByRole("button", { name: "Duyệt" }).click();
    await page.getByRole("status").filter({ hasText: "Đã duyệt" }).waitFor();
    await page.getByRole("link", { name: "Nhật ký thay đổi của phiếu" }).click();
    await page.getByRole("list", { name: "Các lần thay đổi" }).getByRole("listitem").filter({ hasText: "Duyệt" }).first().waitFor();
    await audit(page, `change history ${size}`);
    await page.getByRole("link", { name: "Sơ kết 6 tháng" }).click();
    await page.getByLabel("Kỳ báo cáo", { exact: true }).selectOption("2021-H1");
    await page.getByLabel("Địa bàn", { exact: true }).selectOption({ label: "Huyện Hoa Lư" });
    await page.getByRole("button", { name: /^Phiếu được duyệt làm căn cứ: [1-9]/ }).click();
    await page.getByRole("region", { name: /Hồ sơ làm căn cứ/ }).getByRole("link").first().waitFor();
    await audit(page, `six-monthly review ${size}`);
    await ctx.close();
  });
}
