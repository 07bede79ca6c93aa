// Issue 27 case 7: on browsers without createImageBitmap's options bag (Chrome before 112,
// Safari before 16, older Android WebViews) every photo failed ("cannot be read"). This
// test needs no build: it serves public/photo-worker.js, public/photo-upright.js,
// src/photos.js and ExifReader from a small server of its own (with the app's CSP, read
// from crates/server/src/lib.rs) and calls preparePhoto in Debian's Chromium, once with
// the real createImageBitmap and then with a createImageBitmap that throws when given
// options, as an old browser's does (in the worker and on the page), with and without a
// decoder that turns by EXIF itself, with and without OffscreenCanvas, and with no
// createImageBitmap at all (an <img> on the page). The photos are real JPEGs (Chromium's
// encoder) with a camera's EXIF (piexifjs) of Orientation 1–8, each four coloured
// quadrants once upright: the result must be upright (each quadrant's colour sampled),
// 120 px on its long side, with no EXIF left; the worker's results keep the time and
// place read from the EXIF.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import piexif from "piexifjs";
import { ROOT, launch } from "./helpers.mjs";

// The app's Content-Security-Policy, as the server sends it (its Rust string literal).
const CSP = (() => {
  const src = readFileSync(join(ROOT, "crates/server/src/lib.rs"), "utf8");
  const m = /pub const CONTENT_SECURITY_POLICY: &str = "((?:[^"\\]|\\[\s\S])*)";/.exec(src);
  if (!m) throw new Error("CONTENT_SECURITY_POLICY not found in crates/server/src/lib.rs");
  return m[1].replace(/\\\n\s*/g, "");
})();

const UPRIGHT = [240, 160]; // every photo's upright size
const LONG_SIDE = 120;
const TAKEN = "2026:11:28 09:15:00";
const TAKEN_MS = Date.parse("2026-11-28T09:15:00+07:00");
const MAKE = "HoptacTestCam";
// The upright picture's quadrants: top left, top right, bottom left, bottom right.
const COLOURS = { tl: [255, 0, 0], tr: [0, 200, 0], bl: [0, 0, 255], br: [255, 255, 0] };

/** What runs first in the worker (prepended to its script) and on the page (init script):
 * keeps the real functions in self.__real, then plays an older browser. */
function shim(flags) {
  return `(() => {
  const flags = ${JSON.stringify(flags)};
  const g = self;
  const real = g.createImageBitmap;
  g.__real = { createImageBitmap: real, OffscreenCanvas: g.OffscreenCanvas };
  const set = (name, value) => Object.defineProperty(g, name, { value, configurable: true, writable: true });
  // A JPEG without its APP1 segments: what a decoder that ignores EXIF sees.
  async function withoutExif(blob) {
    const b = new Uint8Array(await blob.arrayBuffer());
    const parts = [b.subarray(0, 2)];
    let i = 2;
    while (i + 4 <= b.length && b[i] === 0xff && b[i + 1] !== 0xda) {
      const end = i + 2 + ((b[i + 2] << 8) | b[i + 3]);
      if (b[i + 1] !== 0xe1) parts.push(b.subarray(i, end));
      i = end;
    }
    parts.push(b.subarray(i));
    return new Blob(parts, { type: blob.type });
  }
  if (flags.noBitmap) set("createImageBitmap", undefined);
  else if (flags.refuseOptions) set("createImageBitmap", function createImageBitmap(src, ...rest) {
    if (rest.length) throw new TypeError("Failed to execute 'createImageBitmap': The provided value 'from-image' is not a valid enum value of type ImageOrientation.");
    if (!flags.decoderTurns && src instanceof Blob) return withoutExif(src).then((b) => real.call(g, b));
    return real.call(g, src);
  });
  if (flags.noOffscreen) set("OffscreenCanvas", undefined);
})();
`;
}

