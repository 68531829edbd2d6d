// Open every page of the rendered docs site in headless Chromium and report what went wrong on each, as JSON on stdout.
//
//   node tools/browser/pages.mjs BASE_URL OUT_DIR SHOTS PAGE...
//
// BASE_URL serves _docs/ (tools/docs_site.py starts a server on 127.0.0.1); PAGE: paths under it ("index.html", ...);
// SHOTS: comma-separated pages to screenshot into OUT_DIR. Requests to any other host are aborted at once (the check
// must not depend on a network, and CI has none): what a page loads from a CDN is reported as `external`, apart
// from its own errors. Chromium is Debian's (/usr/bin/chromium, or $CHROMIUM), driven by playwright-core.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [base, outDir, shots, ...pages] = process.argv.slice(2);
const origin = new URL(base).origin;
const profile = mkdtempSync(join(tmpdir(), "wb-chromium-"));
const flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"];
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true, args: flags,
  viewport: { width: 1280, height: 900 }, timeout: 60000,
});
await context.route("**/*", (route) =>
  new URL(route.request().url()).origin === origin ? route.continue() : route.abort("internetdisconnected"));
const shotSet = new Set((shots || "").split(",").filter(Boolean));
const report = {};
try {
  for (const path of pages) {
    const r = { pageErrors: [], consoleErrors: [], failed: [], external: [], status: null, title: "", shot: null };
    const page = await context.newPage();
    page.on("pageerror", (e) => r.pageErrors.push(String(e.message || e).slice(0, 300)));
    page.on("console", (m) => { if (m.type() === "error") r.consoleErrors.push(m.text().slice(0, 300)); });
    page.on("requestfailed", (q) => {
      const u = q.url();
      if (new URL(u).origin === origin) r.failed.push(`${u.slice(origin.length)} (${q.failure()?.errorText})`);
      else r.external.push(`${q.resourceType()} ${u.slice(0, 120)}`);
    });
    page.on("response", (s) => {
      if (new URL(s.url()).origin === origin && s.status() >= 400) r.failed.push(`${s.url().slice(origin.length)} (HTTP ${s.status()})`);
    });
    try {
      const resp = await page.goto(`${base}/${path}`, { waitUntil: "load", timeout: 30000 });
      r.status = resp ? resp.status() : null;
      await page.waitForTimeout(300);   // scripts that run after load (Quarto's anchors, search, the TOC)
      r.title = await page.title();
      if (shotSet.has(path)) {
        r.shot = join(outDir, path.replaceAll("/", "_").replace(/\.html$/, ".png"));
        if (path !== "index.html") {   // an API page: its first show_doc entry, below the title
          const entry = page.locator("main h3.anchored").first();
          if (await entry.count()) await entry.evaluate((el) => el.scrollIntoView({ block: "start" }));
        }
        await page.screenshot({ path: r.shot, fullPage: false });
      }
    } catch (e) { r.pageErrors.push(`navigation: ${String(e.message || e).split("\n")[0]}`); }
    await page.close();
    report[path] = r;
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(report));
