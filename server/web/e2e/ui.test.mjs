// End-to-end tests of the web UI in headless Chromium against the real
// amarcord-server (SQLite, AMARCORD_TZ Europe/Berlin). The tests build on
// each other like a beamtime does: beamtime, attributi, chemicals,
// experiment types, data sets, runs, the overview, events, the runs table,
// the schedule. Every page is photographed into the test output directory,
// and no test may leave a console error or an unexpected failed request.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { apiClient, formatLocal, launchBrowser, localNow, openPage, paths, screenshot, startServer } from "./harness.mjs";

const TZ = "Europe/Berlin";
const DAY = 24 * 3600 * 1000;

let server;
let api;
let browser;
const state = {}; // ids created along the way

/** Runs `body` with a fresh page and fails on any browser problem it left. */
async function withPage(body, options) {
  const p = await openPage(browser, server.base, options);
  p.page.setDefaultTimeout(15_000);
  try {
    await body(p);
    p.assertClean();
  } finally {
    await p.close();
  }
}

async function waitText(locator, text, timeout = 10_000) {
  await locator.filter({ hasText: text }).first().waitFor({ timeout });
}

/** Fails at once when an earlier test did not leave what this one builds on. */
function needs(...keys) {
  const missing = keys.filter((k) => state[k] === undefined);
  if (missing.length > 0) throw new Error(`an earlier test failed to create: ${missing.join(", ")}`);
}

/** A small PNG made by the browser (the "camera frame" of the tests). */
async function makePng(colour) {
  const p = await browser.newPage({ viewport: { width: 320, height: 240 } });
  await p.setContent(`<body style="margin:0;background:${colour}"><h1 style="color:white;font:40px sans-serif;padding:80px">camera</h1></body>`);
  const png = await p.screenshot({ type: "png" });
  await p.close();
  return png;
}

async function createAttributo(page, spec) {
  await page.getByRole("button", { name: `New ${spec.table} attributo` }).click();
  const form = page.getByRole("form", { name: "New attributo" });
  await form.locator("#attr-name").fill(spec.name);
  await form.locator("#type-kind").selectOption(spec.kind);
  for (const [id, value] of Object.entries(spec.fields ?? {})) {
    const field = form.locator(`#${id}`);
    if (typeof value === "boolean") await field.setChecked(value);
    else await field.fill(value);
  }
  for (const name of spec.checks ?? []) await form.locator(`input[name="${name}"]`).check();
  await form.getByRole("button", { name: "Create attributo" }).click();
  await form.waitFor({ state: "detached" });
  await waitText(page.locator(".notice"), "Saved the new attributo.");
  await page.getByRole("row").filter({ hasText: spec.name }).first().waitFor();
}

