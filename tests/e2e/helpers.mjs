// Shared by the end-to-end tests: the real release server on a free loopback port with a
// fresh SQLite file, and Debian's Chromium driven by playwright-core.
import { spawn } from "node:child_process";
import { mkdtempSync, existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import * as zlibSync from "node:zlib";

export const ROOT = resolve(import.meta.dirname, "../..");
export const SERVER_BIN = join(ROOT, "target/release/hoptac-server");
const DIST = join(ROOT, "dist");

export const OFFICER = { username: "canbo.hoalu", password: "hoptac-hoalu" };
export const OFFICER2 = { username: "canbo.kimson", password: "hoptac-kimson" };
export const SUPERVISOR = { username: "giamsat", password: "hoptac-giamsat" };

export async function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on("error", fail);
  });
}

// Every server a test file started is killed when its process ends, even after a failed
// test that never reached `stop()` (a live child kept the file's process, and so the whole
// run, waiting: seen on CI).
const started = new Set();
process.on("exit", () => {
  for (const proc of started) if (proc.exitCode === null) proc.kill("SIGKILL");
});

/** Starts the release server; `db` and `port` may be reused to restart on the same data.
 * `demo`: true for the seed alone (what most tests start from), "today" for the demo a
 * newcomer sees (`--demo`: today's Ninh Bình with five half-years of history), false for
 * an empty database. */
export async function startServer({ db, port, dist = DIST, demo = true, args: more = [], bin = SERVER_BIN, env = {} } = {}) {
  if (!existsSync(bin) || !existsSync(join(DIST, "index.html"))) {
    throw new Error("build first: make build (the tests use target/release/hoptac-server and dist/)");
  }
  db ??= join(mkdtempSync(join(tmpdir(), "hoptac-e2e-")), "hoptac.db");
  port ??= await freePort();
  // `db`: a SQLite file's path, or a database URL (postgres://…).
  const dbUrl = db.includes("://") ? db : `sqlite://${db}`;
  const args = ["--db", dbUrl, "--listen", `127.0.0.1:${port}`, "--static-dir", dist, ...more];
  // The seed alone (2021 areas and accounts, no reports): what every test starts from.
  if (demo === "today") args.push("--demo");
  else if (demo) args.push("--demo-seed");
  const proc = spawn(bin, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: "warn", ...env },
  });
  started.add(proc);
  proc.once("exit", () => started.delete(proc));
  let output = "";
  proc.stdout.on("data", (d) => (output += d));
  proc.stderr.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`server exited: ${output}`);
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url, db, port, proc,
    /** What the server printed so far. */
    get output() { return output; },
    async stop() {
      if (proc.exitCode !== null) return;
      const done = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      // A graceful shutdown waits for open connections; ten seconds is plenty.
      const hard = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      await done;
      clearTimeout(hard);
    },
  };
}

/** Chromium as its own process with a profile folder, so it can be killed and started
 * again on the same IndexedDB and service worker, as a tablet's browser would be. */
export async function startChromium(profile) {
  const port = await freePort();
  const proc = spawn(process.env.HOPTAC_CHROMIUM || "/usr/bin/chromium", [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", `--user-data-dir=${profile}`,
    `--remote-debugging-port=${port}`, "about:blank",
  ], { stdio: "ignore" });
  started.add(proc);
  proc.once("exit", () => started.delete(proc));
  let browser;
  for (let i = 0; i < 100 && !browser; i++) {
    browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`).catch(() => null);
    if (!browser) await new Promise((r) => setTimeout(r, 100));
  }
  if (!browser) throw new Error("chromium did not start");
  const ctx = browser.contexts()[0];
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.setViewportSize({ width: 1280, height: 800 });
  page.setDefaultTimeout(30_000);
  return { proc, browser, ctx, page, port };
}

/** A real JPEG of w×h pixels of noise (`seed` picks which), encoded by Chromium's own
 * encoder in `page`; noise compresses badly, so a 4000×3000 one weighs a few MB. */
export async function noiseJpeg(page, w, h, seed = 1, quality = 0.9) {
  const b64 = await page.evaluate(async ([w, h, seed, quality]) => {
    const c = new OffscreenCanvas(w, h);
    const g = c.getContext("2d");
    const img = g.createImageData(w, h);
    let x = seed >>> 0;
    for (let i = 0; i < img.data.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      img.data[i] = i % 4 === 3 ? 255 : x >>> 24;
    }
    g.putImageData(img, 0, 0);
    const blob = await c.convertToBlob({ type: "image/jpeg", quality });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }, [w, h, seed, quality]);
  return Buffer.from(b64, "base64");
}

/** Today's units of province `code` from the official list bundled with the server:
 * { id (its code: free in a new database), name, province }. */
export function unitsOf(code) {
  return readFileSync(join(ROOT, "crates/server/units/units-2025.csv"), "utf8")
    .trim().split("\n").slice(1).map((l) => l.split(","))
    .filter((r) => r[0] === code).map((r) => ({ id: r[2], name: r[3] }));
}

/** `hoptac-server admin create` on database file `db`, the password on stdin; `extra`:
 * more arguments (`["--province", "37"]`). */
export async function createAdmin(db, username, password, extra = []) {
  const proc = spawn(SERVER_BIN, ["--db", `sqlite://${db}`, "admin", "create", "--username", username, ...extra], {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: "warn" },
  });
  let output = "";
  proc.stdout.on("data", (d) => (output += d));
  proc.stderr.on("data", (d) => (output += d));
  proc.stdin.end(password + "\n");
  const code = await new Promise((r) => proc.once("exit", r));
  if (code !== 0) throw new Error(`admin create failed: ${output}`);
  return output;
}

