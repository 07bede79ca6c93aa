// Makes the probe JPEG of public/photo-upright.js: 2×1 white pixels encoded by Chromium's
// own JPEG encoder, with an EXIF of one field, Orientation 6 (written by piexifjs). A
// decoder that honours EXIF orientation gives 1×2 pixels from it. Writes it into
// public/photo-upright.js (the line `const PROBE = "…";`).
// Usage: node scripts/photo-probe.mjs   (needs `npm ci` and /usr/bin/chromium)
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import piexif from "piexifjs";
import { ROOT, launch } from "../tests/e2e/helpers.mjs";

const browser = await launch();
const page = await browser.newPage();
const b64 = await page.evaluate(async () => {
  const c = new OffscreenCanvas(2, 1);
  const g = c.getContext("2d");
  g.fillStyle = "#fff";
  g.fillRect(0, 0, 2, 1);
  const blob = await c.convertToBlob({ type: "image/jpeg", quality: 0.1 });
  let s = "";
  for (const b of new Uint8Array(await blob.arrayBuffer())) s += String.fromCharCode(b);
  return btoa(s);
});
await browser.close();
const jpeg = Buffer.from(b64, "base64").toString("binary");
const exif = piexif.dump({ "0th": { [piexif.ImageIFD.Orientation]: 6 } });
const probe = Buffer.from(piexif.insert(exif, jpeg), "binary").toString("base64");
const path = join(ROOT, "public/photo-upright.js");
const text = readFileSync(path, "utf8");
const next = text.replace(/const PROBE = "[^"]*";/, `const PROBE = "${probe}";`);
if (next === text && !text.includes(probe)) throw new Error("no `const PROBE = \"…\";` line in public/photo-upright.js");
writeFileSync(path, next);
console.log(`probe: ${Buffer.from(probe, "base64").length} bytes, written into public/photo-upright.js`);
