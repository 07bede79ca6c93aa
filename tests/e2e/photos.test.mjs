// Issue 17, the supervisor's side in Chromium: a report whose two photos were taken on the
// tablet, one uploaded (by content hash, as the tablet does) and one still on the tablet.
// The review page shows the first as a thumbnail that opens full size, and says the second
// is still on the officer's tablet, never a broken image; the review queue shows the
// report's first photo as a thumbnail.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { startServer, launch, signIn, api, tokenFor, OFFICER, SUPERVISOR } from "./helpers.mjs";

const browser = await launch();
after(() => browser.close());

/** A real JPEG of w×h pixels of noise, encoded by Chromium's own encoder. */
async function jpeg(page, w, h) {
  const b64 = await page.evaluate(async ([w, h]) => {
    const c = new OffscreenCanvas(w, h);
    const g = c.getContext("2d");
    const img = g.createImageData(w, h);
    for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 2654435761) >>> 24;
    g.putImageData(img, 0, 0);
    const blob = await c.convertToBlob({ type: "image/jpeg", quality: 0.9 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = "";
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  }, [w, h]);
  const bytes = Buffer.from(b64, "base64");
  return { bytes, hash: createHash("sha256").update(bytes).digest("hex") };
}

test("the review page shows a report's photos, and the one not uploaded yet as still on the tablet", async () => {
  const server = await startServer();
  const { url } = server;
  const errors = [];
  const scratch = await browser.newPage();
  const sent = await jpeg(scratch, 1600, 1200);
  const waiting = await jpeg(scratch, 800, 600);
  await scratch.close();
  assert.ok(sent.bytes.length > 1_000_000, `a photo of a few MB: ${sent.bytes.length}`);

  const officer = await tokenFor(url, OFFICER);
  const up = await fetch(`${url}/api/photos/${sent.hash}`, {
    method: "PUT", headers: { authorization: `Bearer ${officer}`, "content-type": "image/jpeg" }, body: sent.bytes,
  });
  assert.equal(up.status, 200, await up.text());
  const ref = (p, section, caption) => ({ hash: p.hash, section, caption, bytes: p.bytes.length, width: 0, height: 0 });
  const pushed = await api(url, "/api/sync/push", { token: officer, body: { client_id: "e2e-photos", mutations: [{
    id: 1, created_at: Date.now(),
    op: { type: "submit_visit", data: {
      id: "v-photos-e2e", cooperative_id: "coop-001", author_id: "x", visit_date: "2021-06-11", note: "Khảo sát có ảnh", status: "submitted", created_at: 1,
      findings: { photos: [ref(sent, "headquarters", "Trụ sở HTX"), ref(waiting, "works", "Kênh mương bàn giao")] },
    } },
  }] } });
  assert.deepEqual(pushed.body.rejected, [], JSON.stringify(pushed.body));

  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  page.setDefaultTimeout(20_000);
  await signIn(page, url, SUPERVISOR);
  await page.goto(`${url}/bao-cao/v-photos-e2e`);
  const photos = page.getByRole("list", { name: "Ảnh" });
  const thumb = photos.getByRole("img", { name: "Trụ sở — Trụ sở HTX" });
  await thumb.waitFor();
  const size = await thumb.evaluate((img) => img.complete ? [img.naturalWidth, img.naturalHeight] : [0, 0]);
  assert.deepEqual(size, [320, 240], "the server's thumbnail, shown");
  await photos.getByText("Ảnh còn trên máy tính bảng của cán bộ, chưa gửi lên máy chủ.").waitFor();
  assert.equal(await photos.getByRole("img").count(), 1, "no broken image for the missing photo");
  await photos.getByRole("button", { name: "Xem ảnh lớn: Trụ sở — Trụ sở HTX" }).click();
  const full = page.locator("img.photo-full");
  await full.waitFor();
  assert.deepEqual(await full.evaluate((img) => [img.naturalWidth, img.naturalHeight]), [1600, 1200]);

  // The review queue shows the report's first photo as a thumbnail, and how many it has.
  await page.goto(`${url}/bao-cao`);
  const row = page.getByRole("row").filter({ hasText: "Khảo sát có ảnh" });
  await row.getByText("2 ảnh").waitFor();
  const queued = row.getByRole("img", { name: "Trụ sở" });
  await queued.waitFor();
  assert.ok(await queued.evaluate((img) => img.complete && img.naturalWidth === 320), "the thumbnail, loaded");
  assert.deepEqual(errors, []);
  await server.stop();
});
