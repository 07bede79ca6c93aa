// Trunk post_build hook, on the staging folder:
// 1. moves the inline boot script Trunk writes into index.html to its own hashed file, so
//    the Content-Security-Policy can forbid inline script;
// 2. adds the lazy pages' wasm parts that scripts/split-bin/wasm-bindgen cut from the app:
//    optimised with wasm-opt, named by content hash, with their loader (__wasm_split.js)
//    pointed at those names and at the hashed main module;
// 3. fills public/sw.js's placeholders with the list of files this build produced, the
//    files of each wasm part, and a version hash of their contents, so a new release
//    installs a new service worker and its old cache is dropped.
import { createHash } from "node:crypto";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";
import { existsSync, readdirSync, rmSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join, relative, sep } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error("post-build: TRUNK_STAGING_DIR is not set (run through trunk build)");
  process.exit(1);
}
// 1. Inline scripts → /boot-<hash>.js
const indexPath = join(dir, "index.html");
let html = readFileSync(indexPath, "utf8");
let boots = 0;
html = html.replace(/<script type="module">([\s\S]*?)<\/script>/g, (_, code) => {
  const name = `boot-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.js`;
  writeFileSync(join(dir, name), code.trim() + "\n");
  boots++;
  return `<script type="module" src="/${name}"></script>`;
});
if (/<script(?![^>]*\bsrc=)[^>]*>/.test(html)) {
  console.error("post-build: index.html still has an inline script, which the CSP forbids");
  process.exit(1);
}
writeFileSync(indexPath, html);

// 2. The lazy pages' parts.
const mainJs = readdirSync(dir).find((f) => /^hoptac-[0-9a-f]+\.js$/.test(f));
if (!mainJs) {
  console.error("post-build: the app's module (hoptac-<hash>.js) is not in the build");
  process.exit(1);
}
let parts = 0;
// Part name ("officer", "supervisor") → the wasm files it needs, for the service worker.
const partFiles = {};
if (readFileSync(join(dir, mainJs), "utf8").includes("./__wasm_split.js")) {
  const splitDir = process.env.HOPTAC_SPLIT_DIR;
  const loaderIn = splitDir && join(splitDir, "__wasm_split.js");
  if (!loaderIn || !existsSync(loaderIn)) {
    console.error("post-build: the app imports ./__wasm_split.js but no split output was found in HOPTAC_SPLIT_DIR; build through scripts/build.sh, which puts scripts/split-bin on PATH");
    process.exit(1);
  }
  let loader = readFileSync(loaderIn, "utf8").replace('from "./hoptac.js"', `from "./${mainJs}"`);
  for (const name of readdirSync(splitDir).filter((f) => f.endsWith(".wasm") && f !== "hoptac.wasm").sort()) {
    const tmp = join(dir, "part.tmp.wasm");
    // The features rustc's wasm32 target enables; the parts carry no features section.
    const opt = spawnSync("wasm-opt", ["-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int",
      "--enable-sign-ext", "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
      "-o", tmp, join(splitDir, name)], { encoding: "utf8" });
    // wasm-split-cli writes a names subsection wasm-opt does not know: that warning is noise.
    const said = (opt.stderr || "").split("\n").filter((l) => l && !/unknown name subsection/.test(l));
    if (said.length) console.error(said.join("\n"));
    if (opt.status !== 0) {
      console.error(`post-build: wasm-opt failed on ${name}${opt.error ? ": " + opt.error.message : ""}`);
      process.exit(1);
    }
    const data = readFileSync(tmp);
    const hashed = `${name.replace(/\.wasm$/, "")}-${createHash("sha256").update(data).digest("hex").slice(0, 16)}.wasm`;
    writeFileSync(join(dir, hashed), data);
    rmSync(tmp);
    if (!loader.includes(`"./${name}"`)) {
      console.error(`post-build: ${name} is not named in __wasm_split.js`);
      process.exit(1);
    }
    loader = loader.replaceAll(`"./${name}"`, `"./${hashed}"`);
    parts++;
  }
  writeFileSync(join(dir, "__wasm_split.js"), loader);
  // Which files each part needs: its own and the chunks it shares with other parts, as
  // the loader says (`__wasm_split_load_<part> = … fetch("./<file>") …, [__chunk_<n>, …]`).
  const chunkFile = {};
  for (const m of loader.matchAll(/const (__chunk_\d+) = makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/([^"]+)"/g)) chunkFile[m[1]] = "/" + m[2];
  for (const m of loader.matchAll(/export const __wasm_split_load_(\w+) = wrapAsyncCb\(makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/([^"]+)"[\s\S]*?\n, \[([^\]]*)\]\)\)/g)) {
    const deps = m[3].split(",").map((d) => d.trim()).filter(Boolean);
    if (deps.some((d) => !chunkFile[d])) {
      console.error(`post-build: part ${m[1]} needs a chunk not found in __wasm_split.js`);
      process.exit(1);
    }
    partFiles[m[1]] = ["/" + m[2], ...deps.map((d) => chunkFile[d])];
  }
  const named = Object.values(partFiles).flat();
  const cut = readdirSync(dir).filter((f) => /^(split|chunk)_.*\.wasm$/.test(f));
  if (cut.some((f) => !named.includes("/" + f))) {
    console.error("post-build: a wasm part is in no part's list (has __wasm_split.js changed shape?)");
    process.exit(1);
  }
}

// 3. The service worker's precache list.
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
  if (rel === "sw.js" || /\.(br|gz)$/.test(rel)) continue;
  hash.update(rel).update(readFileSync(f));
  // The parts are kept per role (sw.js PARTS), not by every device.
  if (/^(split|chunk)_.*\.wasm$/.test(rel)) continue;
  urls.push("/" + rel);
}
const version = hash.digest("hex").slice(0, 16);
const swPath = join(dir, "sw.js");
const sw = readFileSync(swPath, "utf8")
  .replace('"__HOPTAC_VERSION__"', JSON.stringify(version))
  .replace('["__HOPTAC_PRECACHE__"]', JSON.stringify(urls))
  .replace('{ __HOPTAC_PARTS__: [] }', JSON.stringify(partFiles));
if (sw.includes("__HOPTAC_")) {
  console.error("post-build: placeholders not found in sw.js");
  process.exit(1);
}
writeFileSync(swPath, sw);

// 4. Pre-compressed copies for the server to send to browsers that accept them.
let packed = 0;
for (const f of files) {
  if (!/\.(wasm|js|css|html|webmanifest)$/.test(f)) continue;
  const data = readFileSync(f);
  writeFileSync(f + ".br", brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }));
  writeFileSync(f + ".gz", gzipSync(data, { level: 9 }));
  packed++;
}
console.log(`post-build: ${boots} boot script(s) moved out of index.html; ${parts} lazy page part(s); sw precaches ${urls.length} files and keeps ${Object.keys(partFiles).length} parts by role, version ${version}; ${packed} files pre-compressed`);
