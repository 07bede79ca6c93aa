// Issue 4's fault test, raised by issue 13: bounded and on loopback only, at least 100
// injected faults per run (server kills and cut connections), over every kind of work an
// officer sends, against one server on SQLite (the embedded default). The rounds and the
// checks after them are tests/e2e/fault-harness.mjs; fault-national.test.mjs runs them
// against PostgreSQL, two instances behind nginx and photos in S3. Here even rounds kill
// the one server (SIGKILL) and start it again; the restore copies the SQLite file (and its
// WAL) back while the server is down; photos go to the folder beside the database. Counts
// go to docs/BENCHMARKS.md.
import { test, after } from "node:test";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { startServer, freePort, launch } from "./helpers.mjs";
import { proxy, runFaultRounds } from "./fault-harness.mjs";

const browser = await launch();
after(() => browser.close());

test("100 and more kills and cuts lose nothing and apply nothing twice (SQLite, one server)", { timeout: 900_000 }, async () => {
  let server = await startServer();
  const { db, port } = server;
  const proxyPort = await freePort();
  const px = proxy(port);
  await px.listen(proxyPort);
  const backup = join(mkdtempSync(join(tmpdir(), "hoptac-fault-backup-")), "backup.db");
  const copyDb = (from, to) => {
    copyFileSync(from, to);
    for (const ext of ["-wal", "-shm"]) {
      rmSync(to + ext, { force: true });
      if (existsSync(from + ext)) copyFileSync(from + ext, to + ext);
    }
  };
  const alive = () => server.proc.exitCode === null && server.proc.signalCode === null;
  let stoppedByTest = false; // any other stop is a crash, never restarted unseen
  await runFaultRounds(browser, {
    name: "SQLite, one server",
    proxy: px,
    proxyPort,
    direct: server.url,
    async ensureUp() {
      if (alive()) return;
      if (!stoppedByTest) throw new Error(`the server stopped by itself: ${server.output}`);
      stoppedByTest = false;
      server = await startServer({ db, port });
    },
    assertAlive() {
      if (!alive()) throw new Error(`the server stopped by itself (${server.proc.exitCode} ${server.proc.signalCode}): ${server.output}`);
    },
    async kill(round) {
      stoppedByTest = true;
      if (round === "all") return server.stop();
      if (!alive()) return;
      const exited = new Promise((r) => server.proc.once("exit", r));
      server.proc.kill("SIGKILL");
      await exited;
    },
    // Both while the server is down (after a kill).
    async backup() { copyDb(db, backup); },
    async restore() { copyDb(backup, db); },
    // Photos in the folder beside the SQLite file (the default).
    photos: true,
    async photoKeys() {
      const store = join(dirname(db), "photos");
      const files = (d) => (existsSync(join(store, d))
        ? readdirSync(join(store, d), { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
          .map((e) => join(e.parentPath, e.name).slice(join(store, d).length + 1))
        : []);
      // A file an interrupted write left ("HASH#1") counts, as it should: half-written.
      return { photos: files("photos"), staging: files("staging") };
    },
  });
  px.close();
  await server.stop();
});
