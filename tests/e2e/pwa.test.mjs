// The installable app: installability, a full browser restart with the network cut,
// an update from one build to the next with a draft open, security and cache headers.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { startServer, launch, signIn, OFFICER, SUPERVISOR, ROOT } from "./helpers.mjs";

const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];
const EXE = process.env.HOPTAC_CHROMIUM || "/usr/bin/chromium";

async function controlled(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener("controllerchange", r, { once: true }));
    }
  });
}

test("the app is installable and its headers are right", async () => {
  const server = await startServer();
  // Installability is not judged in incognito: use a real profile.
  const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "hoptac-profile-")), { executablePath: EXE, args: ARGS });
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    const cspErrors = [];
    page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text()); });
    await page.goto(server.url + "/");
    await page.getByLabel("Tên đăng nhập").waitFor();
    await controlled(page);
    const cdp = await browser.newCDPSession(page);
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    assert.deepEqual(installabilityErrors, []);
    const manifest = await (await fetch(server.url + "/manifest.webmanifest")).json();
    assert.equal(manifest.short_name, "Hợp tác");
    assert.equal(manifest.display, "standalone");
    assert.ok(manifest.icons.some((i) => i.purpose === "maskable"));
    assert.deepEqual(cspErrors, [], "the page runs under the CSP");

    const index = await fetch(server.url + "/");
    const csp = index.headers.get("content-security-policy");
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /'wasm-unsafe-eval'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(index.headers.get("cache-control"), "no-cache");
    const br = await fetch(server.url + "/", { headers: { "accept-encoding": "br" } });
    assert.equal(br.headers.get("content-encoding"), "br", "pre-compressed files are served");
    assert.equal(index.headers.get("x-content-type-options"), "nosniff");
    assert.ok(index.headers.get("referrer-policy"));
    const html = await index.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, "no inline script");
    const wasm = html.match(/href="(\/hoptac-[0-9a-f]{12,16}_bg\.wasm)"/)[1];
    assert.equal((await fetch(server.url + wasm)).headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal((await fetch(server.url + "/sw.js")).headers.get("cache-control"), "no-cache");
    // The lazy pages' parts: named by content (kept for good), their loader revalidated.
    const loader = await (await fetch(server.url + "/__wasm_split.js")).text();
    const part = loader.match(/"\.\/(split_officer-[0-9a-f]{16}\.wasm)"/)[1];
    const partResp = await fetch(server.url + "/" + part);
    assert.equal(partResp.headers.get("content-type"), "application/wasm");
    assert.equal(partResp.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal((await fetch(server.url + "/__wasm_split.js")).headers.get("cache-control"), "no-cache");
    assert.equal((await fetch(server.url + "/api/health")).headers.get("cache-control"), "no-store");
  } finally {
    await browser.close();
    await server.stop();
  }
});

test("after a full browser restart with no network, every page still works", async () => {
  let server = await startServer();
  const profile = mkdtempSync(join(tmpdir(), "hoptac-profile-"));
  let ctx = await chromium.launchPersistentContext(profile, { executablePath: EXE, args: ARGS, viewport: { width: 1280, height: 800 } });
  let page = ctx.pages()[0] ?? (await ctx.newPage());
  await signIn(page, server.url, OFFICER);
  await page.getByRole("link", { name: /HTX Thêu ren Văn Lâm/ }).waitFor();
  await controlled(page);
  await ctx.close();
  await server.stop();

  // A new browser on the same profile, the network cut, the server gone.
  ctx = await chromium.launchPersistentContext(profile, { executablePath: EXE, args: ARGS, offline: true, viewport: { width: 390, height: 844 } });
  page = ctx.pages()[0] ?? (await ctx.newPage());
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    await page.goto(server.url + "/");
    await page.getByText("Mất mạng").waitFor();
    await page.getByRole("link", { name: /HTX Thêu ren Văn Lâm/ }).waitFor();
    await page.goto(server.url + "/htx/coop-002");
    await page.getByRole("heading", { name: "HTX Dịch vụ nông nghiệp Ninh Giang" }).waitFor();
    await page.goto(server.url + "/htx/coop-002/khao-sat");
    await page.getByLabel("Nội dung làm việc").waitFor();
    await page.goto(server.url + "/htx/coop-002/sua");
    await page.getByLabel("Số thành viên", { exact: true }).waitFor();
    await page.goto(server.url + "/may");
    await page.getByRole("heading", { name: "Máy này" }).waitFor();
    await page.getByText("Ứng dụng đã được lưu trên máy: mọi trang mở được khi mất sóng.").waitFor();
    await page.goto(server.url + "/dang-nhap");
    await page.getByLabel("Tên đăng nhập").waitFor();
    await page.goto(server.url + "/no-such-page");
    await page.getByText("Không có trang này.").waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
});

