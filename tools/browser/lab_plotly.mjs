// Open a notebook in JupyterLab in headless Chromium, with every request to another host aborted (no network), and
// report whether its saved plotly output is drawn (plotly's mime renderer, the JupyterLab extension plotly ships).
//
//   node tools/browser/lab_plotly.mjs LAB_URL SHOT.png        (tools/lab_check.py starts JupyterLab and calls this)
//
// Prints JSON: plots (drawn plotly figures), traces (their scatter traces), external (aborted requests), errors.
import { chromium } from "playwright-core";

const [url, shot] = process.argv.slice(2);
const origin = new URL(url).origin;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"] });
const r = { plots: 0, traces: 0, external: [], errors: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.route("**/*", (route) => {
    const u = route.request().url();
    if (new URL(u).origin !== origin && !u.startsWith("data:") && !u.startsWith("blob:")) {
      r.external.push(u.slice(0, 120)); return route.abort();
    }
    return route.continue();
  });
  page.on("pageerror", (e) => r.errors.push(String(e.message || e).slice(0, 200)));
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: 60000 });
  try {
    await page.waitForSelector(".js-plotly-plot .main-svg", { timeout: 90000 });
    await page.waitForTimeout(1500);   // the WebGL scene draws after the SVG frame
  } catch (e) { r.errors.push(`no plotly figure appeared: ${String(e.message || e).split("\n")[0]}`); }
  r.plots = await page.locator(".js-plotly-plot").count();
  r.traces = await page.evaluate(() => [...document.querySelectorAll(".js-plotly-plot")]
    .reduce((n, el) => n + ((el.data || []).length), 0));
  await page.screenshot({ path: shot });
} finally { await browser.close(); }
process.stdout.write(JSON.stringify(r));
