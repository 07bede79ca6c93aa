// The page's side of public/draft-worker.js (a wasm-bindgen snippet; see src/drafts.rs).
// saveDraft posts a draft to the worker and resolves to true once it is committed, or to
// false if the worker could not write it: the caller then writes the draft itself, and
// every later draft is written by the page too (the worker is not used again).
// settled() resolves once every posted draft is committed or has failed: what reads or
// removes drafts waits for it, so a draft posted earlier never lands after them.
let worker = null;
let broken = typeof Worker === "undefined";
let seq = 0;
const pending = new Map();
// When each posted draft's change began (performance.now()), for the benchmark.
const starts = new Map();
let idle = [];

function finish(n, ok) {
  const done = pending.get(n);
  if (!done) return;
  pending.delete(n);
  done(ok);
  if (pending.size === 0) {
    const waiters = idle;
    idle = [];
    for (const w of waiters) w();
  }
}

function fail() {
  broken = true;
  if (worker) worker.terminate();
  worker = null;
  for (const n of [...pending.keys()]) finish(n, false);
}

function start() {
  try {
    worker = new Worker("/draft-worker.js");
  } catch {
    fail();
    return;
  }
  worker.onmessage = (event) => {
    const { seq: n, ok, at } = event.data;
    if (!ok) {
      fail();
      return;
    }
    const bench = window.__hoptacBench;
    const t0 = starts.get(n);
    starts.delete(n);
    if (bench && Array.isArray(bench.draftSave) && t0 !== undefined) {
      bench.draftSave.push(at - performance.timeOrigin - t0);
    }
    finish(n, true);
  };
  worker.onerror = () => fail();
}

// `t0`: when the change began (performance.now()), for the benchmark's draft-save time.
export function saveDraft(key, value, t0) {
  if (broken) return Promise.resolve(false);
  if (!worker) start();
  if (broken) return Promise.resolve(false);
  const n = ++seq;
  starts.set(n, t0);
  return new Promise((resolve) => {
    pending.set(n, resolve);
    try {
      worker.postMessage({ seq: n, key, value });
    } catch {
      fail();
    }
  });
}

export function settled() {
  if (pending.size === 0) return Promise.resolve();
  return new Promise((resolve) => idle.push(resolve));
}
