// hoptac service worker: the app opens with no network.
// The two placeholders below are filled at build time by scripts/post-build.mjs with the
// files of that build (hashed names) and a version derived from them.
const VERSION = "__HOPTAC_VERSION__";
const PRECACHE = ["__HOPTAC_PRECACHE__"];
const CACHE = "hoptac-" + VERSION;

// A hashed release file (name-<12 to 16 hex digits>.ext, the rule of the server's
// is_hashed_asset) never changes under its name: it is taken from the HTTP cache the page's
// own load has just filled, so a first visit downloads the app once, not twice. Every other
// file (index.html, the snippets, icons, the manifest) is revalidated with the server.
function hashed(url) {
  const stem = url.split("/").pop().split(".")[0].replace(/_bg$/, "");
  const dash = stem.lastIndexOf("-");
  const hash = dash < 0 ? "" : stem.slice(dash + 1);
  return hash.length >= 12 && hash.length <= 16 && /^[0-9a-f]+$/i.test(hash);
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((u) => new Request(u, { cache: hashed(u) ? "default" : "no-cache" })))),
  );
  // No skipWaiting here: an update waits until the user chooses to reload (the page
  // shows "a new version is ready"), so nothing changes under an open form.
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("hoptac-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  // Only our own static files; the API is never answered from a cache.
  if (req.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (req.mode === "navigate") {
    // Every page of the app is the same shell: answer from the cache at once (offline
    // first), fall back to the network only if the cache is missing.
    event.respondWith(
      caches.open(CACHE).then((cache) => cache.match("/index.html")).then((hit) => hit || fetch(req)),
    );
    return;
  }
  event.respondWith(
    caches.open(CACHE).then((cache) =>
      cache.match(req, { ignoreSearch: true }).then((hit) => hit || fetch(req)),
    ),
  );
});
