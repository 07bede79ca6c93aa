// Issue 15, a provincial alliance's first day, end to end in Chromium on an empty
// database: the first administrator made with `hoptac-server admin create --province 37`
// (today's Ninh Bình, its 129 official communes and wards loaded) signs in,
// imports the alliance's registry (200 cooperatives, 5 bad rows: a dry run first, the
// refused rows listed, then the import), creates an officer with two communes; the
// officer signs in on another browser, must change the temporary password, and then
// has exactly those two communes' cooperatives on the tablet, offline.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, launch, createAdmin, unitsOf } from "./helpers.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A CSV cell: quoted when it holds a comma or a quote (RFC 4180). */
const csvCell = (v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The registry file: 195 good rows over today's communes and wards, 5 bad ones. */
function registryFile(dir) {
  const communes = unitsOf("37");
  const sectors = ["Nông nghiệp", "Công nghiệp, tiểu thủ công nghiệp", "Thương mại, dịch vụ", "Vận tải"];
  const lines = ["Tên HTX,Loại hình,Lĩnh vực,Xã/Phường,Mã số thuế,Ngày thành lập,Số thành viên,Vốn điều lệ (đồng),Tình trạng hoạt động"];
  const good = [];
  for (let i = 0; i < 195; i++) {
    const c = communes[i % communes.length];
    const name = `HTX Thử nghiệm số ${i + 1}`;
    good.push({ name, commune: c.id });
    const tax = String(2800000000 + i);
    const capital = `${100 + i}.000.000`;
    lines.push([name, i % 7 === 0 ? "THT" : "HTX", sectors[i % 4], c.name, tax,
      `${String(1 + (i % 28)).padStart(2, "0")}/0${1 + (i % 9)}/20${String(10 + (i % 14)).padStart(2, "0")}`,
      String(7 + i), capital, i % 10 === 0 ? "Hoạt động cầm chừng" : "Đang hoạt động"].map(csvCell).join(","));
  }
  const bad = [
    ["HTX Sai xã", "HTX", "Nông nghiệp", "Xã Không Tồn Tại", "2899999001", "01/01/2020", "9", "", "Đang hoạt động"],
    ["HTX Sai ngày", "HTX", "Nông nghiệp", communes[0].name, "2899999002", "31/02/2020", "9", "", "Đang hoạt động"],
    ["HTX Sai mã thuế", "HTX", "Nông nghiệp", communes[1].name, "28999", "01/01/2020", "9", "", "Đang hoạt động"],
    ["HTX Sai lĩnh vực", "HTX", "Khai khoáng vũ trụ", communes[2].name, "2899999004", "01/01/2020", "9", "", "Đang hoạt động"],
    ["HTX Sai số thành viên", "HTX", "Nông nghiệp", communes[3].name, "2899999005", "01/01/2020", "nhiều", "", "Đang hoạt động"],
  ];
  // Spread through the file, as mistakes are.
  bad.forEach((b, k) => lines.splice(10 + k * 40, 0, b.map(csvCell).join(",")));
  const path = join(dir, "danh-sach-htx.csv");
  writeFileSync(path, "\ufeff" + lines.join("\r\n") + "\r\n");
  return { path, good };
}

test("an empty server becomes a working province: admin from the CLI, registry imported, an officer created who sees exactly their communes offline", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hoptac-first-day-"));
  const db = join(dir, "hoptac.db");
  const out = await createAdmin(db, "quantri.tinh", "mat-khau-quan-tri-1", ["--province", "37"]);
  assert.match(out, /quantri\.tinh/);
  const server = await startServer({ db, demo: false });
  const { url } = server;
  const { path, good } = registryFile(dir);
  const errors = [];
  try {
    // The administrator signs in and imports the registry.
    const admin = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    admin.on("pageerror", (e) => errors.push(e.message));
    await admin.goto(url + "/");
    await admin.getByLabel("Tên đăng nhập").fill("quantri.tinh");
    await admin.getByLabel("Mật khẩu").fill("mat-khau-quan-tri-1");
    await admin.getByRole("button", { name: "Đăng nhập" }).click();
    await admin.getByRole("link", { name: "Quản trị" }).click();
    await admin.getByRole("link", { name: "Nhập danh sách HTX" }).click();
    await admin.locator("#registry-file").setInputFiles(path);
    const summary = admin.getByTestId("import-summary");
    await summary.getByText(/Chạy thử/).waitFor();
    const dry = await summary.innerText();
    assert.match(dry, /195 sẽ tạo mới/, dry);
    assert.match(dry, /5 dòng bị từ chối/, dry);
    const refused = admin.getByRole("table", { name: "Dòng bị từ chối" });
    assert.equal(await refused.getByRole("row").count(), 1 + 5, "a header and the 5 refused rows");
    await refused.getByRole("row").filter({ hasText: "Xã/Phường" }).filter({ hasText: "Xã Không Tồn Tại" }).waitFor();
    await refused.getByRole("row").filter({ hasText: "Ngày thành lập" }).waitFor();
    const download = admin.waitForEvent("download");
    await admin.getByRole("button", { name: "Tải danh sách dòng lỗi (CSV)" }).click();
    const file = readFileSync(await (await download).path(), "utf8");
    assert.equal(file.trim().split("\n").length, 1 + 5, file);
    await admin.getByRole("button", { name: "Nhập 195 hồ sơ" }).click();
    await summary.getByText("Đã nhập: 195 hồ sơ mới").waitFor();

    // An officer with two communes.
    // Two wards of today with two cooperatives each in the file.
    const [u1, u2] = unitsOf("37");
    const [c1, c2] = [u1.id, u2.id];
    await admin.getByRole("link", { name: "Quản trị" }).click();
    await admin.getByLabel("Tên đăng nhập", { exact: true }).fill("canbo.moi");
    await admin.getByLabel("Họ tên", { exact: true }).fill("Đinh Thị Mới");
    await admin.getByRole("checkbox", { name: u1.name, exact: true }).check();
    await admin.getByRole("checkbox", { name: u2.name, exact: true }).check();
    await admin.getByRole("button", { name: "Tạo tài khoản", exact: true }).click();
    const temporary = (await admin.getByTestId("temporary-password").innerText()).trim();
    assert.match(temporary, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    await admin.getByRole("row").filter({ hasText: "canbo.moi" }).getByText("Chờ đổi mật khẩu").waitFor();

    // The officer, on another browser: the temporary password, then their own.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const officer = await context.newPage();
    officer.on("pageerror", (e) => errors.push(e.message));
    await officer.goto(url + "/");
    await officer.getByLabel("Tên đăng nhập").fill("canbo.moi");
    await officer.getByLabel("Mật khẩu").fill(temporary);
    await officer.getByRole("button", { name: "Đăng nhập" }).click();
    await officer.getByRole("heading", { name: "Đổi mật khẩu" }).waitFor();
    await officer.getByText("Bạn đang dùng mật khẩu tạm").waitFor();
    // Going elsewhere shows the same page until it is done.
    await officer.goto(url + "/may");
    await officer.getByRole("heading", { name: "Đổi mật khẩu" }).waitFor();
    await officer.getByLabel("Mật khẩu hiện tại (hoặc mật khẩu tạm)").fill(temporary);
    await officer.getByLabel("Mật khẩu mới", { exact: true }).fill("ngan");
    await officer.getByLabel("Nhập lại mật khẩu mới").fill("ngan");
    await officer.getByRole("button", { name: "Đổi mật khẩu" }).click();
    await officer.getByText("Mật khẩu cần ít nhất 8 ký tự.").waitFor();
    await officer.getByLabel("Mật khẩu mới", { exact: true }).fill("mat-khau-rieng-2025");
    await officer.getByLabel("Nhập lại mật khẩu mới").fill("mat-khau-rieng-2025");
    await officer.getByRole("button", { name: "Đổi mật khẩu" }).click();
    await officer.getByText("Đồng bộ lần cuối:").waitFor();
    await officer.getByTestId("offline-saving").waitFor({ state: "hidden" });

    const mine = good.filter((g) => g.commune === c1 || g.commune === c2).map((g) => g.name).sort();
    assert.ok(mine.length >= 4, `the two communes have imported cooperatives: ${mine.length}`);
    const list = officer.getByRole("list", { name: "Danh sách hợp tác xã" });
    const names = async () =>
      (await list.getByRole("listitem").locator(".name").allInnerTexts()).map((t) => t.trim()).sort();
    await list.getByRole("listitem").first().waitFor();
    assert.deepEqual(await names(), mine, "exactly the two communes' cooperatives");

    // Offline, after a reload: the same.
    await context.setOffline(true);
    await officer.reload();
    await list.getByRole("listitem").first().waitFor();
    assert.deepEqual(await names(), mine, "the same list offline");
    await context.close();
    assert.deepEqual(errors, []);
  } finally {
    await server.stop();
  }
});