/** Writes `description` as an XLSX at `path` the way Excel writes workbooks (hidden sheets,
 * merged cells, number formats, the 1904 date system), with rust_xlsxwriter:
 * crates/server/examples/workbook.rs says the description's shape. */
export async function writeWorkbook(path, description) {
  const proc = spawn("cargo", ["run", "-q", "-p", "hoptac-server", "--example", "workbook", "--", path], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  proc.stdout.on("data", (d) => (output += d));
  proc.stderr.on("data", (d) => (output += d));
  proc.stdin.end(JSON.stringify(description));
  const code = await new Promise((r) => proc.once("exit", r));
  if (code !== 0) throw new Error(`the workbook example failed: ${output}`);
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.HOPTAC_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/** Signs in through the page, as a person would, and waits for the first sync. */
export async function signIn(page, url, who) {
  await page.goto(url + "/");
  await page.getByLabel("Tên đăng nhập").fill(who.username);
  await page.getByLabel("Mật khẩu").fill(who.password);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.getByText("Đồng bộ lần cuối:").waitFor();
  // As an officer would before leaving for the field: the status bar's "saving the app on
  // this tablet" has gone (every page's part is cached; the lazy pages open offline).
  await page.getByTestId("offline-saving").waitFor({ state: "hidden" });
}

/** Calls the API directly (to check what the server holds). */
export async function api(url, path, { token, body, method } = {}) {
  const r = await fetch(url + path, {
    method: method ?? (body ? "POST" : "GET"),
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}

/// Every visit report `token` may see, paging through the review queue (`GET /api/visits`,
/// 200 a page): { status, body: [report, …] } as `api` answers.
export async function allVisits(url, token) {
  const out = [];
  let after = "";
  for (;;) {
    const r = await api(url, `/api/visits?limit=200&after=${encodeURIComponent(after)}`, { token });
    if (r.status !== 200) return r;
    out.push(...r.body.reports.map((i) => i.report));
    if (!r.body.next) return { status: 200, body: out };
    after = r.body.next;
  }
}

export async function tokenFor(url, who) {
  const r = await api(url, "/api/auth/login", { body: who });
  if (r.status !== 200) throw new Error(`login failed: ${JSON.stringify(r.body)}`);
  return r.body.token;
}

/// The first worksheet of an XLSX file (a Buffer) as rows of text cells, read with Node's
/// own zlib: an XLSX is a zip of XML parts (sharedStrings.xml, worksheets/sheet1.xml).
export function readXlsx(buf) {
  const { inflateRawSync } = zlibSync;
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error("not a zip file");
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = {};
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error("bad central directory");
    const method = buf.readUInt16LE(p + 10), size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28), extra = buf.readUInt16LE(p + 30), comment = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString("utf8", p + 46, p + 46 + nameLen);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    files[name] = (method === 8 ? inflateRawSync(data) : data).toString("utf8");
    p += 46 + nameLen + extra + comment;
  }
  const unxml = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
  const texts = (s) => [...s.matchAll(/<t(?: [^>]*)?>([\s\S]*?)<\/t>/g)].map((m) => unxml(m[1])).join("");
  const shared = [...(files["xl/sharedStrings.xml"] || "").matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => texts(m[1]));
  const sheet = files["xl/worksheets/sheet1.xml"];
  if (!sheet) throw new Error("no first worksheet");
  const rows = [];
  for (const row of sheet.matchAll(/<row [^>]*>([\s\S]*?)<\/row>/g)) {
    const cells = [];
    for (const c of row[1].matchAll(/<c r="([A-Z]+)\d+"([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const col = [...c[1]].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
      const type = /t="([^"]+)"/.exec(c[2])?.[1];
      const v = /<v>([\s\S]*?)<\/v>/.exec(c[3] || "")?.[1];
      cells[col] = type === "s" ? shared[Number(v)] : type === "inlineStr" ? texts(c[3] || "") : unxml(v ?? "");
    }
    rows.push(Array.from(cells, (x) => x ?? ""));
  }
  return rows;
}
