// Reads every page of the `greenlight serve` dashboard in headless Chromium, as a user would, and checks what
// it says. test/cli/serve_browser.sh starts the server, feeds it runs and a bridge job, then runs this script:
//
//   node dashboard.mjs --url URL --chromium /usr/bin/chromium --playwright DIR/playwright-core
//                      --output DIR --job NAME/ID [--time-limit SECONDS]
//
// Each page is read three times: JavaScript on at 1280 px, JavaScript on at 375 px (a phone: no horizontal
// scrollbar allowed) and JavaScript off at 1280 px (the text must be the same as with it on). The browser's
// console must stay free of errors (a Content-Security-Policy violation is one). Full-page screenshots go to
// OUTPUT/<page>-desktop.png and OUTPUT/<page>-phone.png (and OUTPUT/FAILED-<page>.png for a failure).
// Exit 0 when every check passes, 1 with `FAIL: <page> (<variant>): <what was expected>` otherwise.
import { createRequire } from 'node:module';
import path from 'node:path';

const options = parse_arguments(process.argv.slice(2));
const require = createRequire(import.meta.url);
const { chromium } = require(options.playwright);

const desktop = { width: 1280, height: 800 };
const phone = { width: 375, height: 740 };
const [job_name, job_id] = options.job.split('/');

class CheckFailed extends Error {}

// One visit: the page's name (for messages and screenshot files), its path, what it must say.
const visits = [
    { name: 'runs', path: '/', check: check_runs },
    { name: 'runs-filtered', path: '/runs', check: check_runs_filter, shown: '/runs?verdict=fail' },
    { name: 'run', path: '/runs/nightly-3', check: check_run },
    { name: 'run-passed', path: '/runs/nightly-1', check: check_passed_run },
    { name: 'flaky', path: '/flaky', check: check_flaky },
    { name: 'trends', path: '/trends', check: check_trends },
    { name: 'checks', path: '/checks', check: check_checks },
    { name: 'check', path: '/checks/nightly', check: check_check },
    { name: 'jobs', path: '/jobs', check: check_jobs },
    { name: 'job', path: `/jobs/${job_name}/${job_id}`, check: check_job },
    { name: 'spool', path: `/jobs/${job_name}/${job_id}/files/2`, check: check_spool },
    { name: 'not-found', path: '/runs/no-such-run', check: check_not_found, status: 404 },
];

const time_limit = setTimeout(() => {
    console.error(`FAIL: the browser checks did not finish within ${options.time_limit} s`);
    process.exit(1);
}, options.time_limit * 1000);

let browser;
let exit_code = 0;
try {
    browser = await chromium.launch({
        executablePath: options.chromium,
        headless: true,
        timeout: 30000,
        // Without the background-networking flags Chromium tries to reach hosts that do not exist here.
        // playwright-core gives the browser a fresh --user-data-dir in TMPDIR and removes it on close.
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
               '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions'],
    });
    const variants = [
        { label: 'desktop', viewport: desktop, javascript: true, screenshot: 'desktop' },
        { label: 'phone', viewport: phone, javascript: true, screenshot: 'phone' },
        { label: 'no JavaScript', viewport: desktop, javascript: false },
    ];
    const contexts = {};
    for (const variant of variants) {
        contexts[variant.label] = await browser.newContext({
            viewport: variant.viewport, javaScriptEnabled: variant.javascript, baseURL: options.url,
            locale: 'en-US', timezoneId: 'UTC', colorScheme: 'light',
        });
    }
    let checked = 0;
    for (const visit of visits) {
        const texts = {};
        for (const variant of variants) {
            texts[variant.label] = await read_page(contexts[variant.label], visit, variant);
            checked++;
        }
        if (texts['no JavaScript'] !== texts['desktop']) {
            throw new CheckFailed(`${visit.name} (no JavaScript): expected the same text as with JavaScript on; ` +
                                  `first difference: ${first_difference(texts['desktop'], texts['no JavaScript'])}`);
        }
    }
    console.log(`browser: ${visits.length} pages read ${checked} times (desktop, phone, no JavaScript) in ` +
                `${browser.version()}; screenshots in ${options.output}`);
} catch (error) {
    exit_code = 1;
    console.error(error instanceof CheckFailed ? `FAIL: ${error.message}` : `FAIL: ${error.stack || error}`);
} finally {
    clearTimeout(time_limit);
    if (browser) {
        await Promise.race([browser.close(), new Promise((resolve) => setTimeout(resolve, 10000))]);
    }
}
process.exit(exit_code);

