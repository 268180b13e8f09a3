// The console in a real browser: headless Chromium (Debian's) driven by playwright-core
// opens /console, types the admin secret, runs a query with a table -> remote join in
// GraphiQL, and reads the result pane; the documentation explorer shows the schema.
//
//   node browser_test.mjs <front URL> <admin secret> <screenshot.png>
//
// Run by server/tests/front.rs (console_runs_a_remote_join_in_a_browser), which starts
// the front. Exit status 0 when everything was seen, 1 with the reason otherwise.
import { chromium } from "playwright-core";

const [base, secret, screenshot] = process.argv.slice(2);
const query = "{ notes(order_by: {id: asc}, limit: 2) { id body author { name } } }";

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let failure = null;
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const problems = [];
page.on("pageerror", (e) => problems.push(String(e)));
page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
try {
  await page.goto(`${base}/console?query=${encodeURIComponent(query)}`);
  await page.fill("#secret", secret);
  await page.click("#apply");
  await page.waitForSelector(".graphiql-execute-button", { timeout: 20000 });
  await page.click(".graphiql-execute-button");
  const result = page.locator(".result-window");
  await result.getByText("user 1").first().waitFor({ timeout: 20000 });
  const text = await result.innerText();
  for (const expected of ['"notes"', '"author"', '"name": "user 1"', '"body": "first of user 1"']) {
    if (!text.includes(expected)) throw new Error(`the result pane lacks ${expected}:\n${text}`);
  }
  // The schema explorer: the documentation of query_root lists the table's field.
  await page.click('[aria-label="Show Documentation Explorer"]');
  const docs = page.locator(".graphiql-doc-explorer");
  await docs.getByText("query_root").first().click({ timeout: 20000 });
  await docs.getByText("notes_by_pk").first().waitFor({ timeout: 20000 });
  await page.screenshot({ path: screenshot });
  console.log(`console: the join answered in the result pane; screenshot ${screenshot}`);
} catch (e) {
  failure = e;
  await page.screenshot({ path: screenshot }).catch(() => {});
}
await browser.close();
if (failure || problems.length) {
  console.error(`console: ${failure ? failure.message : ""}\n${problems.join("\n")}`);
  process.exit(1);
}
