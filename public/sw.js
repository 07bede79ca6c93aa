// hoptac service worker: the app opens with no network.
// The placeholders below are filled at build time by scripts/post-build.mjs with the files
// of that build (hashed names), the files of each lazily loaded wasm part, and a version
// derived from them.
const VERSION = "__HOPTAC_VERSION__";
// What every device keeps: the shell, the main wasm (sign-in), scripts, styles, icons.
const PRECACHE = ["__HOPTAC_PRECACHE__"];
// Part name → its wasm files ({"officer": ["/split_officer-….wasm", "/chunk_3-….wasm"], …}).
// A device keeps only the parts its user's role opens (the page says which: "keep"
// message), so an officer's tablet does not download and store the supervisor's pages.
const PARTS = { __HOPTAC_PARTS__: [] };
const CACHE = "hoptac-" + VERSION;
// The part names this device keeps, as a JSON array at /__keep; outlives releases.
const KEEP = "hoptac-keep";

function partUrls(names) {
  return [...new Set(names.flatMap((n) => PARTS[n] || []))];
}

async function keptNames() {
  const hit = await (await caches.open(KEEP)).match("/__keep");
  return hit ? hit.json() : null;
}

// The parts a new release caches when it installs: those this device keeps; every part
// when it is not known yet but an earlier release is cached (that release kept every
// part, and an officer offline after the update still needs theirs); none on a first
// visit (the signed-in user's are added when the page says which).
async function partsAtInstall() {
  const names = await keptNames();
  if (names) return partUrls(names);
  const earlier = (await caches.keys()).some((k) => k.startsWith("hoptac-") && k !== KEEP && k !== CACHE);
  return earlier ? partUrls(Object.keys(PARTS)) : [];
}

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
  event.waitUntil((async () => {
    const urls = [...PRECACHE, ...(await partsAtInstall())];
    const cache = await caches.open(CACHE);
    await cache.addAll(urls.map((u) => new Request(u, { cache: hashed(u) ? "default" : "no-cache" })));
  })());
  // No skipWaiting here: an update waits until the user chooses to reload (the page
  // shows "a new version is ready"), so nothing changes under an open form.
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
  // { keep: ["officer"] }: keep these parts from now on (and in every later release);
  // answers { ok } on the message's port once they are cached.
  if (event.data && Array.isArray(event.data.keep)) {
    const names = event.data.keep.filter((n) => typeof n === "string" && n in PARTS);
    const port = event.ports && event.ports[0];
    event.waitUntil((async () => {
      try {
        await (await caches.open(KEEP)).put("/__keep", new Response(JSON.stringify(names)));
        const cache = await caches.open(CACHE);
        const missing = [];
        for (const u of partUrls(names)) if (!(await cache.match(u))) missing.push(u);
        await cache.addAll(missing);
        if (port) port.postMessage({ ok: true });
      } catch (e) {
        if (port) port.postMessage({ ok: false, error: String(e) });
      }
    })());
  }
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("hoptac-") && k !== CACHE && k !== KEEP).map((k) => caches.delete(k))))
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
