// Support for the browser tests: the real amarcord-server on a fresh SQLite
// database in a temp dir, headless Debian Chromium driven by playwright-core,
// an API client for seeding data, console-error tracking and screenshots.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../../..");

export const CHROMIUM = process.env.AMARCORD_CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"];

export const paths = {
  server: resolve(process.env.AMARCORD_SERVER ?? join(repo, "build/bin/amarcord-server")),
  webRoot: resolve(process.env.AMARCORD_WEB_ROOT ?? join(repo, "build/web")),
  output: resolve(process.env.AMARCORD_WEB_TEST_OUTPUT ?? join(repo, "build/web-test-output")),
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts amarcord-server on port 0; resolves once it listens. */
export async function startServer({ tz = "Europe/Berlin", extraArgs = [] } = {}) {
  for (const [what, p] of [
    ["server binary (AMARCORD_SERVER)", paths.server],
    ["built web UI (AMARCORD_WEB_ROOT)", join(paths.webRoot, "index.html")],
  ]) {
    if (!existsSync(p)) throw new Error(`missing ${what}: ${p}`);
  }
  const dir = mkdtempSync(join(tmpdir(), "amarcord-web-e2e-"));
  const portFile = join(dir, "port");
  const args = [
    "--data-dir",
    join(dir, "data"),
    "--listen",
    "127.0.0.1:0",
    "--port-file",
    portFile,
    "--web-root",
    paths.webRoot,
    "--tz",
    tz,
    "--log-level",
    "warn",
    ...extraArgs,
  ];
  const proc = spawn(paths.server, args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  proc.stdout.on("data", (d) => (log += d));
  proc.stderr.on("data", (d) => (log += d));
  let exited = null;
  proc.on("exit", (code, signal) => (exited = { code, signal }));
  const deadline = Date.now() + 60_000;
  while (!existsSync(portFile)) {
    if (exited) throw new Error(`amarcord-server exited (${JSON.stringify(exited)}):\n${log}`);
    if (Date.now() > deadline) throw new Error(`amarcord-server did not listen within 60 s:\n${log}`);
    await sleep(50);
  }
  const port = Number(readFileSync(portFile, "utf8").trim());
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    port,
    log: () => log,
    async stop() {
      if (!exited) {
        proc.kill("SIGTERM");
        for (let i = 0; i < 200 && !exited; i++) await sleep(50);
        if (!exited) proc.kill("SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A small client for seeding and checking data through the public API. */
export function apiClient(base) {
  async function call(method, path, body) {
    const init = { method, headers: {} };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
    const r = await fetch(base + path, init);
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text === "" ? null : JSON.parse(text);
  }
  return {
    get: (p) => call("GET", p),
    post: (p, b) => call("POST", p, b),
    patch: (p, b) => call("PATCH", p, b),
    del: (p, b) => call("DELETE", p, b),
    async upload(path, field, bytes, name, type, extra = {}) {
      const form = new FormData();
      form.append(field, new Blob([bytes], { type }), name);
      for (const [k, v] of Object.entries(extra)) form.append(k, v);
      return call("POST", path, form);
    },
  };
}

/** Headless Chromium; fails loudly (never skips) when it is not installed. */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}; install Debian's chromium (scripts/install-deps.sh --test)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * A page that records console errors, uncaught exceptions and failed API
 * answers. A test declares the failures it provokes with allowHttpError();
 * assertClean() then fails on anything else.
 */
export async function openPage(browser, base, { width = 1280, height = 800, colorScheme = "light" } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme, baseURL: base });
  const page = await context.newPage();
  const problems = [];
  const allowed = [];
  const failedAllowed = [];
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  page.on("response", (r) => {
    if (r.status() < 400) return;
    const ok = allowed.find((a) => a.status === r.status() && r.url().includes(a.urlPart));
    if (ok) failedAllowed.push(r.status());
    else problems.push(`HTTP ${r.status()} for ${r.request().method()} ${r.url()}`);
  });
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    // Chromium logs every failed request as a console error; those that the
    // test provoked on purpose (and saw answered) are not problems.
    const status = /status of (\d+)/.exec(m.text());
    if (status && failedAllowed.includes(Number(status[1]))) return;
    problems.push(`console: ${m.text()}`);
  });
  return {
    page,
    context,
    allowHttpError(status, urlPart) {
      allowed.push({ status, urlPart });
    },
    assertClean() {
      if (problems.length > 0) throw new Error(`browser problems:\n${problems.join("\n")}`);
    },
    async close() {
      await context.close();
    },
  };
}

export async function screenshot(page, name) {
  mkdirSync(paths.output, { recursive: true });
  const file = join(paths.output, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** The wall-clock date and time in `tz` as the server computes "local" values. */
export function localNow(tz, now = new Date()) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone: tz,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

/** "YYYY-MM-DD HH:MM" of a local-encoded time, as the UI shows it. */
export function formatLocal(ms) {
  return new Date(ms).toISOString().slice(0, 16).replace("T", " ");
}
