// Reads the registry's cached list while the wasm is still being fetched and compiled (a
// wasm-bindgen snippet: modules are evaluated before the boot script starts the wasm, so
// this code runs ~100 ms before the app can open the store on a throttled tablet).
// What it reads must match src/store/mod.rs: the "meta" row "registry_cache"
// {stamp, bytes: Uint8Array} is used only if its stamp equals "<coops_gen value>:<number
// of cooperatives>" in the same transaction (Store::registry_cache_stamped does the same).
// It never creates or upgrades the database: with no database, or an older one than the
// app's, it gives nothing and the app reads the store itself.
let early = location.pathname === "/" && typeof indexedDB !== "undefined" ? readRegistry() : null;

// The early read's promise ({version, stamp, bytes} or null), once; null if none was started.
export function takeEarlyRegistry() {
  const p = early;
  early = null;
  return p;
}

function readRegistry() {
  return new Promise((resolve) => {
    let req;
    try {
      req = indexedDB.open("hoptac");
    } catch {
      resolve(null);
      return;
    }
    // Only called when the database does not exist yet: leave its creation to the app.
    req.onupgradeneeded = () => req.transaction.abort();
    req.onerror = () => resolve(null);
    req.onblocked = () => resolve(null);
    req.onsuccess = () => {
      const db = req.result;
      // The app's upgrade must not wait for this connection.
      db.onversionchange = () => db.close();
      const done = (value) => {
        db.close();
        resolve(value);
      };
      try {
        const tx = db.transaction(["meta", "cooperatives"]);
        const meta = tx.objectStore("meta");
        const gen = meta.get("coops_gen");
        const count = tx.objectStore("cooperatives").count();
        const row = meta.get("registry_cache");
        tx.oncomplete = () => {
          const stamp = `${gen.result?.value ?? ""}:${count.result}`;
          const r = row.result;
          const ok = r && r.stamp === stamp && r.bytes instanceof Uint8Array;
          done(ok ? { version: db.version, stamp, bytes: r.bytes } : null);
        };
        tx.onerror = tx.onabort = () => done(null);
      } catch {
        done(null);
      }
    };
  });
}
