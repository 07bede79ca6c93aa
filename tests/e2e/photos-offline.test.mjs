// Issue 17, the tablet's side end to end in Chromium: a report with three photos of a few
// MB (real JPEGs with the camera's EXIF: time, position, orientation) written offline, one
// photo removed before sending, the browser killed (SIGKILL) and started again offline,
// then the connection cut in the middle of the second photo's upload. Afterwards the server
// holds exactly the two kept photos, each once; the second went on from where the server
// stopped; the supervisor sees both on the review page; the removed one was never sent.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import piexif from "piexifjs";
import { startServer, startChromium, noiseJpeg, launch, signIn, api, tokenFor, OFFICER, SUPERVISOR, allVisits } from "./helpers.mjs";

const scratchBrowser = await launch();
after(() => scratchBrowser.close());

/** A photo as a camera writes it: a JPEG of w×h of noise (a few MB) with EXIF. */
async function cameraJpeg(page, w, h, exif, seed) {
  const raw = (await noiseJpeg(page, w, h, seed)).toString("binary");
  return Buffer.from(piexif.insert(piexif.dump(exif), raw), "binary");
}

const deg = (v) => {
  const d = Math.floor(v), m = Math.floor((v - d) * 60), s = Math.round(((v - d) * 60 - m) * 60 * 100);
  return [[d, 1], [m, 1], [s, 100]];
};
const exifOf = ({ time, lat, lon, orientation = 1 }) => ({
  "0th": { [piexif.ImageIFD.Orientation]: orientation, [piexif.ImageIFD.Make]: "Camera" },
  Exif: { [piexif.ExifIFD.DateTimeOriginal]: time },
  GPS: lat === undefined ? {} : {
    [piexif.GPSIFD.GPSLatitudeRef]: "N", [piexif.GPSIFD.GPSLatitude]: deg(lat),
    [piexif.GPSIFD.GPSLongitudeRef]: "E", [piexif.GPSIFD.GPSLongitude]: deg(lon),
  },
});