// Opens one page in one context, runs its checks and the checks every page gets, saves its screenshot.
// Returns the page's main text with the parts that depend on the moment of reading ("3 s ago") left out.
async function read_page(context, visit, variant) {
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    const where = `${visit.name} (${variant.label})`;
    const problems = [];
    page.on('console', (message) => {
        if (message.type() === 'error' && !(visit.status && /status of 404/.test(message.text()))) {
            problems.push(`console error: ${message.text()}`);
        }
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
    const expect = (condition, what) => {
        if (!condition) throw new CheckFailed(`${where}: expected ${what}`);
    };
    try {
        const response = await page.goto(visit.path, { waitUntil: 'load' });
        expect(response && response.status() === (visit.status || 200),
               `HTTP ${visit.status || 200} for ${visit.path}, got ${response && response.status()}`);
        const stylesheet = await page.evaluate(() => [...document.styleSheets].some((s) => s.cssRules.length > 0));
        expect(stylesheet, 'the stylesheet /assets/dashboard.css to be loaded and applied');
        await visit.check(page, expect, variant);
        // A check that went elsewhere (a link, a form) comes back for the common checks and the screenshot.
        const shown = visit.shown || visit.path;
        if (page.url() !== new URL(shown, options.url).href) {
            await page.goto(shown, { waitUntil: 'load' });
        }
        await check_every_page(page, expect, visit, variant);
        const text = await main_text(page);
        if (variant.screenshot) {
            await page.screenshot({ path: path.join(options.output, `${visit.name}-${variant.screenshot}.png`), fullPage: true });
        }
        expect(problems.length === 0, `a quiet console, found: ${problems.join('; ')}`);
        return text;
    } catch (error) {
        await page.screenshot({ path: path.join(options.output, `FAILED-${visit.name}.png`), fullPage: true }).catch(() => {});
        if (error instanceof CheckFailed) throw error;
        throw new CheckFailed(`${where}: ${error.message.split('\n')[0]}`);
    } finally {
        await page.close().catch(() => {});
    }
}

// What every page must do: the section header with the current one marked, and nothing wider than the screen.
async function check_every_page(page, expect, visit, variant) {
    const sections = await page.locator('header nav li a').allInnerTexts();
    expect(sections.join(',') === 'Runs,Flaky,Trends,Checks,Promotions,Jobs',
           `the sections Runs, Flaky, Trends, Checks, Promotions, Jobs; got ${sections}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width <= variant.viewport.width + 1,
           `no horizontal scrollbar at ${variant.viewport.width} px, but the page is ${width} px wide` +
           (await widest_element(page, variant.viewport.width)));
    const inline_code = await page.evaluate(() => document.querySelectorAll('script, style, [style]').length);
    expect(inline_code === 0, `no <script>, <style> or style= in the page, found ${inline_code}`);
}

// For a message: the element that sticks out furthest to the right.
async function widest_element(page, width) {
    const culprit = await page.evaluate((limit) => {
        let worst = null;
        for (const element of document.querySelectorAll('main *')) {
            const right = element.getBoundingClientRect().right;
            if (right > limit + 1 && (!worst || right > worst.right)) {
                worst = { right, what: `<${element.tagName.toLowerCase()} class="${element.className}">` +
                                       ` "${(element.textContent || '').trim().slice(0, 60)}"` };
            }
        }
        return worst;
    }, width);
    return culprit ? `; widest: ${culprit.what} reaches ${Math.round(culprit.right)} px` : '';
}

async function main_text(page) {
    return page.evaluate(() => {
        const main = document.querySelector('main').cloneNode(true);
        for (const moving of main.querySelectorAll('.relative, .note')) moving.remove();
        return main.textContent.replace(/\s+/g, ' ').trim();
    });
}

async function heading(page) {
    return (await page.locator('main h1').innerText()).replace(/\s+/g, ' ').trim();
}

// The rows of the first table under `scope`, each as {column label: cell text}.
async function table_rows(page, scope = 'main') {
    return page.locator(`${scope} table`).first().evaluate((table) =>
        [...table.tBodies[0].rows].map((row) => Object.fromEntries(
            [...row.cells].map((cell) => [cell.dataset.label, cell.innerText.replace(/\s+/g, ' ').trim()]))));
}

// The facts list (<dl class="facts">) as {term: description}.
async function facts(page) {
    return page.locator('main dl.facts').evaluate((list) => {
        const result = {};
        for (const term of list.querySelectorAll('dt')) {
            result[term.textContent.trim()] = term.nextElementSibling.textContent.replace(/\s+/g, ' ').trim();
        }
        return result;
    });
}

async function check_runs(page, expect) {
    expect((await heading(page)) === 'Runs', `the heading "Runs", got "${await heading(page)}"`);
    const current = await page.locator('header nav a[aria-current="page"]').allInnerTexts();
    expect(current.join() === 'Runs', `"Runs" marked as the current section, got "${current}"`);
    const rows = await table_rows(page);
    const summary = rows.map((row) => `${row.Run}:${row.Verdict}`).join(' ');
    expect(summary === 'nightly-3:fail nightly-2:fail nightly-1:pass', `the three runs newest first with their verdicts, got "${summary}"`);
    expect(rows.every((row) => row.Project === 'shop' && row.Tier === 'nightly' && row.Bundle === 'yes'),
           `project shop, tier nightly and a bundle on every run, got ${JSON.stringify(rows[0])}`);
    expect(rows.every((row) => /^\d+(\.\d+)? (ms|s)$/.test(row.Duration)), `durations like "45 ms", got ${rows.map((r) => r.Duration)}`);
}

// The filter form is an ordinary GET form: choosing "fail" and pressing Filter shows the failed runs only.
async function check_runs_filter(page, expect) {
    await page.selectOption('#filter-verdict', 'fail');
    await Promise.all([page.waitForURL(/verdict=fail/), page.getByRole('button', { name: 'Filter' }).click()]);
    const rows = await table_rows(page);
    const runs = rows.map((row) => `${row.Run}:${row.Verdict}`).join(' ');
    expect(runs === 'nightly-3:fail nightly-2:fail', `only the failed runs after filtering by verdict fail, got "${runs}"`);
    const chosen = await page.locator('#filter-verdict').inputValue();
    expect(chosen === 'fail', `the verdict field to show the filter "fail", got "${chosen}"`);
    expect(await page.getByRole('link', { name: 'Clear filters' }).isVisible(), 'a "Clear filters" link');
    await page.getByRole('link', { name: 'Clear filters' }).click();
    await page.waitForURL(/\/runs$/);
    expect((await table_rows(page)).length === 3, 'all three runs again after "Clear filters"');
}

async function check_run(page, expect) {
    const title = await heading(page);
    expect(title === 'Run nightly-3 fail', `the heading "Run nightly-3 fail", got "${title}"`);
    const fact = await facts(page);
    expect(fact.Verdict === 'fail' && fact.Tier === 'nightly' && fact.Project === 'shop' && fact.Bundle === 'yes',
           `verdict fail, tier nightly, project shop, bundle yes in the facts, got ${JSON.stringify(fact)}`);
    const suites = (await table_rows(page)).map((row) => `${row.Suite}:${row.Verdict}:${row.Tests}/${row.Failures}`).join(' ');
    expect(suites === 'units:pass:2/0 api:fail:2/1', `suites units (pass, 2 tests) and api (fail, 1 failure of 2), got "${suites}"`);
    expect(await page.getByRole('heading', { name: 'Failing tests (1)' }).isVisible(), 'the heading "Failing tests (1)"');
    const failure = page.locator('main details.failure');
    expect((await failure.count()) === 1, `one failing test, got ${await failure.count()}`);
    const summary = (await failure.locator('summary').innerText()).replace(/\s+/g, ' ');
    expect(summary.includes('api.orders.refunds_an_order') && summary.includes('api'),
           `the failing test api.orders.refunds_an_order in the summary, got "${summary}"`);
    const excerpt = failure.locator('pre');
    expect(!(await excerpt.isVisible()), 'the output excerpt collapsed until the test is opened');
    await failure.locator('summary').click();
    expect(await excerpt.isVisible(), 'the output excerpt visible once the failing test is opened');
    const output = await excerpt.innerText();
    expect(output.includes('expected status 200, got 500') && output.includes('ledger locked'),
           `the failure message "expected status 200, got 500" and "ledger locked" in the excerpt, got "${output}"`);
    const files = await page.locator('main ul.files a').allInnerTexts();
    for (const file of ['summary.json', 'junit.xml', 'suites/api/output.log']) {
        expect(files.includes(file), `a link to the bundle file ${file}, got ${files}`);
    }
    const [response] = await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'summary.json', exact: true }).click()]);
    // Bundle files are shown as plain text, never as a page of the site (an uploaded file could hold HTML).
    expect(response.status() === 200 && /^text\/plain/.test(response.headers()['content-type'] || ''),
           `summary.json shown as plain text, got ${response.status()} ${response.headers()['content-type']}`);
    const summary_json = JSON.parse(await response.text());
    expect(summary_json.run_id === 'nightly-3' && summary_json.verdict === 'fail',
           `summary.json of run nightly-3 with verdict fail, got run ${summary_json.run_id}, verdict ${summary_json.verdict}`);
    expect((await page.locator('body').innerText()).includes('"nightly-3"'), 'the browser to show the summary.json text');
}

async function check_passed_run(page, expect) {
    expect((await heading(page)) === 'Run nightly-1 pass', `the heading "Run nightly-1 pass", got "${await heading(page)}"`);
    expect((await page.locator('main details.failure').count()) === 0, 'no failing tests');
    const text = await page.locator('main').innerText();
    expect(!/Failing tests \([1-9]/.test(text), 'no "Failing tests (N)" section with N > 0');
}

async function check_flaky(page, expect) {
    expect((await heading(page)) === 'Flaky tests', `the heading "Flaky tests", got "${await heading(page)}"`);
    const rows = await table_rows(page);
    expect(rows.length === 1, `one flaky test, got ${rows.length}: ${JSON.stringify(rows)}`);
    const [row] = rows;
    expect(row['#'] === '1' && row.Tier === 'nightly' && row.Suite === 'api' && row.Test === 'api.orders.refunds_an_order',
           `rank 1: nightly, api, api.orders.refunds_an_order, got ${JSON.stringify(row)}`);
    expect(row.Failed === '2/3 runs', `"2/3 runs" failed, got "${row.Failed}"`);
    expect(row['Last failed run'] === 'nightly-3', `the last failed run nightly-3, got "${row['Last failed run']}"`);
}

async function check_trends(page, expect, variant) {
    expect((await heading(page)) === 'Duration trends', `the heading "Duration trends", got "${await heading(page)}"`);
    const chart = page.locator('main svg.chart');
    expect((await chart.count()) === 1, `one chart (one tier), got ${await chart.count()}`);
    const points = await chart.locator('circle.point title').allTextContents();
    expect(points.length === 3, `one point per run (3), got ${points.length}`);
    for (const [index, run] of ['nightly-1: .* pass', 'nightly-2: .* fail', 'nightly-3: .* fail'].entries()) {
        expect(new RegExp(`^run ${run}$`).test(points[index] || ''), `point ${index + 1} titled "run ${run}", got "${points[index]}"`);
    }
    const box = await chart.boundingBox();
    expect(box && box.width > 100 && box.width <= variant.viewport.width, `the chart to fit the screen, got ${box && box.width} px`);
    const rows = (await table_rows(page)).map((row) => `${row.Run}:${row.Verdict}`).join(' ');
    expect(rows === 'nightly-1:pass nightly-2:fail nightly-3:fail', `the table below the chart, oldest first, got "${rows}"`);
    if (variant.javascript) {
        await Promise.all([page.waitForURL(/\/runs\/nightly-2$/), chart.locator('a[href="/runs/nightly-2"] circle').click()]);
        expect((await heading(page)) === 'Run nightly-2 fail', `a click on the second point to open run nightly-2, got "${await heading(page)}"`);
    }
}

async function check_checks(page, expect) {
    expect((await heading(page)) === 'Checks', `the heading "Checks", got "${await heading(page)}"`);
    const summary = await page.locator('main p.summary').innerText();
    expect(summary === '1 check: 1 down.', `"1 check: 1 down." (the last two runs failed), got "${summary}"`);
    const [row] = await table_rows(page);
    expect(row.Check === 'nightly', `the check nightly, got "${row.Check}"`);
    expect(/^down\b/.test(row.State) && row.State.includes('2 failures in a row'),
           `the state word "down" and why (2 failures in a row), got "${row.State}"`);
    expect(row.Schedule === 'every 6 h' && row.Grace === '30 min', `"every 6 h" and grace "30 min", got "${row.Schedule}", "${row.Grace}"`);
    expect(/^in (5 h \d+ min|6 h)\b/.test(row['Next due']), `the next success due in about 6 h ("in 5 h N min"), got "${row['Next due']}"`);
    expect(/ago|just now/.test(row['Last ping']) && /ago|just now/.test(row['Last success']),
           `the last ping and last success as "... ago", got "${row['Last ping']}", "${row['Last success']}"`);
}

async function check_check(page, expect) {
    const title = await heading(page);
    expect(title === 'Check nightly down', `the heading "Check nightly down", got "${title}"`);
    const fact = await facts(page);
    expect(/^down since /.test(fact.State), `"down since ..." as the state, got "${fact.State}"`);
    expect(fact.Schedule === 'every 6 h', `the schedule "every 6 h", got "${fact.Schedule}"`);
    expect(fact['Runs count as pings'] === 'tier nightly', `runs of tier nightly counting as pings, got "${fact['Runs count as pings']}"`);
    const pings = (await table_rows(page)).map((row) => `${row.Kind}:${row.Source}`);
    expect(pings[0] === 'fail:run:nightly-3' && pings.includes('success:run:nightly-1'),
           `the recent pings, newest first, from runs nightly-3 (fail) to nightly-1 (success), got ${pings}`);
}

async function check_jobs(page, expect) {
    expect((await heading(page)) === 'Bridge jobs', `the heading "Bridge jobs", got "${await heading(page)}"`);
    const rows = await table_rows(page);
    expect(rows.length === 1, `one job, got ${rows.length}`);
    const [row] = rows;
    expect(row.Name === job_name && row.Id === job_id && row.Status === 'OUTPUT' && row['Return code'] === 'CC 0000',
           `job ${job_name} ${job_id}, OUTPUT, CC 0000, got ${JSON.stringify(row)}`);
    await page.getByRole('link', { name: job_name, exact: true }).click();
    await page.waitForURL(new RegExp(`/jobs/${job_name}/${job_id}$`));
}

// The job's page, then its STDOUT in the spool viewer, then a switch to another file with its button.
async function check_job(page, expect) {
    const title = await heading(page);
    expect(title === `Job ${job_name} ${job_id} OUTPUT CC 0000`, `the heading "Job ${job_name} ${job_id} OUTPUT CC 0000", got "${title}"`);
    const files = (await table_rows(page)).map((row) => `${row['DD name']}:${row.Step}`);
    expect(files.includes('STDOUT:GREET') && files.includes('JESMSGLG:JES2'), `spool files JESMSGLG and GREET's STDOUT, got ${files}`);
    await page.getByRole('link', { name: 'STDOUT', exact: true }).click();
    await page.waitForURL(new RegExp(`/jobs/${job_name}/${job_id}/files/\\d+$`));
    const records = await page.locator('main pre').innerText();
    expect(records.trim() === 'greetings from the spool', `the spool viewer to show "greetings from the spool", got "${records}"`);
    const marked = await page.locator('main [aria-current]').allInnerTexts();
    expect(marked.some((text) => text.includes('STDOUT')), `the file shown (STDOUT) marked among the files, got ${marked}`);
}

// The spool viewer on JESMSGLG, then a switch to STDOUT with the file buttons.
async function check_spool(page, expect) {
    const log = await page.locator('main pre').innerText();
    expect(log.includes(job_id), `JESMSGLG to mention ${job_id}, got "${log.slice(0, 200)}"`);
    const marked = await page.locator('main [aria-current]').allInnerTexts();
    expect(marked.some((text) => text.includes('JESMSGLG')), `the file shown (JESMSGLG) marked among the files, got ${marked}`);
    await page.getByRole('link', { name: /STDOUT/ }).first().click();
    await page.waitForURL(new RegExp(`/jobs/${job_name}/${job_id}/files/\\d+$`));
    const records = await page.locator('main pre').innerText();
    expect(records.trim() === 'greetings from the spool', `STDOUT to show "greetings from the spool" after switching, got "${records}"`);
}

async function check_not_found(page, expect) {
    expect((await heading(page)) === '404 Not found', `the heading "404 Not found", got "${await heading(page)}"`);
}

function first_difference(a, b) {
    let index = 0;
    while (index < a.length && a[index] === b[index]) index++;
    return `with JavaScript: "${a.slice(Math.max(0, index - 40), index + 40)}", without: "${b.slice(Math.max(0, index - 40), index + 40)}"`;
}

function parse_arguments(argv) {
    const result = { time_limit: 180 };
    for (let index = 0; index < argv.length; index += 2) {
        const key = argv[index].replace(/^--/, '').replace(/-/g, '_');
        if (!['url', 'chromium', 'playwright', 'output', 'job', 'time_limit'].includes(key) || argv[index + 1] === undefined) {
            console.error(`usage: node dashboard.mjs --url URL --chromium PATH --playwright DIR --output DIR --job NAME/ID` +
                          ` [--time-limit SECONDS] (bad argument ${argv[index]})`);
            process.exit(2);
        }
        result[key] = key === 'time_limit' ? Number(argv[index + 1]) : argv[index + 1];
    }
    for (const key of ['url', 'chromium', 'playwright', 'output', 'job']) {
        if (!result[key]) {
            console.error(`dashboard.mjs: --${key} is required`);
            process.exit(2);
        }
    }
    return result;
}
