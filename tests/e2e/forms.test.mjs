// Issue 13, the forms: numbers read as Vietnamese officers type them and never silently
// emptied (case 11); text made NFC and free of control characters as it is typed (case
// 10); every free-text field shows its length limit (case 3); persistent storage asked for
// when the officer first saves work (case 9).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, signIn, api, tokenFor, OFFICER, SUPERVISOR } from "./helpers.mjs";

const browser = await launch();
after(() => browser.close());

test("numbers, text and limits in the forms; persistent storage asked at the first save", async () => {
  const server = await startServer();
  const { url } = server;
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // Count the app's requests for persistent storage.
  await ctx.addInitScript(() => {
    window.__persistCalls = 0;
    if (navigator.storage && navigator.storage.persist) {
      const original = navigator.storage.persist.bind(navigator.storage);
      navigator.storage.persist = () => { window.__persistCalls++; return original(); };
    }
  });
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signIn(page, url, OFFICER);

  // The profile form: "1.234,5" ha is 1234.5; text it cannot read stays, with a message,
  // and saving is refused rather than emptying the field.
  await page.getByRole("link", { name: /HTX Nông nghiệp hữu cơ Gia Lạc/ }).click();
  await page.getByRole("link", { name: "Sửa hồ sơ" }).click();
  const area = page.getByLabel("Diện tích canh tác (ha)");
  const before = await area.inputValue();
  assert.notEqual(before, "", "it has a cultivated area to lose");
  await area.fill("1.234,5 ha");
  await page.getByRole("button", { name: "Lưu thay đổi" }).click();
  await page.locator("#c-area-error").getByText("Không đọc được số “1.234,5 ha”").waitFor();
  assert.equal(await area.inputValue(), "1.234,5 ha", "what was typed stays");
  await area.fill("1.234,5");
  await page.getByLabel("Vốn điều lệ (đồng)").fill("1.250.000.000");
  // A chair name typed in decomposed form with a pasted control character is stored
  // composed and clean; the field shows its limit.
  await page.getByLabel("Chủ nhiệm / giám đốc").fill("Vu\u0303 Thi\u0323 A\u0301nh\u000b");
  const askedBefore = await page.evaluate(() => window.__persistCalls);
  assert.equal(await page.getByTestId("c-chair-count").innerText(), "10 / 100");
  await page.getByRole("button", { name: "Lưu thay đổi" }).click();
  await page.getByRole("heading", { name: /HTX Nông nghiệp hữu cơ Gia Lạc/ }).waitFor();
  assert.equal(await page.evaluate(() => window.__persistCalls), askedBefore + 1, "the first save asks for persistent storage");
  await page.getByText("Không có thay đổi chờ gửi").waitFor({ timeout: 20_000 });
  const sup = await tokenFor(url, SUPERVISOR);
  const pulled = await api(url, "/api/sync/pull", { token: sup, body: { client_id: "e2e-forms", cursor: 0, limit: 2000 } });
  const c = pulled.body.changes.map((r) => r.change).find((ch) => ch.type === "cooperative" && ch.data.name === "HTX Nông nghiệp hữu cơ Gia Lạc").data;
  assert.equal(c.cultivated_area_ha, 1234.5);
  assert.equal(c.charter_capital_vnd, 1250000000);
  assert.equal(c.chair_name, "Vũ Thị Ánh".normalize("NFC"));
  assert.equal(c.chair_name, c.chair_name.normalize("NFC"));

  // The visit form shows the note's limit as the officer types; a second save does not ask
  // again.
  await page.getByRole("link", { name: "Viết phiếu khảo sát" }).click();
  await page.getByLabel("Nội dung làm việc").fill("Làm việc với ban giám đốc");
  assert.equal(await page.getByTestId("note-count").innerText(), "Số ký tự: 25 / 5.000");
  await page.getByRole("button", { name: "Gửi phiếu" }).click();
  await page.getByText("Đã lưu phiếu trên máy").waitFor();
  assert.equal(await page.evaluate(() => window.__persistCalls), askedBefore + 1, "asked once, at the first save of this page load");
  assert.deepEqual(errors, []);
  await ctx.close();
  await server.stop();
});