test("three photos offline, one removed, the browser killed, the connection cut mid-upload: the server holds the two kept, once each", { timeout: 300_000 }, async () => {
  const server = await startServer();
  const { url, db } = server;
  const photoDir = join(dirname(db), "photos", "photos");
  const files = mkdtempSync(join(tmpdir(), "hoptac-camera-"));
  const scratch = await scratchBrowser.newPage();
  const shots = [
    // Landscape pixels with orientation 6 (the camera was held upright): kept upright.
    { name: "tru-so.jpg", w: 3000, h: 2000, exif: exifOf({ time: "2026:11:28 09:15:00", lat: 20.25, lon: 105.97, orientation: 6 }) },
    { name: "kenh-muong.jpg", w: 4000, h: 3000, exif: exifOf({ time: "2026:11:28 09:40:00", lat: 20.26, lon: 105.98 }) },
    { name: "nham.jpg", w: 4000, h: 3000, exif: exifOf({ time: "2026:11:28 09:41:00" }) },
  ];
  for (const [i, s] of shots.entries()) {
    s.path = join(files, s.name);
    const bytes = await cameraJpeg(scratch, s.w, s.h, s.exif, 1000 + i);
    writeFileSync(s.path, bytes);
    assert.ok(bytes.length > 2_000_000, `${s.name} is a photo of a few MB (${bytes.length} bytes)`);
  }
  await scratch.close();

  const profile = mkdtempSync(join(tmpdir(), "hoptac-tablet-"));
  let tab = await startChromium(profile);
  const errors = [];
  tab.page.on("pageerror", (e) => errors.push(e.message));
  await signIn(tab.page, url, OFFICER);

  // Offline in the field: a report with three photos.
  await tab.ctx.setOffline(true);
  const note = `Khảo sát có ảnh ${Date.now()}`;
  const page = tab.page;
  await page.getByRole("link", { name: /HTX Thêu ren Văn Lâm/ }).click();
  await page.getByRole("link", { name: "Viết phiếu khảo sát" }).click();
  await page.getByLabel("Nội dung làm việc").fill(note);
  await page.getByLabel("Ảnh mới thuộc phần").selectOption({ label: "Trụ sở" });
  // One at a time, as an officer picks them (and Playwright sends files to a browser it
  // did not launch slowly: three at once took longer than its timeout).
  for (const [i, shot] of shots.entries()) {
    await page.getByLabel("Chọn ảnh từ thư viện").setInputFiles([shot.path], { timeout: 60_000 });
    await page.getByTestId("anh-count").getByText(`${i + 1}/10`).waitFor();
  }
  const rows = page.locator("#anh li.photo");
  await rows.nth(2).waitFor();
  await page.getByTestId("anh-count").getByText("3/10").waitFor();
  for (let i = 0; i < 3; i++) await rows.nth(i).locator("img").waitFor();
  const hashes = await rows.evaluateAll((els) => els.map((e) => e.dataset.hash));
  // Kept as the tablet stores them: upright, long side 1600 px, JPEG, no EXIF left.
  const dims = await rows.locator("img").evaluateAll((imgs) => imgs.map((i) => [i.naturalWidth, i.naturalHeight]));
  assert.deepEqual(dims[0], [1067, 1600], "the upright photo stays upright");
  assert.deepEqual(dims[1], [1600, 1200]);
  // The camera's time and position are shown and can be removed.
  // 09:15 in Vietnam (the EXIF has no offset), shown in the tablet's own time zone.
  await rows.nth(0).getByText(/Chụp lúc \d\d:15 28\/11\/2026/).waitFor();
  await rows.nth(0).getByText("20.25000, 105.97000").waitFor();
  await rows.nth(0).getByRole("button", { name: "Bỏ vị trí chụp" }).click();
  await rows.nth(0).getByText("20.25000, 105.97000").waitFor({ state: "detached" });
  await rows.nth(1).getByLabel("Phần").selectOption({ label: "Công trình được bàn giao" });
  await rows.nth(1).getByLabel("Chú thích").fill("Kênh mương bàn giao năm 2025");
  // The third is removed before sending: gone for good.
  await rows.nth(2).getByRole("button", { name: "Xoá ảnh" }).click();
  await rows.nth(2).getByRole("button", { name: "Xoá hẳn ảnh này" }).click();
  await page.getByTestId("anh-count").getByText("2/10").waitFor();
  await page.getByRole("button", { name: "Gửi phiếu" }).click();
  await page.getByText("Đã lưu phiếu trên máy").waitFor();
  await page.getByText("2 ảnh chờ gửi").waitFor();
  const held = await page.evaluate(() => new Promise((ok) => {
    const r = indexedDB.open("hoptac");
    r.onsuccess = () => {
      const g = r.result.transaction("photos").objectStore("photos").getAllKeys();
      g.onsuccess = () => { r.result.close(); ok(g.result); };
    };
  }));
  assert.deepEqual([...held].sort(), hashes.slice(0, 2).sort(), "the removed photo is no longer on the tablet");

  // The tablet's browser is killed, and started again, still offline.
  tab.proc.kill("SIGKILL");
  await new Promise((r) => tab.proc.once("exit", r));
  tab = await startChromium(profile);
  tab.page.on("pageerror", (e) => errors.push(e.message));
  await tab.ctx.setOffline(true);
  await tab.page.goto(url + "/");
  await tab.page.getByText("1 thay đổi chờ đồng bộ").waitFor();
  await tab.page.getByText("2 ảnh chờ gửi").waitFor();

  // Back online; the connection is cut in the middle of the second photo's upload.
  const puts = [];
  let cut = false;
  await tab.ctx.route("**/api/photos/**", async (route) => {
    const req = route.request();
    if (req.method() === "PUT") {
      const u = new URL(req.url());
      const hash = u.pathname.split("/")[3];
      const offset = Number(u.searchParams.get("offset") ?? 0);
      puts.push({ hash, offset });
      if (!cut && hash === hashes[1] && offset > 0) {
        cut = true;
        await tab.ctx.setOffline(true);
        return route.abort("connectionreset");
      }
    }
    return route.continue();
  });
  await tab.ctx.setOffline(false);
  await tab.page.getByRole("button", { name: "Đồng bộ ngay" }).click();
  for (let i = 0; i < 300 && !cut; i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(cut, "the second photo went in pieces and one was cut");
  const officer = await tokenFor(url, OFFICER);
  const midway = (await api(url, `/api/photos/${hashes[1]}/status`, { token: officer })).body;
  assert.equal(midway.complete, false);
  assert.ok(midway.received > 0, `part of the second photo is on the server (${midway.received} bytes)`);
  await tab.page.getByText(/ảnh chờ gửi/).waitFor();

  await tab.ctx.setOffline(false);
  await tab.page.getByRole("button", { name: "Đồng bộ ngay" }).click();
  await tab.page.getByText("Không có thay đổi chờ gửi").waitFor();
  await tab.page.getByText(/ảnh chờ gửi/).waitFor({ state: "detached" });
  const after = puts.slice(puts.findIndex((p) => p.hash === hashes[1] && p.offset > 0) + 1).filter((p) => p.hash === hashes[1]);
  assert.equal(after[0]?.offset, midway.received, "the upload went on from where the server stopped");

  // On the server: the two kept photos, each once; the removed one never sent.
  const stored = readdirSync(photoDir).sort();
  assert.deepEqual(stored, hashes.slice(0, 2).sort());
  const removed = (await api(url, `/api/photos/${hashes[2]}/status`, { token: officer })).body;
  assert.deepEqual(removed, { received: 0, complete: false });
  assert.ok(!puts.some((p) => p.hash === hashes[2]), "no request ever carried the removed photo");
  for (const h of hashes.slice(0, 2)) {
    const r = await fetch(`${url}/api/photos/${h}`, { headers: { authorization: `Bearer ${officer}` } });
    assert.equal(createHash("sha256").update(Buffer.from(await r.arrayBuffer())).digest("hex"), h);
  }
  // The report is "Đã gửi" on the tablet now that its photos are there.
  await tab.page.getByRole("link", { name: /HTX Thêu ren Văn Lâm/ }).click();
  await tab.page.getByText("Đã gửi", { exact: true }).first().waitFor();

  // The supervisor sees both on the review page; the position the officer removed is not
  // in the report, the caption and section are.
  const sup = await tokenFor(url, SUPERVISOR);
  const list = (await allVisits(url, sup)).body;
  const report = list.find((v) => v.note === note);
  assert.ok(report, "the report reached the server");
  const detail = (await api(url, `/api/visits/${report.id}`, { token: sup })).body;
  const photos = (detail.report ?? detail).findings.photos;
  assert.equal(photos.length, 2);
  assert.equal(photos[0].position, undefined, "the position removed on the tablet was not sent");
  assert.ok(photos[0].taken_at > 0, "the time taken was kept");
  assert.equal(photos[1].section, "works");
  assert.equal(photos[1].caption, "Kênh mương bàn giao năm 2025");
  const review = await (await scratchBrowser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  review.setDefaultTimeout(20_000);
  await signIn(review, url, SUPERVISOR);
  await review.goto(`${url}/bao-cao/${report.id}`);
  const imgs = review.getByRole("list", { name: "Ảnh" }).locator("img");
  await imgs.nth(1).waitFor();
  assert.equal(await imgs.count(), 2);
  assert.ok(await imgs.nth(0).evaluate((i) => i.complete && i.naturalWidth > 0), "a real image, not a broken one");
  assert.deepEqual(errors, []);
  tab.proc.kill("SIGKILL");
  await server.stop();
});