test("a page whose part was never fetched says so offline, and opens once back online", async () => {
  const server = await startServer();
  const browser = await launch();
  try {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    // No service worker: nothing is saved for offline use beyond what the page loaded.
    await ctx.route("**/sw.js", (route) => route.abort());
    const page = await ctx.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(server.url + "/");
    await page.getByLabel("Tên đăng nhập").fill(SUPERVISOR.username);
    await page.getByLabel("Mật khẩu").fill(SUPERVISOR.password);
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.getByText("Đồng bộ lần cuối:").waitFor();
    await page.getByText("Trình duyệt này không lưu được ứng dụng: cần có mạng để mở các trang.").waitFor();
    // The supervisor's first page (the review queue) is in their part; "This tablet" is in
    // the officer's, which this browser never fetched.
    await page.getByRole("heading", { name: "Phiếu khảo sát đã gửi" }).waitFor();
    await ctx.setOffline(true);
    const device = page.getByRole("navigation").getByRole("link", { name: "Máy này" });
    await device.click();
    const alert = page.getByRole("alert").filter({ hasText: "Chưa tải được trang này" });
    await alert.waitFor();
    // The app still runs: the queue is one tap away.
    await page.goBack();
    await page.getByRole("heading", { name: "Phiếu khảo sát đã gửi" }).waitFor();
    await device.click();
    await alert.waitFor();
    await ctx.setOffline(false);
    await Promise.all([page.waitForEvent("load"), page.getByRole("button", { name: "Thử lại" }).click()]);
    await page.getByRole("heading", { name: "Máy này" }).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});

test("a page whose part is slow to arrive says it is opening", async () => {
  const server = await startServer();
  const browser = await launch();
  try {
    // No service worker, so that the part comes from the (slow) network every time.
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: "block" });
    await ctx.route(/\/split_officer-[0-9a-f]+\.wasm$/, async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    const page = await ctx.newPage();
    await page.goto(server.url + "/");
    await page.getByLabel("Tên đăng nhập").fill(OFFICER.username);
    await page.getByLabel("Mật khẩu").fill(OFFICER.password);
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    // The registry is the officer's first page, in their part.
    await page.getByRole("status").filter({ hasText: "Đang mở trang…" }).waitFor();
    await page.getByRole("link", { name: /HTX Thêu ren Văn Lâm/ }).waitFor();
    assert.equal(await page.getByText("Đang mở trang…").count(), 0, "the message goes once the page is there");
    // The part is loaded once: the cooperative's page opens at once.
    await page.getByRole("link", { name: /HTX Thêu ren Văn Lâm/ }).click();
    await page.getByRole("heading", { name: "HTX Thêu ren Văn Lâm" }).waitFor();
  } finally {
    await browser.close();
    await server.stop();
  }
});

