// hoptac service worker: the app opens with no network.
// The two placeholders below are filled at build time by scripts/post-build.mjs with the
// files of that build (hashed names) and a version derived from them.
const VERSION = "__HOPTAC_VERSION__";
const PRECACHE = ["__HOPTAC_PRECACHE__"];
const CACHE = "hoptac-" + VERSION;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((u) => new Request(u, { cache: "reload" })))),
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
