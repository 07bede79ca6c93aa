// Trunk post_build hook: fills public/sw.js's placeholders in the staging folder with the
// list of files this build produced and a version hash of their contents, so a new
// release installs a new service worker and its old cache is dropped.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("sw-precache: TRUNK_STAGING_DIR is not set (run through trunk build)");
  process.exit(1);
}
const files = [];
(function walk(d) {
  for (const name of readdirSync(d).sort()) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) walk(p);
    else files.push(p);
  }
})(dir);
const hash = createHash("sha256");
const urls = [];
for (const f of files) {
  const rel = relative(dir, f).split(sep).join("/");
  if (rel === "sw.js") continue;
  hash.update(rel).update(readFileSync(f));
  urls.push("/" + rel);
}
const version = hash.digest("hex").slice(0, 16);
const swPath = join(dir, "sw.js");
const sw = readFileSync(swPath, "utf8")
  .replace('"__HOPTAC_VERSION__"', JSON.stringify(version))
  .replace('["__HOPTAC_PRECACHE__"]', JSON.stringify(urls));
if (sw.includes("__HOPTAC_")) {
  console.error("sw-precache: placeholders not found in sw.js");
  process.exit(1);
}
writeFileSync(swPath, sw);
console.log(`sw-precache: ${urls.length} files, version ${version}`);