test("an update from one build to the next while a draft is open loses nothing", async () => {
  // The next build: the same app with a changed service worker version and stylesheet, as
  // a new release has.
  const next = mkdtempSync(join(tmpdir(), "hoptac-next-"));
  cpSync(join(ROOT, "dist"), next, { recursive: true });
  const sw = readFileSync(join(next, "sw.js"), "utf8").replace(/const VERSION = "([^"]+)"/, 'const VERSION = "$1-next"');
  writeFileSync(join(next, "sw.js"), sw);
  writeFileSync(join(next, "sw.js.br"), brotliCompressSync(sw));
  writeFileSync(join(next, "sw.js.gz"), gzipSync(sw));

  let server = await startServer();
  const { db, port, url } = server;
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(page, url, OFFICER);
    await page.getByRole("link", { name: /HTX Thêu ren Văn Lâm/ }).click();
    await controlled(page);
    // Offline: one report saved (in the outbox), another still a draft in the form.
    await page.context().setOffline(true);
    await server.stop();
    const saved = "Đã lưu khi mất mạng: doanh thu giảm";
    await page.getByRole("link", { name: "Viết phiếu khảo sát" }).click();
    await page.getByLabel("Nội dung làm việc").fill(saved);
    await page.getByRole("button", { name: "Gửi phiếu" }).click();
    await page.getByText("1 thay đổi chờ đồng bộ").waitFor();
    await page.getByRole("link", { name: "Viết phiếu khảo sát" }).click();
    const draft = "Bản nháp chưa lưu: HTX cần hỗ trợ máy sấy";
    await page.getByLabel("Nội dung làm việc").fill(draft);

    // The new release goes live on the server; the network comes back.
    server = await startServer({ db, port, dist: next });
    await page.context().setOffline(false);
    await page.getByRole("button", { name: "Đồng bộ ngay" }).click();
    const reload = page.getByRole("button", { name: "Tải lại để cập nhật" });
    await reload.waitFor({ timeout: 20_000 });
    // The new release installed with this tablet's parts: the officer's, not the
    // supervisor's (what the tablet keeps outlives the release).
    const nextParts = await page.evaluate(async () => {
      const name = (await caches.keys()).find((k) => k.endsWith("-next"));
      return (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname).filter((p) => /^\/(split|chunk)_/.test(p));
    });
    assert.ok(nextParts.some((p) => p.startsWith("/split_officer-")), `the officer's part is kept: ${nextParts}`);
    assert.ok(!nextParts.some((p) => p.startsWith("/split_supervisor-")), `the supervisor's part is not: ${nextParts}`);
    // Nothing changed under the open form until the officer chose to reload.
    assert.equal(await page.getByLabel("Nội dung làm việc").inputValue(), draft);
    await Promise.all([page.waitForEvent("load"), reload.click()]);
    await page.getByRole("heading", { name: "Phiếu khảo sát hợp tác xã" }).waitFor();
    await page.waitForFunction((d) => document.querySelector("#visit-note")?.value === d, draft);
    await page.getByText("Không có thay đổi chờ gửi").waitFor();
    await page.getByRole("link", { name: /← HTX Thêu ren Văn Lâm/ }).click();
    await page.getByRole("list", { name: "Các lần khảo sát" }).getByText(saved).waitFor();
    await page.getByRole("link", { name: "Tiếp tục phiếu đang viết" }).waitFor();
    const version = await page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith("hoptac-") && k !== "hoptac-keep"));
    assert.equal(version.length, 1, "the old cache is gone");
    assert.match(version[0], /-next$/, "the new version serves the app");
  } finally {
    await browser.close();
    await server.stop();
  }
});

test("a device keeps its user's pages: an officer's tablet the officer's, a supervisor's the supervisor's", async () => {
  const server = await startServer();
  const browser = await launch();
  const kept = (page) => page.evaluate(async () => {
    const names = (await caches.keys()).filter((k) => k.startsWith("hoptac-") && k !== "hoptac-keep");
    const files = [];
    for (const n of names) for (const r of await (await caches.open(n)).keys()) files.push(new URL(r.url).pathname);
    return files;
  });
  try {
    const officer = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(officer, server.url, OFFICER);
    let files = await kept(officer);
    assert.ok(files.some((f) => /^\/hoptac-[0-9a-f]+_bg\.wasm$/.test(f)), "the main wasm is kept");
    assert.ok(files.some((f) => f.startsWith("/split_officer-")), "the officer's part is kept");
    assert.ok(files.some((f) => f.startsWith("/chunk_")), "with the code it shares");
    assert.ok(!files.some((f) => f.startsWith("/split_supervisor-")), "the supervisor's part is not downloaded for an officer");
    // Offline, every page the officer uses opens from what was kept.
    await officer.context().setOffline(true);
    await officer.reload();
    await officer.getByRole("link", { name: /HTX Thêu ren Văn Lâm/ }).click();
    await officer.getByRole("link", { name: "Viết phiếu khảo sát" }).click();
    await officer.getByLabel("Nội dung làm việc").waitFor();
    await officer.goto(server.url + "/may");
    await officer.getByText("Ứng dụng đã được lưu trên máy: mọi trang mở được khi mất sóng.").waitFor();
    await officer.context().close();

    const supervisor = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signIn(supervisor, server.url, SUPERVISOR);
    files = await kept(supervisor);
    assert.ok(files.some((f) => f.startsWith("/split_supervisor-")), "a supervisor keeps their part");
    assert.ok(!files.some((f) => f.startsWith("/split_officer-")), "not the officer's (their pages need the server)");
    // A cooperative's page (the officer's part) still opens for them, over the network.
    await supervisor.goto(server.url + "/htx/coop-001");
    await supervisor.getByRole("heading", { name: "HTX Thêu ren Văn Lâm" }).waitFor();
  } finally {
    await browser.close();
    await server.stop();
  }
});
