// The `meta` object store's layout is defined once, in src/store/mod.rs (`META`, `COOPS`,
// `keys::*`, rows `{ key, value }`) and src/store/drafts.rs (draft keys start "draft:").
// Two scripts read or write it without the wasm: src/early.js (before the wasm starts) and
// public/draft-worker.js (drafts, in a worker). They cannot import Rust constants, so this
// test holds them to the Rust definitions: a renamed key fails here, not on a tablet.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./helpers.mjs";

const read = (p) => readFileSync(join(ROOT, p), "utf8");
const rust = read("src/store/mod.rs") + read("src/store/drafts.rs");
const constant = (name) => {
  const m = new RegExp(`const ${name}: &str = "([^"]+)"`).exec(rust);
  assert.ok(m, `src/store defines ${name}`);
  return m[1];
};

test("early.js and the drafts worker use the store's own names for meta", () => {
  const early = read("src/early.js");
  const worker = read("public/draft-worker.js");
  const drafts = read("src/drafts.js");
  const [meta, coops, session, registry, gen] = ["META", "COOPS", "SESSION", "REGISTRY", "COOPS_GEN"].map(constant);
  assert.equal(constant("DB_NAME"), "hoptac");
  assert.match(early, /indexedDB\.open\("hoptac"\)/);
  assert.ok(early.includes(`objectStore("${meta}")`) && early.includes(`objectStore("${coops}")`));
  for (const key of [session, registry, gen]) assert.ok(early.includes(`meta.get("${key}")`), `early.js reads meta "${key}"`);
  // Rows are { key, value }: the Rust store's MetaRow.
  assert.match(rust, /struct MetaRow<T> \{\s*key: String,\s*value: T,\s*\}/);
  assert.ok(early.includes(".result?.value"), "early.js reads the value field");
  assert.ok(worker.includes(`objectStore("${meta}").put({ key, value })`), "the worker writes { key, value } rows");
  assert.equal(constant("DRAFTS_FROM"), "draft:");
  assert.match(rust, /format!\("draft:visit:\{cooperative_id\}"\)/);
  assert.ok(!/objectStore\("(?!meta")/.test(worker), "the worker writes nothing but meta");
  assert.ok(drafts.length > 0);
});
