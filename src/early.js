// Reads what the first screen needs while the wasm is still being fetched and compiled (a
// wasm-bindgen snippet: modules are evaluated before the boot script starts the wasm, so
// this code runs ~100 ms before the app can open the store on a throttled tablet).
// It reads, in one transaction: the signed-in session (the "meta" row "session"), and on
// the registry's path "/" the registry's cached list (the "meta" row "registry_cache"
// {stamp, bytes: Uint8Array}), given only if its stamp equals "<coops_gen value>:<number of
// cooperatives>" read in the same transaction. What it reads must match
// src/store/mod.rs (Store::session, Store::registry_cache_stamped); src/early.rs takes it.
// It never creates or upgrades the database: with no database it gives nothing, and the
// app reads the store itself; src/early.rs ignores a read of another schema version.
const early = typeof indexedDB !== "undefined" ? read(location.pathname === "/") : null;

// The early read's promise ({version, session, registry}, or null when there was nothing to
// read), or null if none was started.
export function earlyRead() {
  return early;
}

function read(withRegistry) {
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
        const session = meta.get("session");
        const gen = withRegistry ? meta.get("coops_gen") : null;
        const count = withRegistry ? tx.objectStore("cooperatives").count() : null;
        const row = withRegistry ? meta.get("registry_cache") : null;
        tx.oncomplete = () => {
          let registry = null;
          if (withRegistry) {
            const stamp = `${gen.result?.value ?? ""}:${count.result}`;
            const r = row.result;
            if (r && r.stamp === stamp && r.bytes instanceof Uint8Array) registry = { stamp, bytes: r.bytes };
          }
          done({ version: db.version, session: session.result?.value ?? null, registry });
        };
        tx.onerror = tx.onabort = () => done(null);
      } catch {
        done(null);
      }
    };
  });
}
