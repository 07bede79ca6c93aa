// The page's side of public/photo-worker.js (a wasm-bindgen snippet; see src/photos.rs).
// preparePhoto(file, longSide) resolves to the photo as the tablet keeps it
//   { blob, hash, bytes, width, height, takenAt?, lat?, lon?, accuracy? }
// made by the worker (upright, downscaled, JPEG, metadata stripped). Where the browser has
// no worker or no OffscreenCanvas, or the worker fails, the same is done on the page with
// a <canvas> (slower, but the camera's metadata is dropped all the same; no time or place
// is read then); also when the worker has no createImageBitmap (it answers `onPage`).
// Turning the photo upright where the browser lacks createImageBitmap's options (or
// createImageBitmap) is public/photo-upright.js's, loaded by the worker and here alike.
// Rejects when it is not an image the browser can read, or after TIMEOUT_MS (a worker
// that died on a huge image never leaves the form waiting).
const TIMEOUT_MS = 60_000;
let worker = null;
let seq = 0;
const waiting = new Map();

function failAll() {
  // The worker itself failed (its script did not load, it died): every photo waiting is
  // made on the page instead.
  const all = [...waiting.values()];
  waiting.clear();
  if (worker && worker !== "broken") worker.terminate();
  worker = "broken";
  for (const w of all) {
    clearTimeout(w.timer);
    onPage(w.file, w.longSide).then(w.ok, w.fail);
  }
}

function startWorker() {
  if (worker || typeof Worker === "undefined" || typeof OffscreenCanvas === "undefined") return worker;
  try {
    worker = new Worker("/photo-worker.js");
  } catch {
    worker = "broken";
    return worker;
  }
  worker.onmessage = (event) => {
    const done = waiting.get(event.data.seq);
    if (!done) return;
    waiting.delete(event.data.seq);
    clearTimeout(done.timer);
    if (event.data.ok) done.ok(event.data);
    else if (event.data.onPage) onPage(done.file, done.longSide).then(done.ok, done.fail);
    else done.fail(new Error(event.data.error || "unreadable"));
  };
  worker.onerror = (event) => {
    event.preventDefault?.();
    failAll();
  };
  worker.onmessageerror = () => failAll();
  return worker;
}

function hexOf(buf) {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

// A classic script from this origin, once (CSP: script-src 'self'); resolves when it ran.
const scripts = new Map();
function loadScript(src) {
  if (!scripts.has(src)) {
    scripts.set(src, new Promise((ok, fail) => {
      const s = document.createElement("script");
      s.src = src;
      s.onload = () => ok();
      s.onerror = () => {
        scripts.delete(src);
        fail(new Error(`${src} did not load`));
      };
      document.head.appendChild(s);
    }));
  }
  return scripts.get(src);
}

// ExifReader's tags of `file` (for its Orientation), or null. Asked for only where the
// browser cannot turn the photo itself.
async function tagsOf(file) {
  await loadScript("/exif-reader.js");
  return self.ExifReader.load(file, { expanded: true, length: 128 * 1024 });
}

async function onPage(file, longSide) {
  await loadScript("/photo-upright.js");
  const upright = self.hoptacUpright;
  const up = await upright.decode(file, () => tagsOf(file));
  const scale = Math.min(1, longSide / Math.max(up.width, up.height));
  const width = Math.max(1, Math.round(up.width * scale));
  const height = Math.max(1, Math.round(up.height * scale));
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  upright.draw(canvas.getContext("2d"), up.image, up.orientation, width, height);
  upright.release(up.image);
  const blob = await new Promise((ok, fail) =>
    canvas.toBlob((b) => (b ? ok(b) : fail(new Error("unreadable"))), "image/jpeg", 0.85));
  const hash = hexOf(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer()));
  return { blob, hash, bytes: blob.size, width, height };
}

export function preparePhoto(file, longSide) {
  const w = startWorker();
  if (!w || w === "broken") return onPage(file, longSide);
  const n = ++seq;
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      if (waiting.delete(n)) fail(new Error("timeout"));
    }, TIMEOUT_MS);
    waiting.set(n, { ok, fail, file, longSide, timer });
    w.postMessage({ seq: n, file, longSide });
  });
}

// { usage, quota } in bytes (0, 0 when the browser does not say).
export async function storageEstimate() {
  try {
    const e = await navigator.storage.estimate();
    return { usage: e.usage || 0, quota: e.quota || 0 };
  } catch {
    return { usage: 0, quota: 0 };
  }
}

export function objectUrl(blob) {
  return URL.createObjectURL(blob);
}

export function revokeUrl(url) {
  URL.revokeObjectURL(url);
}

// The files an <input type=file> holds, as an array (its FileList is live).
export function filesOf(input) {
  return Array.from(input.files || []);
}


// A photo's bytes as base64 (for the rescue file), by the browser's own FileReader.
export function toBase64(blob) {
  return new Promise((ok, fail) => {
    const r = new FileReader();
    r.onload = () => ok(String(r.result).replace(/^data:[^,]*,/, ""));
    r.onerror = () => fail(String(r.error));
    r.readAsDataURL(blob);
  });
}

// Base64 back to a JPEG Blob and the SHA-256 of its bytes: [blob, hash], or null when the
// text is not base64.
export async function fromBase64(text) {
  try {
    const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    const blob = new Blob([bytes], { type: "image/jpeg" });
    return [blob, hexOf(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer()))];
  } catch {
    return null;
  }
}

// Resolves once `el` is on screen (or at once where IntersectionObserver is missing): a
// long list loads each row's thumbnail only when the row is seen.
export function whenVisible(el) {
  if (typeof IntersectionObserver === "undefined") return Promise.resolve();
  return new Promise((ok) => {
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        io.disconnect();
        ok();
      }
    }, { rootMargin: "200px" });
    io.observe(el);
  });
}
