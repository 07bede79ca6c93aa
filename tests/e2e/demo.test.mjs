// The demo a newcomer sees first (`make run`, `--demo`): today's Ninh Bình with its
// official units, its history across the 1 July 2025 reform, times that make sense, the
// six-monthly review opening on the latest half-year with reports and its figures against
// plan, filters that name today's units, and a cooperative that says where it is and was.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launch, signIn, OFFICER, SUPERVISOR } from "./helpers.mjs";

const browser = await launch();
after(() => browser.close());

test("the demo is today's Ninh Bình with five half-years of history", async () => {
  const server = await startServer({ demo: "today" });
  const { url } = server;
  const errors = [];
  const sup = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  sup.on("pageerror", (e) => errors.push(e.message));
  sup.setDefaultTimeout(20_000);
  await signIn(sup, url, SUPERVISOR);

  // The review opens on the latest half-year with reports: 2026-H1, three new HTX against
  // a target of four.
  await sup.goto(`${url}/tong-ket`);
  const period = sup.getByLabel("Kỳ báo cáo");
  await sup.getByRole("table", { name: "Phát triển HTX, THT" }).getByRole("row")
    .filter({ hasText: "HTX thành lập mới" }).getByText("kế hoạch 4, đạt 75%").waitFor();
  assert.equal(await period.inputValue(), "2026-H1");

  // The queue: received in 2026 (not 2001), filtered by today's ward or a former district.
  await sup.goto(`${url}/bao-cao`);
  const table = sup.getByRole("table", { name: "Phiếu khảo sát" });
  const first = table.getByRole("row").nth(1);
  await first.waitFor();
  assert.match(await first.innerText(), /\d\d:\d\d \d\d\/\d\d\/2026/);
  const area = sup.getByLabel("Địa bàn", { exact: true });
  const options = await area.locator("option").allInnerTexts();
  assert.ok(options.includes("Phường Tây Hoa Lư"), options.join(" | "));
  assert.ok(options.includes("Thành phố Hoa Lư (trước 01/07/2025)"), options.join(" | "));
  assert.ok(!options.some((o) => /^Huyện [^(]*$/.test(o)), "no open district: " + options.join(" | "));
  await area.selectOption({ label: "Thành phố Hoa Lư (trước 01/07/2025)" });
  await table.getByRole("row").filter({ hasText: "HTX Thêu ren Văn Lâm" }).first().waitFor();
  const dates = await table.getByRole("row").locator("td:nth-child(2)").allInnerTexts();
  assert.ok(dates.length > 0 && dates.every((d) => /\/(2021|2024)$/.test(d)), dates.join(" "));

  // An officer's cooperative says where it is, and where it was before the reform.
  const officer = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  officer.on("pageerror", (e) => errors.push(e.message));
  officer.setDefaultTimeout(20_000);
  await signIn(officer, url, OFFICER);
  await officer.getByRole("link", { name: "HTX Thêu ren Văn Lâm" }).click();
  await officer.getByTestId("coop-area").getByText("Phường Nam Hoa Lư, Tỉnh Ninh Bình").waitFor();
  await officer.getByTestId("coop-former-area").getByText("Xã Ninh Hải, Thành phố Hoa Lư (đến 01/07/2025)").waitFor();

  assert.deepEqual(errors, []);
  await server.stop();
});
