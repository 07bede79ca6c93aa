// The page's side of public/photo-worker.js (a wasm-bindgen snippet; see src/photos.rs).
// preparePhoto(file, longSide) resolves to the photo as the tablet keeps it
//   { blob, hash, bytes, width, height, takenAt?, lat?, lon?, accuracy?, downscaled }
// made by the worker (upright, downscaled, JPEG, metadata stripped); where the browser has
// no worker or no OffscreenCanvas, the file is kept as it is (named by its SHA-256 here),
// which the server accepts up to 12 MB. Rejects with a message when it is not an image
// the browser can read.
let worker = null;
let seq = 0;
const waiting = new Map();

function startWorker() {
  if (worker || typeof Worker === "undefined" || typeof OffscreenCanvas === "undefined") return worker;
  try {
    worker = new Worker("/photo-worker.js");
  } catch {
    worker = null;
    return null;
  }
  worker.onmessage = (event) => {
    const done = waiting.get(event.data.seq);
    if (!done) return;
    waiting.delete(event.data.seq);
    if (event.data.ok) done.ok({ ...event.data, downscaled: true });
    else done.fail(new Error(event.data.error || "unreadable"));
  };
  worker.onerror = (event) => {
    // The worker itself failed (its script did not load): every photo waiting is done on
    // the page instead, as if there were no worker.
    event.preventDefault?.();
    const all = [...waiting.values()];
    waiting.clear();
    worker.terminate();
    worker = "broken";
    for (const w of all) asIs(w.file).then(w.ok, w.fail);
  };
  return worker;
}

async function asIs(file) {
  const buf = await file.arrayBuffer();
  const hash = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", buf)),
    (b) => b.toString(16).padStart(2, "0")).join("");
  let width = 0, height = 0;
  try {
    const bmp = await createImageBitmap(file);
    width = bmp.width;
    height = bmp.height;
    bmp.close();
  } catch {
    throw new Error("unreadable");
  }
  return { blob: file, hash, bytes: file.size, width, height, downscaled: false };
}

export function preparePhoto(file, longSide) {
  const w = startWorker();
  if (!w || w === "broken") return asIs(file);
  const n = ++seq;
  return new Promise((ok, fail) => {
    waiting.set(n, { ok, fail, file });
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

function hexOf(buf) {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
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
