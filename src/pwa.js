// Service worker registration and updates (a wasm-bindgen snippet: an external file, so
// the Content-Security-Policy needs no inline script).
// A new release installs in the background; the page is told (onUpdateReady) and shows
// "a new version is ready — reload"; the user chooses when (applyUpdate).
let waiting = null;

// The offline state told to the page: 1 once a service worker controls the page and the
// signed-in user's parts are cached (every page they open works without network), 0 while
// either is still under way, 2 if this browser cannot register a service worker.
const offline = { report: () => {}, controlled: false, kept: true, unavailable: false };
function reportOffline() {
  offline.report(offline.unavailable ? 2 : offline.controlled && offline.kept ? 1 : 0);
}

export function registerServiceWorker(onUpdateReady, onOffline) {
  offline.report = onOffline;
  if (!("serviceWorker" in navigator)) { offline.unavailable = true; reportOffline(); return; }
  // Registered once the page has loaded, so that the worker's first install (which caches
  // the app's files for offline use) does not compete with the first page's own load.
  if (document.readyState !== "complete") {
    window.addEventListener("load", () => registerServiceWorker(onUpdateReady, onOffline), { once: true });
    return;
  }
  const sw = navigator.serviceWorker;
  const onControlled = () => { offline.controlled = true; reportOffline(); };
  if (sw.controller) onControlled();
  else sw.addEventListener("controllerchange", onControlled, { once: true });
  sw.register("/sw.js").then((reg) => {
    const notify = (worker) => { waiting = worker; onUpdateReady(); };
    if (reg.waiting && navigator.serviceWorker.controller) notify(reg.waiting);
    reg.addEventListener("updatefound", () => {
      const worker = reg.installing;
      if (!worker) return;
      worker.addEventListener("statechange", () => {
        // "installed" with a controller in place: an update, not the first install.
        if (worker.state === "installed" && navigator.serviceWorker.controller) notify(worker);
      });
    });
  }).catch((e) => {
    console.warn("service worker registration failed", e);
    if (!sw.controller) { offline.unavailable = true; reportOffline(); }
  });
}

// Asks the service worker to keep the wasm parts `names` (["officer"], …) for offline
// use, in this release and the next ones. The offline state is 0 ("saving the app") until
// they are cached; without network it is tried again when the network comes back.
let keepRun = 0;
export function keepParts(names) {
  if (!("serviceWorker" in navigator)) return;
  const run = ++keepRun;
  offline.kept = false;
  reportOffline();
  const attempt = () => navigator.serviceWorker.ready.then((reg) => new Promise((resolve, reject) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (e) => (e.data && e.data.ok ? resolve() : reject(new Error(e.data && e.data.error)));
    reg.active.postMessage({ keep: names }, [channel.port2]);
  }));
  attempt().then(() => {
    if (run !== keepRun) return;
    offline.kept = true;
    reportOffline();
  }, (e) => {
    console.warn("could not keep the app's parts for offline use", e);
    if (run === keepRun) window.addEventListener("online", () => { if (run === keepRun) keepParts(names); }, { once: true });
  });
}

export function checkForUpdate() {
  if (!("serviceWorker" in navigator) || !navigator.onLine) return;
  navigator.serviceWorker.getRegistration().then((r) => r && r.update()).catch(() => {});
}

export function applyUpdate() {
  if (!waiting) { location.reload(); return; }
  navigator.serviceWorker.addEventListener("controllerchange", () => location.reload(), { once: true });
  waiting.postMessage("skip-waiting");
}

// The device's position, when the officer allows it. Calls onOk(lat, lon, accuracyM) or
// onErr(code): 1 permission denied, 2 unavailable, 3 timeout, 0 no geolocation here.
export function getPosition(onOk, onErr) {
  if (!("geolocation" in navigator)) { onErr(0); return; }
  navigator.geolocation.getCurrentPosition(
    (p) => onOk(p.coords.latitude, p.coords.longitude, p.coords.accuracy),
    (e) => onErr(e.code),
    { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 },
  );
}

// Storage: whether the browser promised to keep our data, and how much is used.
export async function storageInfo() {
  const s = navigator.storage;
  if (!s) return { persisted: false, usage: 0, quota: 0 };
  const [persisted, est] = await Promise.all([s.persisted ? s.persisted() : false, s.estimate ? s.estimate() : {}]);
  return { persisted, usage: est.usage || 0, quota: est.quota || 0 };
}

export async function requestPersist() {
  return navigator.storage && navigator.storage.persist ? navigator.storage.persist() : false;
}

// Saves `text` as a file the user keeps (a download).
function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function downloadText(filename, text) {
  saveBlob(new Blob([text], { type: "application/json" }), filename);
}

// Fetches a file from the API with the session's token and saves it under the name the
// server gives (Content-Disposition). Resolves to "" when saved, "network" when the server
// could not be reached, or the server's JSON error body.
export async function downloadFile(url, token) {
  let resp;
  try {
    resp = await fetch(url, { headers: { authorization: "Bearer " + token } });
  } catch (e) {
    return "network";
  }
  if (!resp.ok) return (await resp.text().catch(() => "")) || "network";
  const m = /filename="([^"]+)"/.exec(resp.headers.get("content-disposition") || "");
  saveBlob(await resp.blob(), m ? m[1] : "hoptac");
  return "";
}

// Fetches a photo from the API with the session's token (an <img> cannot send it) and
// resolves to an object URL for it, or to "404" (not on the server: still on the
// officer's tablet, or not the caller's to see) or "network".
export async function photoUrl(url, token) {
  try {
    const resp = await fetch(url, { headers: { authorization: "Bearer " + token } });
    if (!resp.ok) return String(resp.status);
    return URL.createObjectURL(await resp.blob());
  } catch (e) {
    return "network";
  }
}

// The state at start: 1 when a service worker serves this page (the app is saved on the
// device), 2 when the browser has none, 0 until the first install has cached the app.
export function offlineStateNow() {
  return !("serviceWorker" in navigator) ? 2 : navigator.serviceWorker.controller ? 1 : 0;
}