before(async () => {
  server = await startServer({ tz: TZ });
  api = apiClient(server.base);
  browser = await launchBrowser();
  console.log(`server ${paths.server}\nweb root ${paths.webRoot}\nscreenshots ${paths.output}`);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe("web UI", () => {
  it("creates a beamtime in the form and lists it", async () => {
    await withPage(async ({ page }) => {
      await page.goto("/");
      await page.getByText("No beamtimes yet").waitFor();
      await page.getByRole("button", { name: "New beamtime" }).click();
      const form = page.getByRole("form", { name: "New beamtime" });
      const now = localNow(TZ);
      const start = new Date(Date.parse(`${now.date}T00:00:00Z`) - DAY).toISOString().slice(0, 16);
      const end = new Date(Date.parse(`${now.date}T00:00:00Z`) + 30 * DAY).toISOString().slice(0, 16);
      await form.getByLabel("External id (proposal number)").fill("11019088");
      await form.getByLabel("Beamline", { exact: true }).fill("P11");
      await form.getByLabel("Proposal", { exact: true }).fill("BAG");
      await form.getByLabel("Title", { exact: true }).fill("Lysozyme SFX");
      await form.getByLabel("Start", { exact: true }).fill(start);
      await form.getByLabel("End", { exact: true }).fill(end);
      await form.getByRole("button", { name: "Create beamtime" }).click();
      await page.waitForURL(/\/beamtimes\/\d+\/attributi$/);
      state.bt = Number(/beamtimes\/(\d+)/.exec(page.url())[1]);
      const bt = await api.get(`/api/beamtimes/${state.bt}`);
      assert.equal(bt.title, "Lysozyme SFX");
      assert.equal(formatLocal(bt.start_local), start.replace("T", " "));

      // An older beamtime (with a chemical to copy later) is listed too.
      const old = await api.post("/api/beamtimes", {
        id: 0,
        external_id: "11011111",
        proposal: "BAG",
        beamline: "P11",
        title: "Thaumatin test",
        comment: "",
        start_local: Date.parse("2024-03-01T08:00:00Z"),
        end_local: Date.parse("2024-03-03T08:00:00Z"),
        analysis_output_path: "/tmp",
      });
      state.oldBt = old.id;
      await api.post("/api/chemicals", {
        beamtime_id: old.id,
        name: "Thaumatin",
        responsible_person: "Carol",
        chemical_type: "crystal",
        attributi: [],
        file_ids: [],
      });
      await page.goto("/");
      await page.getByRole("row").filter({ hasText: "Thaumatin test" }).waitFor();
      await screenshot(page, "beamtimes");
    });
  });

  it("preselects the active beamtime so Enter opens it", async () => {
    needs("bt");
    await withPage(async ({ page }) => {
      await page.goto("/");
      await page.getByRole("row").filter({ hasText: "Lysozyme SFX" }).getByText("active").waitFor();
      await page.waitForFunction(() => document.activeElement?.textContent === "11019088");
      await page.keyboard.press("Enter");
      await page.waitForURL(new RegExp(`/beamtimes/${state.bt}/overview$`));
      await page.getByText("No camera image yet").waitFor();
    });
  });

  it("creates attributi of every type with the type editor", async () => {
    needs("bt");
    await withPage(async ({ page }) => {
      await page.goto(`/beamtimes/${state.bt}/attributi`);
      await page.getByRole("heading", { name: "Run attributi" }).waitFor();

      // A type the editor refuses never reaches the server.
      await page.getByRole("button", { name: "New run attributo" }).click();
      const form = page.getByRole("form", { name: "New attributo" });
      await form.locator("#attr-name").fill("broken choice");
      await form.locator("#type-kind").selectOption("choice");
      await form.getByRole("button", { name: "Create attributo" }).click();
      await waitText(form.locator(".error"), "a choice needs at least one value");
      await form.getByRole("button", { name: "Cancel" }).click();

      const specs = [
        { table: "run", name: "sample", kind: "chemical" },
        { table: "run", name: "flow", kind: "decimal", fields: { "type-min": "0", "type-max": "50", "type-suffix": "µl/min" }, checks: ["minExclusive"] },
        { table: "run", name: "detector distance", kind: "decimal", fields: { "type-suffix": "mm", "type-tolerance": "0.5" }, checks: ["standardUnit"] },
        { table: "run", name: "comment", kind: "string" },
        { table: "run", name: "frames", kind: "integer" },
        { table: "run", name: "shutter open", kind: "boolean" },
        { table: "run", name: "mode", kind: "choice", fields: { "type-choices": "SFX\nSAXS" } },
        { table: "run", name: "measured at", kind: "datetime" },
        { table: "run", name: "tags", kind: "list", fields: { "type-max-items": "3" } },
        { table: "chemical", name: "concentration", kind: "decimal", fields: { "type-min": "0", "type-max": "100", "type-suffix": "mg/ml" } },
        { table: "chemical", name: "space group", kind: "string" },
        { table: "chemical", name: "buffer", kind: "choice", fields: { "type-choices": "HEPES\nTris" } },
      ];
      for (const spec of specs) await createAttributo(page, spec);
      // A list of numbers with an exact length.
      await page.getByRole("button", { name: "New chemical attributo" }).click();
      const list = page.getByRole("form", { name: "New attributo" });
      await list.locator("#attr-name").fill("cell axes");
      await list.locator("#type-kind").selectOption("list");
      await list.locator("#type-item").selectOption("number");
      await list.locator("#type-min-items").fill("3");
      await list.locator("#type-max-items").fill("3");
      await list.getByRole("button", { name: "Create attributo" }).click();
      await waitText(page.locator(".notice"), "Saved the new attributo.");

      const attributi = (await api.get(`/api/attributi/${state.bt}`)).attributi;
      const byName = Object.fromEntries(attributi.map((a) => [a.name, a]));
      state.attr = Object.fromEntries(attributi.map((a) => [a.name, a.id]));
      assert.equal(attributi.length, 13);
      assert.deepEqual(byName.sample.attributo_type_integer, { type: "integer", format: "chemical-id" });
      assert.deepEqual(byName.flow.attributo_type_number, { type: "number", exclusiveMinimum: 0, maximum: 50, suffix: "µl/min" });
      assert.deepEqual(byName["detector distance"].attributo_type_number, { type: "number", suffix: "mm", format: "standard-unit", tolerance: 0.5 });
      assert.deepEqual(byName.mode.attributo_type_string, { type: "string", enum: ["SFX", "SAXS"] });
      assert.deepEqual(byName["measured at"].attributo_type_integer, { type: "integer", format: "date-time" });
      assert.deepEqual(byName.tags.attributo_type_array, { type: "array", item_type: "string", maxItems: 3 });
      assert.deepEqual(byName["cell axes"].attributo_type_array, { type: "array", item_type: "number", minItems: 3, maxItems: 3 });
      assert.equal(byName.concentration.associated_table, "chemical");
      assert.deepEqual(byName["shutter open"].attributo_type_boolean, { type: "boolean" });

      // The list shows the types in words.
      await waitText(page.getByRole("row").filter({ hasText: "flow" }), "µl/min ∈ (0.0,50.0]");
      await screenshot(page, "attributi");

      // Editing shows the type back in the editor.
      await page.getByRole("button", { name: "Edit flow" }).click();
      const edit = page.getByRole("form", { name: "Edit attributo flow" });
      assert.equal(await edit.locator("#type-max").inputValue(), "50");
      assert.equal(await edit.locator('input[name="minExclusive"]').isChecked(), true);
      await edit.getByRole("button", { name: "Cancel" }).click();

      // Edit a description; delete an attributo.
      await page.getByRole("button", { name: "Edit tags" }).click();
      const tags = page.getByRole("form", { name: "Edit attributo tags" });
      await tags.locator("#attr-description").fill("free-form labels");
      await tags.getByRole("button", { name: "Save" }).click();
      await waitText(page.locator(".notice"), "Saved tags.");
      await waitText(page.getByRole("row").filter({ hasText: "tags" }), "free-form labels");
      await createAttributo(page, { table: "run", name: "obsolete", kind: "integer" });
      page.on("dialog", (d) => void d.accept());
      await page.getByRole("button", { name: "Delete obsolete" }).click();
      await waitText(page.locator(".notice"), "Deleted obsolete.");
      const names = (await api.get(`/api/attributi/${state.bt}`)).attributi.map((a) => a.name);
      assert.ok(!names.includes("obsolete"));
      assert.equal(names.length, 13);
    });
  });

  it("creates a chemical with a file, refuses a range violation, copies one", async () => {
    needs("bt", "attr");
    await withPage(async ({ page, allowHttpError }) => {
      await page.goto(`/beamtimes/${state.bt}/chemicals`);
      await page.getByRole("button", { name: "New chemical" }).click();
      const form = page.getByRole("form", { name: "New chemical" });
      await form.locator("#chem-name").fill("Lysozyme");
      await form.locator("#chem-responsible").fill("Alice");
      await form.locator(`#chem-attr-${state.attr.concentration}`).fill("25");
      await form.locator(`#chem-attr-${state.attr["space group"]}`).fill("P 43 21 2");
      await form.locator(`#chem-attr-${state.attr.buffer}`).selectOption("HEPES");
      await form.locator(`#chem-attr-${state.attr["cell axes"]}`).fill("79.1\n79.1\n38.2");
      await form.locator('[data-testid="file-input"]').setInputFiles({
        name: "crystallisation.txt",
        mimeType: "text/plain",
        buffer: Buffer.from("batch 7, 20 mg/ml, 4 °C\n"),
      });
      await form.getByText("crystallisation.txt").waitFor();
      await form.getByRole("button", { name: "Create chemical" }).click();
      await waitText(page.locator(".notice"), "Saved the new chemical.");
      const row = page.getByRole("row").filter({ hasText: "Lysozyme" });
      await waitText(row, "25 mg/ml");
      await row.getByRole("link", { name: "crystallisation.txt" }).waitFor();

      let chemicals = (await api.get(`/api/chemicals/${state.bt}`)).chemicals;
      assert.equal(chemicals.length, 1);
      const lyso = chemicals[0];
      state.lyso = lyso.id;
      assert.equal(lyso.files.length, 1);
      assert.equal(lyso.files[0].file_name, "crystallisation.txt");
      const value = (name) => lyso.attributi.find((v) => v.attributo_id === state.attr[name]);
      assert.equal(value("concentration").attributo_value_float, 25);
      assert.deepEqual(value("cell axes").attributo_value_list_float, [79.1, 79.1, 38.2]);

      // A value outside the range is caught before sending.
      await page.getByRole("button", { name: "Edit Lysozyme" }).click();
      const edit = page.getByRole("form", { name: "Edit chemical Lysozyme" });
      const conc = edit.locator(`#chem-attr-${state.attr.concentration}`);
      await conc.fill("150");
      await edit.getByRole("button", { name: "Save" }).click();
      await waitText(edit.locator("small.error"), "150 mg/ml is outside the allowed range [0.0,100.0] mg/ml");
      assert.equal(await conc.getAttribute("aria-invalid"), "true");
      await screenshot(page, "chemical-range-error");

      // The server's own check shows at the field too: the range shrinks
      // while the form is open.
      const concentration = (await api.get(`/api/attributi/${state.bt}`)).attributi.find((a) => a.name === "concentration");
      await api.patch("/api/attributi", {
        attributo: { ...concentration, attributo_type_number: { type: "number", minimum: 0, maximum: 60, suffix: "mg/ml" } },
        conversion_flags: { ignore_units: true },
      });
      allowHttpError(400, "/api/chemicals");
      await conc.fill("80");
      await edit.getByRole("button", { name: "Save" }).click();
      await waitText(edit.locator("small.error"), "out of range");
      chemicals = (await api.get(`/api/chemicals/${state.bt}`)).chemicals;
      assert.equal(chemicals[0].attributi.find((v) => v.attributo_id === state.attr.concentration).attributo_value_float, 25);

      await conc.fill("50");
      await edit.getByRole("button", { name: "Save" }).click();
      await waitText(page.locator(".notice"), "Saved Lysozyme.");
      await waitText(page.getByRole("row").filter({ hasText: "Lysozyme" }), "50 mg/ml");

      // Copy from the older beamtime, found by typing part of the name.
      await page.getByRole("searchbox").fill("thau");
      await page.getByRole("button", { name: "Thaumatin" }).click();
      await waitText(page.locator(".notice"), "Copied Thaumatin into this beamtime.");
      await page.getByRole("row").filter({ hasText: "Thaumatin" }).waitFor();
      chemicals = (await api.get(`/api/chemicals/${state.bt}`)).chemicals;
      assert.deepEqual(chemicals.map((c) => c.name).sort(), ["Lysozyme", "Thaumatin"]);
      await screenshot(page, "chemicals");
    });
  });

  it("creates an experiment type, makes it current, and a data set", async () => {
    needs("bt", "attr", "lyso");
    await withPage(async ({ page }) => {
      await page.goto(`/beamtimes/${state.bt}/experiment-types`);
      await page.getByRole("button", { name: "New experiment type" }).click();
      const form = page.getByRole("form", { name: "New experiment type" });
      await form.getByLabel("Name").fill("SFX lysozyme");
      await form.getByRole("checkbox", { name: "sample" }).check();
      await form.getByRole("checkbox", { name: "flow" }).check();
      await form.getByRole("button", { name: "Create experiment type" }).click();
      const row = page.getByRole("row").filter({ hasText: "SFX lysozyme" });
      await waitText(row, "sample (crystal)");
      await row.getByRole("button", { name: "make current" }).click();
      await row.locator(".badge").filter({ hasText: "current" }).waitFor();
      const types = await api.get(`/api/experiment-types/${state.bt}`);
      state.et = types.experiment_types[0].id;
      assert.equal(types.current_experiment_type_id, state.et);
      await screenshot(page, "experiment-types");

      await page.goto(`/beamtimes/${state.bt}/data-sets`);
      await page.getByRole("button", { name: "New data set" }).click();
      const ds = page.getByRole("form", { name: "New data set" });
      await ds.locator(`#ds-attr-${state.attr.sample}`).selectOption({ label: "Lysozyme" });
      await ds.locator(`#ds-attr-${state.attr.flow}`).fill("0");
      await ds.getByRole("button", { name: "Create data set" }).click();
      await waitText(ds.locator("small.error"), "outside the allowed range");
      await ds.locator(`#ds-attr-${state.attr.flow}`).fill("2.5");
      await ds.getByRole("button", { name: "Create data set" }).click();
      await waitText(page.getByRole("row").filter({ hasText: "Lysozyme" }), "2.5");
      const sets = (await api.get(`/api/data-sets/${state.bt}`)).data_sets;
      assert.equal(sets.length, 1);
      await screenshot(page, "data-sets");
    });
  });

  it("shows the latest run, the live image, who is on shift, and keeps polling", async () => {
    needs("bt", "attr", "lyso", "et");
    const now = Date.now();
    const runBody = (n, extra = {}) => ({
      beamtime_id: state.bt,
      attributi: [
        { attributo_id: state.attr.sample, attributo_value_chemical: state.lyso },
        { attributo_id: state.attr.flow, attributo_value_float: 2.5 },
        { attributo_id: state.attr.comment, attributo_value_str: `run ${n} comment` },
        { attributo_id: state.attr.frames, attributo_value_int: 1000 * n },
        { attributo_id: state.attr["detector distance"], attributo_value_float: 200 + n },
      ],
      files: [{ id: 0, glob: `/raw/run-${n}/*.h5`, source: "raw" }],
      started: now - (5 - n) * 600_000,
      ...extra,
    });
    for (const n of [1, 2]) await api.post(`/api/runs/${n}`, runBody(n, { stopped: now - (5 - n) * 600_000 + 300_000 }));
    await api.post("/api/runs/3", runBody(3));
    state.runs = 3;
    const today = localNow(TZ);
    await api.post("/api/schedule", {
      beamtime_id: state.bt,
      schedule: [{ users: "Alice & Bob", date: today.date, shift: "00:00-23:59", comment: "", td_support: "Dan", chemicals: [state.lyso] }],
    });
    const live = await api.upload(`/api/live-stream/${state.bt}`, "file", await makePng("#264653"), "frame.jpg", "image/png");
    const overview = await api.get(`/api/runs-overview/${state.bt}`);
    assert.equal(overview.live_stream.file_id, live.id);

    await withPage(async ({ page }) => {
      await page.clock.install({ time: Date.now() });
      const overviewRequests = [];
      page.on("request", (r) => r.url().includes("/api/runs-overview/") && overviewRequests.push(Date.now()));
      await page.goto(`/beamtimes/${state.bt}/overview`);
      const latest = page.getByRole("region", { name: /Run 3/ });
      await latest.waitFor();
      await waitText(latest, "running");
      await waitText(latest.getByRole("row").filter({ hasText: "comment" }), "run 3 comment");
      await waitText(latest.getByRole("row").filter({ hasText: "sample" }), "Lysozyme");
      await waitText(latest.getByRole("row").filter({ hasText: "detector distance" }), "203 mm");
      await waitText(page.getByRole("region", { name: "On shift" }), "Alice & Bob");
      await waitText(page.getByRole("region", { name: /Experiment type/ }), "SFX lysozyme");
      await waitText(page.getByRole("region", { name: /Experiment type/ }), "sample = Lysozyme, flow = 2.5 µl/min");
      // The live image is the file, cache-busted by its modification time.
      const img = page.locator("figure.live img");
      assert.equal(await img.getAttribute("src"), `/api/files/${live.id}?t=${overview.live_stream.modified}`);
      await page.waitForFunction(() => {
        const i = document.querySelector("figure.live img");
        return i && i.complete && i.naturalWidth === 320;
      });
      await page.locator("figure.live").getByText("live", { exact: true }).waitFor();
      await screenshot(page, "overview");

      // Polling: a new run and a new frame appear without reloading.
      await api.post("/api/runs/4", runBody(4));
      const frame = await api.upload(`/api/live-stream/${state.bt}`, "file", await makePng("#e76f51"), "frame.jpg", "image/png");
      assert.equal(frame.id, live.id);
      const newModified = (await api.get(`/api/runs-overview/${state.bt}`)).live_stream.modified;
      await page.clock.runFor(5_000);
      await page.getByRole("region", { name: /Run 4/ }).waitFor();
      await page.waitForFunction((t) => document.querySelector("figure.live img")?.getAttribute("src")?.endsWith(`?t=${t}`), newModified);

      // While the tab is hidden nothing is polled; on return it is at once.
      await page.evaluate(() => {
        Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
        document.dispatchEvent(new Event("visibilitychange"));
      });
      const before = overviewRequests.length;
      await page.clock.runFor(20_000);
      assert.equal(overviewRequests.length, before, "no polling while hidden");
      await page.evaluate(() => {
        Object.defineProperty(document, "hidden", { configurable: true, get: () => false });
        document.dispatchEvent(new Event("visibilitychange"));
      });
      for (let i = 0; i < 50 && overviewRequests.length === before; i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(overviewRequests.length > before, "polls again when visible");

      // A grabber that stopped: the image gets old and says since when.
      await page.clock.runFor(40_000);
      const stale = page.locator("figure.live .badge.stale");
      await stale.waitFor();
      const expected = formatLocal((await api.get(`/api/runs-overview/${state.bt}`)).live_stream.modified_local).slice(11);
      assert.equal(await stale.textContent(), `stale since ${expected}`);
      await screenshot(page, "overview-stale");
    });
  });

  it("posts an event with a camera snapshot and a file", async () => {
    needs("bt", "runs");
    await withPage(async ({ page }) => {
      await page.goto(`/beamtimes/${state.bt}/overview`);
      const form = page.getByRole("form", { name: "Post an event" });
      await form.locator('input[name="event-text"]').fill("Crystals look good, see https://example.org/logbook/7");
      await form.locator('input[name="event-source"]').fill("Alice");
      await form.getByLabel("attach camera snapshot").check();
      await form.locator('[data-testid="file-input"]').setInputFiles({
        name: "beam.log",
        mimeType: "text/plain",
        buffer: Buffer.from("beam current 100 mA\n"),
      });
      await form.getByRole("button", { name: "Post" }).click();
      const event = page.locator("li.event").filter({ hasText: "Crystals look good" });
      await event.waitFor();
      await event.getByRole("link", { name: "beam.log" }).waitFor();
      await event.getByRole("link", { name: "https://example.org/logbook/7" }).waitFor();
      await page.waitForFunction(() => {
        const i = document.querySelector("li.event img.thumbnail");
        return i && i.complete && i.naturalWidth > 0;
      });
      assert.equal(await form.locator('input[name="event-text"]').inputValue(), "");

      const events = (await api.get(`/api/events/${state.bt}`)).events;
      const posted = events.find((e) => e.text.startsWith("Crystals look good"));
      assert.equal(posted.source, "Alice");
      assert.equal(posted.level, "user");
      assert.deepEqual(posted.files.map((f) => f.file_name).sort(), ["beam.log", `live-stream-image-${state.bt}-copy`]);
      assert.equal(posted.files.find((f) => f.file_name.endsWith("-copy")).type_, "image/png");
      state.event = posted.id;
      await screenshot(page, "overview-event");
    });
  });

  it("filters the event log by date and level and deletes an event", async () => {
    needs("bt", "event");
    await api.post("/api/events", {
      beamtime_id: state.bt,
      event: { source: "run-bridge", text: "Machine injection", level: "info", file_ids: [] },
      with_live_stream: false,
    });
    await withPage(async ({ page }) => {
      page.on("dialog", (d) => void d.accept());
      await page.goto(`/beamtimes/${state.bt}/events`);
      await page.locator("li.event").filter({ hasText: "Machine injection" }).getByText("info").waitFor();

      // A file dragged onto the drop zone is attached.
      const form = page.getByRole("form", { name: "Post an event" });
      const dropped = await page.evaluateHandle(() => {
        const dt = new DataTransfer();
        dt.items.add(new File(["dropped bytes\n"], "dropped.txt", { type: "text/plain" }));
        return dt;
      });
      await form.locator(".file-drop").dispatchEvent("drop", { dataTransfer: dropped });
      await form.getByText("dropped.txt").waitFor();
      await form.locator('input[name="event-text"]').fill("Dropped a file");
      await form.getByRole("button", { name: "Post" }).click();
      await page.locator("li.event").filter({ hasText: "Dropped a file" }).getByRole("link", { name: "dropped.txt" }).waitFor();

      await page.locator("li.event img.thumbnail").first().waitFor();
      const dates = await page.locator('select[name="event-date"] option').allTextContents();
      assert.ok(dates.length >= 2, "a date to choose");
      await page.locator('select[name="event-date"]').selectOption(dates[1]);
      await page.locator("li.event").filter({ hasText: "Crystals look good" }).waitFor();
      await page.locator('select[name="event-level"]').selectOption("info");
      await page.locator("li.event").filter({ hasText: "Crystals look good" }).waitFor({ state: "detached" });
      assert.equal(await page.locator("li.event").count(), 1);
      await page.locator('select[name="event-level"]').selectOption("");
      await screenshot(page, "events");
      await page.locator("li.event").filter({ hasText: "Machine injection" }).getByRole("button", { name: /Delete event/ }).click();
      await page.locator("li.event").filter({ hasText: "Machine injection" }).waitFor({ state: "detached" });
      const left = (await api.get(`/api/events/${state.bt}`)).events.map((e) => e.text);
      assert.ok(!left.includes("Machine injection"));
    });
  });

  it("filters, sorts, remembers columns and changes experiment types in the runs table", async () => {
    needs("bt", "attr", "runs");
    const saxs = await api.post("/api/experiment-types", {
      beamtime_id: state.bt,
      name: "SAXS",
      attributi: [{ id: state.attr.flow, role: "crystal" }],
    });
    await withPage(async ({ page, allowHttpError }) => {
      await page.goto(`/beamtimes/${state.bt}/runs`);
      await page.waitForFunction(() => document.body.dataset.runsRendered === "4");
      await waitText(page.getByRole("status"), "4 runs");
      const firstCell = () => page.locator("table.grid tbody tr:not(.spacer)").first().locator("td").nth(1).textContent();
      assert.equal(await firstCell(), "4");
      await screenshot(page, "runs");

      // A valid filter.
      await page.getByLabel("Filter").fill("id > 2 and flow == 2.5");
      await page.getByRole("button", { name: "Apply" }).click();
      await waitText(page.getByRole("status"), "2 runs");
      assert.match(page.url(), /\?filter=id\+%3E\+2/);

      // An invalid one: the error points at the token, the table stays.
      allowHttpError(400, `/api/runs/${state.bt}`);
      await page.getByLabel("Filter").fill('id > 2 and flwo == "x"');
      await page.getByRole("button", { name: "Apply" }).click();
      const error = page.locator("#run-filter-error");
      await error.waitFor();
      assert.equal(await error.locator("mark").textContent(), "flwo");
      await waitText(error, 'attributo "flwo" not defined, maybe you meant "flow"?');
      assert.equal(await page.getByLabel("Filter").getAttribute("aria-invalid"), "true");
      await waitText(page.getByRole("status"), "2 runs");
      await screenshot(page, "runs-filter-error");
      await page.getByLabel("Filter").fill("");
      await page.getByRole("button", { name: "Apply" }).click();
      await error.waitFor({ state: "detached" });
      await waitText(page.getByRole("status"), "4 runs");

      // Sorting by a column header, both ways.
      await page.getByRole("button", { name: "frames", exact: true }).click();
      assert.equal(await firstCell(), "1");
      await page.getByRole("button", { name: /^frames/ }).click();
      assert.equal(await firstCell(), "4");

      // Hide a column; the choice survives a reload.
      await page.getByText(/^Columns/).click();
      await page.getByRole("group", { name: "Columns" }).getByRole("checkbox", { name: "comment" }).uncheck();
      await page.locator("table.grid thead").getByRole("button", { name: "comment" }).waitFor({ state: "detached" });
      await page.reload();
      await page.waitForFunction(() => document.body.dataset.runsRendered === "4");
      assert.equal(await page.locator("table.grid thead").getByRole("button", { name: "comment" }).count(), 0);
      await page.locator("table.grid thead").getByRole("button", { name: "frames" }).waitFor();

      // Bulk change of the experiment type.
      await page.getByLabel("Select all runs shown").check();
      const bulk = page.getByRole("form", { name: "Change selected runs" });
      await waitText(bulk, "4 selected");
      await bulk.locator('select[name="bulk-experiment-type"]').selectOption({ label: "SAXS" });
      await bulk.getByRole("button", { name: "Change" }).click();
      await waitText(page.locator(".notice"), "Experiment type of 4 runs changed to SAXS.");
      const runs = (await api.get(`/api/runs/${state.bt}`)).runs;
      assert.deepEqual(
        runs.map((r) => r.experiment_type_id),
        runs.map(() => saxs.id),
      );
      await waitText(page.locator("table.grid tbody"), "SAXS");

      // A run from three days ago: the table shows dates, and the date filter picks it.
      const count = page.locator("span.muted[role=status]");
      const started = Date.now() - 3 * 86_400_000;
      await api.post("/api/runs/9", { beamtime_id: state.bt, attributi: [], files: [], started, stopped: started + 3_600_000 });
      const old = (await api.get(`/api/runs/${state.bt}`)).runs.find((r) => r.external_id === 9);
      const stamp = new Date(old.started_local).toISOString();
      const day = stamp.slice(0, 10);
      await page.reload();
      await page.waitForFunction(() => document.body.dataset.runsRendered === "5");
      await waitText(page.locator("table.grid tbody tr").filter({ hasText: "SAXS" }).first(), /\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
      await waitText(page.locator("table.grid tbody"), `${day} ${stamp.slice(11, 16)}`);
      await page.locator('select[name="date"]').selectOption(day);
      await waitText(count, /^1 run$/);
      await screenshot(page, "runs-multi-day");
      await page.locator('select[name="date"]').selectOption("");
      await waitText(count, "5 runs");

      // Keyboard only: in the filter box, type and press Enter to apply.
      await page.getByLabel("Filter").focus();
      await page.keyboard.press("Control+A");
      await page.keyboard.type("id == 9");
      await page.keyboard.press("Enter");
      await waitText(count, /^1 run$/);
      await page.keyboard.press("Control+A");
      await page.keyboard.press("Backspace");
      await page.keyboard.press("Enter");
      await waitText(count, "5 runs");
      await api.del(`/api/runs/${state.bt}/9`);
    });
  });

  it("edits the schedule", async () => {
    needs("bt", "runs");
    await withPage(async ({ page }) => {
      await page.goto(`/beamtimes/${state.bt}/schedule`);
      const people = page.getByLabel("People on shift 1");
      await people.waitFor();
      assert.equal(await people.inputValue(), "Alice & Bob");
      await page.getByRole("button", { name: "Add shift" }).click();
      await page.getByLabel("Shift 2", { exact: true }).fill("10:00");
      await page.getByLabel("People on shift 2").fill("Carol");
      await page.getByRole("button", { name: "Save schedule" }).click();
      await waitText(page.locator("ul.error"), "Shift 2: “10:00” is not a shift like 08:00-16:00.");
      await page.getByLabel("Shift 2", { exact: true }).fill("16:00-23:00");
      await page.getByRole("button", { name: "Save schedule" }).click();
      await waitText(page.locator(".notice"), "Saved 2 shifts.");
      const rows = (await api.get(`/api/schedule/${state.bt}`)).schedule;
      assert.deepEqual(
        rows.map((r) => [r.users, r.shift]),
        [
          ["Alice & Bob", "00:00-23:59"],
          ["Carol", "16:00-23:00"],
        ],
      );
      await screenshot(page, "schedule");
    });
  });

  it("reads well on a 4K control-room screen and in the dark", async () => {
    needs("bt", "runs");
    await withPage(
      async ({ page }) => {
        await page.goto(`/beamtimes/${state.bt}/overview`);
        await page.getByRole("region", { name: /Run 4/ }).waitFor();
        const size = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
        assert.ok(size >= 24, `root font size ${size}px on 4K`);
        await screenshot(page, "overview-4k");
        await page.goto(`/beamtimes/${state.bt}/runs`);
        await page.waitForFunction(() => document.body.dataset.runsRendered === "4");
        await screenshot(page, "runs-4k");
      },
      { width: 3840, height: 2160 },
    );
    await withPage(
      async ({ page }) => {
        await page.goto(`/beamtimes/${state.bt}/overview`);
        await page.getByRole("region", { name: /Run 4/ }).waitFor();
        const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        assert.equal(bg, "rgb(15, 18, 22)");
        await screenshot(page, "overview-dark");
        await page.goto(`/beamtimes/${state.bt}/attributi`);
        await page.getByRole("heading", { name: "Run attributi" }).waitFor();
        await screenshot(page, "attributi-dark");
      },
      { colorScheme: "dark" },
    );
  });
});
