// The foundation's thin slice, end to end in real Chromium against the release build
// served by the real server: sign in online, lose the network (the browser is set offline
// AND the server is stopped), write a visit note, reload offline, get the network back,
// and the note reaches the server exactly once; the supervisor sees it.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, signIn, api, tokenFor, OFFICER, SUPERVISOR, allVisits } from "./helpers.mjs";

const browser = await launch();
after(() => browser.close());

test("a note written offline survives a reload and reaches the server exactly once", async () => {
  let server = await startServer();
  const { url, db, port } = server;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));

  // Online: sign in; the officer's cooperatives arrive from the server.
  await signIn(page, url, OFFICER);
  await page.getByRole("link", { name: /HTX Thêu ren Văn Lâm/ }).waitFor();
  const list = page.getByRole("list", { name: "Danh sách hợp tác xã" });
  assert.equal(await list.getByRole("listitem").count(), 15, "Hoa Lư and Gia Viễn have 15 cooperatives in the demo data");
  assert.equal(await page.getByText("HTX Chiếu cói Kim Chính").count(), 0, "another district's cooperative is not on this tablet");
  // The search ignores diacritics.
  await page.getByLabel("Tìm hợp tác xã").fill("theu ren");
  assert.equal(await list.getByRole("listitem").count(), 1);
  await page.getByLabel("Tìm hợp tác xã").fill("");
  // Filters: kind, commune, status, newly established; and sorting.
  const count = () => list.getByRole("listitem").count();
  await page.getByLabel("Loại hình").selectOption({ label: "THT" });
  assert.equal(await count(), 3, "three cooperative groups");
  await page.getByLabel("Loại hình").selectOption({ label: "Tất cả" });
  await page.getByLabel("Xã, phường").selectOption({ label: "Xã Ninh Giang" });
  assert.equal(await count(), 2);
  // The options are redrawn when the choice changes: the select still shows it.
  assert.equal(await page.getByLabel("Xã, phường").evaluate((s) => s.selectedOptions[0].textContent), "Xã Ninh Giang");
  await page.getByLabel("Xã, phường").selectOption({ label: "Tất cả" });
  await page.getByLabel("Tình trạng").selectOption({ label: "Hoạt động cầm chừng" });
  assert.equal(await count(), 2, "two at a standstill");
  await page.getByLabel("Tình trạng").selectOption({ label: "Tất cả" });
  await page.getByLabel("Mới thành lập trong kỳ").check();
  assert.equal(await count(), 4, "four newly established");
  await page.getByLabel("Mới thành lập trong kỳ").uncheck();
  await page.getByLabel("Sắp xếp").selectOption({ label: "Số thành viên" });
  assert.match(await list.getByRole("listitem").first().innerText(), /Quỹ tín dụng nhân dân Gia Sinh/, "most members first");
  await page.getByLabel("Sắp xếp").selectOption({ label: "Tên" });
  assert.equal(await count(), 15);

  // The service worker controls the page before the network goes.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener("controllerchange", r, { once: true }));
    }
  });

  // The network really goes away: browser offline, server stopped.
  await context.setOffline(true);
  await server.stop();
  await page.reload();
  await page.getByText("Mất mạng").waitFor();
  await page.getByRole("link", { name: /HTX Thêu ren Văn Lâm/ }).click();

  // An empty note is refused, in Vietnamese, next to the field.
  await page.getByRole("link", { name: "Viết phiếu khảo sát" }).click();
  await page.getByRole("button", { name: "Gửi phiếu" }).click();
  await page.getByText("Hãy ghi nội dung làm việc").waitFor();

  const note = `Doanh thu 6 tháng giảm 20% do COVID-19 — ${Date.now()}`;
  await page.getByLabel("Nội dung làm việc").fill(note);
  await page.getByRole("button", { name: "Gửi phiếu" }).click();
  await page.getByText("Đã lưu phiếu trên máy").waitFor();
  const visits = page.getByRole("list", { name: "Các lần khảo sát" });
  await visits.getByText(note).waitFor();
  assert.equal(await visits.getByText("Đang chờ đồng bộ").count(), 1);
  await page.getByText("1 thay đổi chờ đồng bộ").waitFor();

  // Reload while still offline: the note is still there, still waiting.
  await page.reload();
  await visits.getByText(note).waitFor();
  assert.equal(await visits.getByText("Đang chờ đồng bộ").count(), 1);
  await page.getByText("1 thay đổi chờ đồng bộ").waitFor();

  // The network comes back (same data, same port): the note is sent by itself.
  server = await startServer({ db, port });
  await context.setOffline(false);
  await visits.getByText("Đã gửi").waitFor({ timeout: 20_000 });
  await page.getByText("Không có thay đổi chờ gửi").waitFor();

  // Sync again, by keyboard: nothing is sent twice, and focus stays on the button while
  // it says "Đang đồng bộ…" and after (a disabled button dropped it to the page's start).
  await page.getByRole("button", { name: "Đồng bộ ngay" }).focus();
  await page.keyboard.press("Enter");
  await page.getByRole("button", { name: "Đồng bộ ngay" }).waitFor();
  assert.ok(await page.evaluate(() => document.activeElement?.tagName === "BUTTON"
    && document.activeElement.closest("[role=status]") !== null), "focus on the sync button");
  const supToken = await tokenFor(url, SUPERVISOR);
  const all = await allVisits(url, supToken);
  assert.equal(all.status, 200);
  const mine = all.body.filter((v) => v.note === note);
  assert.equal(mine.length, 1, "the note is on the server exactly once");
  assert.equal(mine[0].author_name, "Đinh Thị Hoa");
  assert.equal(mine[0].cooperative_id, "coop-001");

  // The supervisor sees it in the list of submitted reports.
  const supContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const sup = await supContext.newPage();
  await signIn(sup, url, SUPERVISOR);
  const row = sup.getByRole("row").filter({ hasText: note });
  await row.waitFor();
  assert.match(await row.innerText(), /HTX Thêu ren Văn Lâm/);
  assert.match(await row.innerText(), /Đinh Thị Hoa/);

  assert.deepEqual(errors, [], "no uncaught errors in the page");
  await supContext.close();
  await context.close();
  await server.stop();
});
