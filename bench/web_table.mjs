#!/usr/bin/env node
// Render benchmark of the web UI's runs table (issue 6: 5,000 runs in < 1 s).
//
// Usage (from any directory; needs a build with the web UI and Chromium):
//   node bench/web_table.mjs
//   RUNS=5000 ATTRIBUTI=40 REPEAT=5 AMARCORD_SERVER=build/bin/amarcord-server \
//     AMARCORD_WEB_ROOT=build/web node bench/web_table.mjs
//
// What it does: starts amarcord-server on a fresh SQLite database in a temp
// dir, fills one beamtime with bench/generate_beamtime.py (RUNS runs with a
// value for each of ATTRIBUTI attributi), then opens the runs page REPEAT
// times in headless Chromium (1280x800, a fresh browser context each time)
// and reports per load, as medians:
//   total   navigation start -> all runs loaded and the first rows drawn
//   api     the GET /api/runs/{id} request: sent -> JSON parsed
//   render  JSON parsed -> table drawn (what the UI itself costs)
// plus the time to re-sort all runs by a column and to jump to the end of
// the table (scroll) and have the last rows drawn.
// Exit status 1 when the median render time (JSON parsed -> drawn) is 1 s or
// more.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "../server/web/node_modules/playwright-core/index.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const RUNS = Number(process.env.RUNS ?? 5000);
const ATTRIBUTI = Number(process.env.ATTRIBUTI ?? 40);
const REPEAT = Number(process.env.REPEAT ?? 5);
const server = resolve(repo, process.env.AMARCORD_SERVER ?? "build/bin/amarcord-server");
const webRoot = resolve(repo, process.env.AMARCORD_WEB_ROOT ?? "build/web");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const p of [server, join(webRoot, "index.html"), "/usr/bin/chromium"]) {
  if (!existsSync(p)) {
    console.error(`missing ${p} (build with scripts/build.sh; Chromium: apt-get install chromium)`);
    process.exit(2);
  }
}

const dir = mkdtempSync(join(tmpdir(), "amarcord-web-bench-"));
const proc = spawn(
  server,
  ["--data-dir", join(dir, "data"), "--listen", "127.0.0.1:0", "--port-file", join(dir, "port"), "--web-root", webRoot, "--log-level", "warn"],
  { stdio: ["ignore", "inherit", "inherit"] },
);
let browser;
try {
  for (let i = 0; !existsSync(join(dir, "port")); i++) {
    if (i > 600) throw new Error("server did not start");
    await sleep(50);
  }
  const base = `http://127.0.0.1:${readFileSync(join(dir, "port"), "utf8").trim()}`;
  const t0 = Date.now();
  const gen = spawnSync(
    "python3",
    [join(repo, "bench/generate_beamtime.py"), base, "--runs", String(RUNS), "--attributi", String(ATTRIBUTI), "--events", "200"],
    { encoding: "utf8" },
  );
  if (gen.status !== 0) throw new Error(`generate_beamtime.py failed:\n${gen.stderr}`);
  const bt = Number(gen.stdout.trim().split("\n").pop());
  console.log(`filled beamtime ${bt} with ${RUNS} runs x ${ATTRIBUTI} attributi in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const bytes = (await (await fetch(`${base}/api/runs/${bt}`)).arrayBuffer()).byteLength;

  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const rows = { total: [], api: [], render: [], sort: [], scroll: [] };
  for (let i = 0; i < REPEAT; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.goto(`${base}/beamtimes/${bt}/runs`);
    await page.waitForFunction((n) => document.body.dataset.runsRendered === String(n), RUNS, { timeout: 60_000 });
    // The frame after the commit is the one on screen.
    const t = await page.evaluate(
      () =>
        new Promise((done) =>
          requestAnimationFrame(() => {
            const mark = (n) => performance.getEntriesByName(n)[0]?.startTime;
            done({ drawn: performance.now(), request: mark("runs-request"), data: mark("runs-data"), rendered: mark("runs-rendered") });
          }),
        ),
    );
    rows.total.push(t.drawn);
    rows.api.push(t.data - t.request);
    rows.render.push(t.drawn - t.data);
    const cellCount = await page.locator("table.grid tbody td").count();

    // Re-sort all runs by an attributo column: click -> first row changed and drawn.
    rows.sort.push(
      await page.evaluate(
        () =>
          new Promise((done) => {
            const first = () => document.querySelector("table.grid tbody tr:not(.spacer)")?.textContent;
            const before = first();
            // The first attributo column (after Run, Started, Stopped, Experiment type).
            const header = document.querySelectorAll("table.grid thead button.sort")[4];
            const start = performance.now();
            header.click();
            const poll = () => (first() !== before ? requestAnimationFrame(() => done(performance.now() - start)) : requestAnimationFrame(poll));
            poll();
          }),
      ),
    );
    // Jump to the end of the table: scroll -> last run's row drawn.
    rows.scroll.push(
      await page.evaluate(
        () =>
          new Promise((done) => {
            const scroller = document.querySelector(".table-scroll");
            const start = performance.now();
            scroller.scrollTop = scroller.scrollHeight;
            const rowsNow = () => document.querySelectorAll("table.grid tbody tr:not(.spacer)");
            const lastShown = () => {
              const r = rowsNow();
              const last = r[r.length - 1];
              return last && last.getBoundingClientRect().bottom <= scroller.getBoundingClientRect().bottom + 2;
            };
            const poll = () => (lastShown() ? requestAnimationFrame(() => done(performance.now() - start)) : requestAnimationFrame(poll));
            poll();
          }),
      ),
    );
    if (errors.length > 0) throw new Error(`browser errors: ${errors.join("; ")}`);
    if (i === 0) console.log(`table cells in the DOM: ${cellCount} (of ${RUNS} runs); /api/runs answer: ${(bytes / 1e6).toFixed(1)} MB`);
    await context.close();
  }
  const ms = (x) => `${x.toFixed(0).padStart(7)} ms`;
  console.log(`\nruns page, ${RUNS} runs, Chromium headless 1280x800, median of ${REPEAT} loads`);
  console.log(`  total (navigation -> table drawn) ${ms(median(rows.total))}`);
  console.log(`  api   (request -> JSON parsed)    ${ms(median(rows.api))}`);
  console.log(`  render (JSON parsed -> drawn)     ${ms(median(rows.render))}`);
  console.log(`  re-sort by a column               ${ms(median(rows.sort))}`);
  console.log(`  scroll to the last run            ${ms(median(rows.scroll))}`);
  if (median(rows.render) >= 1000) {
    console.error("FAIL: rendering the table took 1 s or more");
    process.exitCode = 1;
  }
} finally {
  await browser?.close();
  proc.kill("SIGTERM");
  await sleep(300);
  rmSync(dir, { recursive: true, force: true });
}
