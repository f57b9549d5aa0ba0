// Page-load timings of the admin dashboard against a running service (loopback), in Debian's chromium, driven by the
// Playwright package the API tests already restore (no browser download). Usage:
//   node eval/dashboard/page_load.js PLAYWRIGHT_PACKAGE URL INDEX KEYFILE [ROUNDS]
// Each round opens a fresh browser context, signs in with the key (sessionStorage, as the sign-in form does), and
// times, for each page loaded cold in a new tab, from the navigation to its content being on screen: the overview's index table, the documents table's first rows,
// and a document's chunk list. Prints the median and the maximum per page.
const [pkg, url, index, keyFile, roundsArg] = process.argv.slice(2);
const { chromium } = require(pkg);
const fs = require("fs");
const key = fs.readFileSync(keyFile, "utf8").trim();
const rounds = Number(roundsArg || 10);

(async () => {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  const times = { overview: [], documents: [], document: [] };
  const errors = [];
  for (let r = 0; r < rounds; r++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(k => sessionStorage.setItem("rag-api-key", k), key);
    // Every page is a cold load: a new tab (the key set before the app's script runs), the app's files and its API calls.
    const load = async (path, ready) => {
      const page = await context.newPage();
      page.on("console", m => { if (m.type() === "error") errors.push(m.text()); });
      const t = Date.now();
      await page.goto(`${url}/admin${path}`);
      await ready(page);
      const ms = Date.now() - t;
      return { page, ms };
    };
    const overview = await load("#/overview", p => p.getByRole("link", { name: index }).first().waitFor());
    times.overview.push(overview.ms);
    await overview.page.close();

    const documents = await load(`#/indexes/${index}/documents?offset=${r * 25}`, p => p.locator("table tbody tr").nth(24).waitFor());
    times.documents.push(documents.ms);
    const link = await documents.page.locator("table tbody tr a[href*='/documents/']").first().getAttribute("href");
    await documents.page.close();

    const document = await load(link, p => p.getByRole("heading", { name: /chunks/i }).first().waitFor());
    times.document.push(document.ms);
    await document.page.close();
    await context.close();
  }
  await browser.close();
  const median = a => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  for (const [name, a] of Object.entries(times)) {
    console.log(`${name.padEnd(10)} median ${median(a)} ms  max ${Math.max(...a)} ms  (${a.length} loads)`);
  }
  console.log(`console errors: ${errors.length}${errors.length ? " — " + errors.slice(0, 3).join(" | ") : ""}`);
})().catch(e => { console.error(e); process.exit(1); });