const fixtures = new Map(); // name → { bytes, orientation, upright: [w, h] }
let workerShim = shim({});
const server = createServer((req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  const send = (type, body) => {
    res.writeHead(200, { "content-type": type, "content-security-policy": CSP, "cache-control": "no-store" });
    res.end(body);
  };
  const js = (file, prefix = "") => send("text/javascript", prefix + readFileSync(join(ROOT, file), "utf8"));
  if (path === "/") return send("text/html", "<!DOCTYPE html><meta charset=utf-8><title>photos</title><link rel=icon href=data:,><body></body>");
  if (path === "/photos.js") return js("src/photos.js");
  if (path === "/photo-worker.js") return js("public/photo-worker.js", workerShim);
  if (path === "/photo-upright.js") return js("public/photo-upright.js");
  if (path === "/exif-reader.js") return js("node_modules/exifreader/dist/exif-reader.js");
  const f = /^\/fixtures\/([\w.-]+)$/.exec(path);
  if (f && fixtures.has(f[1])) return send("image/jpeg", fixtures.get(f[1]).bytes);
  res.writeHead(404);
  res.end();
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const url = `http://127.0.0.1:${server.address().port}`;
const browser = await launch();
after(async () => {
  await browser.close();
  await new Promise((ok) => server.close(ok));
});

const deg = (v) => {
  const d = Math.floor(v), m = Math.floor((v - d) * 60), s = Math.round(((v - d) * 60 - m) * 60 * 100);
  return [[d, 1], [m, 1], [s, 100]];
};

/** A camera's JPEG whose pixels, turned by EXIF `orientation`, show COLOURS upright at
 * `upright` size: pixels set one by one (no canvas transform), encoded by Chromium. */
async function cameraJpeg(page, orientation, upright) {
  const b64 = await page.evaluate(async ([o, [UW, UH], colours]) => {
    const swap = o >= 5;
    const [rw, rh] = swap ? [UH, UW] : [UW, UH];
    // Where stored pixel (x, y) shows on the upright picture (EXIF's definitions).
    const shown = (x, y) => [
      null, [x, y], [rw - 1 - x, y], [rw - 1 - x, rh - 1 - y], [x, rh - 1 - y],
      [y, x], [UW - 1 - y, x], [UW - 1 - y, UH - 1 - x], [y, UH - 1 - x],
    ][o];
    const c = new OffscreenCanvas(rw, rh);
    const g = c.getContext("2d");
    const img = g.createImageData(rw, rh);
    for (let y = 0; y < rh; y++) {
      for (let x = 0; x < rw; x++) {
        const [u, v] = shown(x, y);
        const q = (v < UH / 2 ? "t" : "b") + (u < UW / 2 ? "l" : "r");
        img.data.set([...colours[q], 255], (y * rw + x) * 4);
      }
    }
    g.putImageData(img, 0, 0);
    const blob = await c.convertToBlob({ type: "image/jpeg", quality: 0.9 });
    let s = "";
    for (const b of new Uint8Array(await blob.arrayBuffer())) s += String.fromCharCode(b);
    return btoa(s);
  }, [orientation, upright, COLOURS]);
  const [rw, rh] = orientation >= 5 ? [upright[1], upright[0]] : upright;
  const exif = piexif.dump({
    "0th": { [piexif.ImageIFD.Orientation]: orientation, [piexif.ImageIFD.Make]: MAKE },
    Exif: { [piexif.ExifIFD.DateTimeOriginal]: TAKEN, [piexif.ExifIFD.PixelXDimension]: rw, [piexif.ExifIFD.PixelYDimension]: rh },
    GPS: {
      [piexif.GPSIFD.GPSLatitudeRef]: "N", [piexif.GPSIFD.GPSLatitude]: deg(20.25),
      [piexif.GPSIFD.GPSLongitudeRef]: "E", [piexif.GPSIFD.GPSLongitude]: deg(105.97),
    },
  });
  return Buffer.from(piexif.insert(exif, Buffer.from(b64, "base64").toString("binary")), "binary");
}

before(async () => {
  const page = await browser.newPage();
  for (let o = 1; o <= 8; o++) {
    fixtures.set(`o${o}.jpg`, { orientation: o, upright: UPRIGHT, bytes: await cameraJpeg(page, o, UPRIGHT) });
  }
  // Square: orientation 6 cannot be told from the size; the probe decides.
  fixtures.set("o6-square.jpg", { orientation: 6, upright: [160, 160], bytes: await cameraJpeg(page, 6, [160, 160]) });
  await page.close();
});

/** The APP1 segments (EXIF, XMP) of a JPEG, and whether it is one. */
function app1Of(buf) {
  assert.equal(buf.readUInt16BE(0), 0xffd8, "a JPEG");
  const found = [];
  let i = 2;
  while (i + 4 <= buf.length && buf[i] === 0xff && buf[i + 1] !== 0xda) {
    if (buf[i + 1] === 0xe1) found.push(buf.toString("latin1", i + 4, i + 10));
    i += 2 + buf.readUInt16BE(i + 2);
  }
  return found;
}

/** Every fixture through preparePhoto in a fresh context that plays the given browser;
 * checks each result and returns them. */
async function run({ page: pageFlags = {}, worker: workerFlags = {}, path }) {
  workerShim = shim(workerFlags);
  const ctx = await browser.newContext();
  await ctx.addInitScript(shim(pageFlags));
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(url + "/");
  const results = {};
  for (const [name, fx] of fixtures) {
    const r = await page.evaluate(async ([name, longSide]) => {
      const photos = await import("/photos.js");
      const blob = await (await fetch(`/fixtures/${name}`)).blob();
      const file = new File([blob], name, { type: "image/jpeg" });
      let out;
      try {
        out = await photos.preparePhoto(file, longSide);
      } catch (e) {
        return { error: String(e && e.message || e) };
      }
      // The result decoded by the real createImageBitmap (it has no EXIF to honour).
      const bmp = await self.__real.createImageBitmap.call(self, out.blob);
      const c = document.createElement("canvas");
      [c.width, c.height] = [bmp.width, bmp.height];
      const g = c.getContext("2d");
      g.drawImage(bmp, 0, 0);
      const at = (fx, fy) => Array.from(g.getImageData(Math.floor(bmp.width * fx), Math.floor(bmp.height * fy), 1, 1).data.slice(0, 3));
      let s = "";
      for (const b of new Uint8Array(await out.blob.arrayBuffer())) s += String.fromCharCode(b);
      return {
        width: out.width, height: out.height, decoded: [bmp.width, bmp.height], hash: out.hash, bytes: out.bytes,
        takenAt: out.takenAt, lat: out.lat, lon: out.lon,
        quadrants: { tl: at(0.25, 0.25), tr: at(0.75, 0.25), bl: at(0.25, 0.75), br: at(0.75, 0.75) },
        b64: btoa(s),
      };
    }, [name, LONG_SIDE]);
    assert.equal(r.error, undefined, `${name}: ${r.error}`);
    const [uw, uh] = fx.upright;
    const scale = Math.min(1, LONG_SIDE / Math.max(uw, uh));
    const want = [Math.round(uw * scale), Math.round(uh * scale)];
    assert.deepEqual([r.width, r.height], want, `${name}: upright size`);
    assert.deepEqual(r.decoded, want, `${name}: the JPEG's own size`);
    for (const [q, rgb] of Object.entries(COLOURS)) {
      const off = Math.max(...rgb.map((v, k) => Math.abs(v - r.quadrants[q][k])));
      assert.ok(off <= 60, `${name}: ${q} quadrant is ${r.quadrants[q]}, want ${rgb} (upright)`);
    }
    const bytes = Buffer.from(r.b64, "base64");
    assert.equal(bytes.length, r.bytes);
    assert.equal(createHash("sha256").update(bytes).digest("hex"), r.hash, `${name}: hash`);
    assert.deepEqual(app1Of(bytes), [], `${name}: no EXIF left`);
    assert.ok(!bytes.includes(MAKE), `${name}: the camera's make is gone`);
    if (path === "worker") {
      assert.equal(r.takenAt, TAKEN_MS, `${name}: the time read from the EXIF (made in the worker)`);
      assert.ok(Math.abs(r.lat - 20.25) < 1e-3 && Math.abs(r.lon - 105.97) < 1e-3, `${name}: the place read from the EXIF`);
    } else {
      assert.equal(r.takenAt, undefined, `${name}: made on the page (which reads no time)`);
    }
    results[name] = r;
  }
  assert.deepEqual(errors, []);
  await ctx.close();
  return results;
}

const modern = {};

test("current Chromium (createImageBitmap with imageOrientation): the worker makes every photo upright", async () => {
  Object.assign(modern, await run({ path: "worker" }));
});

test("createImageBitmap refuses options, its decoder turns by EXIF (as Chrome before 112): the worker, turned once", async () => {
  const r = await run({ worker: { refuseOptions: true, decoderTurns: true }, page: { refuseOptions: true, decoderTurns: true }, path: "worker" });
  for (const name of fixtures.keys()) assert.deepEqual([r[name].width, r[name].height], [modern[name].width, modern[name].height]);
});

test("createImageBitmap refuses options, its decoder ignores EXIF: the worker turns by the EXIF Orientation", async () => {
  await run({ worker: { refuseOptions: true }, page: { refuseOptions: true }, path: "worker" });
});

test("no OffscreenCanvas (page path), current createImageBitmap", async () => {
  await run({ page: { noOffscreen: true }, path: "page" });
});

test("no OffscreenCanvas, createImageBitmap refuses options, decoder turns by EXIF: on the page", async () => {
  await run({ page: { noOffscreen: true, refuseOptions: true, decoderTurns: true }, path: "page" });
});

test("no OffscreenCanvas, createImageBitmap refuses options, decoder ignores EXIF: on the page, turned by hand", async () => {
  await run({ page: { noOffscreen: true, refuseOptions: true }, path: "page" });
});

test("no createImageBitmap in the worker nor on the page: the worker hands the photo to the page, an <img> decodes it", async () => {
  await run({ worker: { noBitmap: true }, page: { noBitmap: true }, path: "page" });
});
