// Writes the forms' drafts to IndexedDB off the page's main thread (started by
// src/drafts.js). On the page, a transaction's "complete" waits behind the keystroke's
// rendering, so a draft was committed ~10–30 ms after the keystroke on a throttled
// tablet; here it is committed as soon as the page posts it.
// A message {seq, key, value} becomes the "meta" row {key, value} (as Store::save_draft_js
// writes it); the answer is {seq, ok, at} with `at` the commit time on the page's clock
// base (performance.timeOrigin + now), or {seq, ok: false, error}.
// Messages are written in the order they arrive (one readwrite transaction each, which
// IndexedDB runs in creation order), so the newest draft is always the one kept.
let conn = null;

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open("hoptac");
    // The page creates and upgrades the database; never this worker.
    req.onupgradeneeded = () => req.transaction.abort();
    req.onblocked = () => reject(new Error("database blocked"));
    req.onerror = () => reject(req.error ?? new Error("database did not open"));
    req.onsuccess = () => {
      const db = req.result;
      // A newer release upgrading the schema: let it; the next draft reopens.
      db.onversionchange = () => {
        db.close();
        conn = null;
      };
      resolve(db);
    };
  });
}

self.onmessage = async (event) => {
  const { seq, key, value } = event.data;
  try {
    if (!conn) conn = open();
    const db = await conn;
    const tx = db.transaction("meta", "readwrite");
    tx.objectStore("meta").put({ key, value });
    tx.oncomplete = () => self.postMessage({ seq, ok: true, at: performance.timeOrigin + performance.now() });
    tx.onabort = () => self.postMessage({ seq, ok: false, error: String(tx.error) });
    tx.commit();
  } catch (e) {
    conn = null;
    self.postMessage({ seq, ok: false, error: String(e) });
  }
};
