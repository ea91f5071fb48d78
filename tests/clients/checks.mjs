// The checks of run.sh (read it first): GraphiQL offline and CORS in headless Chromium,
// graphql-http's server audits, and Apollo Federation composition of the live subgraph SDL.
// Prints one line per check and exits non-zero when any fails.
import { chromium } from 'playwright-core';
import { serverAudits } from 'graphql-http';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import http from 'node:http';

const base = process.env.DEALGATE_URL;
const key = process.env.DEALGATE_KEY;
const appPort = Number(process.env.APP_PORT);
const out = process.env.OUT;
const allowedOrigin = `http://127.0.0.1:${appPort}`;
const otherOrigin = `http://localhost:${appPort}`;
let failures = 0;

function check(ok, what, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` — ${detail}` : ''}`);
  if (!ok) failures += 1;
}

async function graphql(query, variables = {}) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

// ---- GraphiQL, offline -------------------------------------------------------------------
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
  const outside = [];
  await context.route('**/*', (route) => {
    const origin = new URL(route.request().url()).origin;
    if (origin === base || origin === allowedOrigin || origin === otherOrigin) return route.continue();
    outside.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  await page.goto(`${base}/graphiql`);
  await page.waitForSelector('.graphiql-container', { timeout: 20000 });
  check(true, 'GraphiQL renders from the binary\'s own assets');
  await page.waitForSelector('#key-help:not([hidden])', { timeout: 20000 });
  await page.screenshot({ path: `${out}/graphiql-without-key.png` });
  check(true, 'without a key, the page explains where the key goes');

  // Type the key in the Headers editor (CodeMirror 5 keeps its editor on its element).
  await page.evaluate((apiKey) => {
    const editors = [...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')];
    const headers = editors.find((e) => e.CodeMirror.getValue().includes('X-API-KEY'));
    headers.CodeMirror.setValue(`{\n  "X-API-KEY": "${apiKey}"\n}`);
  }, key);
  await page.waitForSelector('#key-help', { state: 'hidden', timeout: 20000 });
  check(true, 'the schema loads with the headers just typed, without a re-fetch click');

  await page.click('[aria-label="Show Documentation Explorer"]');
  await page.waitForSelector('.graphiql-doc-explorer >> text=Query', { timeout: 10000 });
  check(true, 'Docs shows the schema');

  await page.evaluate(() => {
    const query = document.querySelector('.graphiql-query-editor .CodeMirror');
    query.CodeMirror.setValue('{ deals(first: 3) { nodes { title value { amount currency } } } }');
  });
  await page.click('.graphiql-execute-button');
  await page.waitForSelector('.graphiql-response >> text=currency', { timeout: 10000 });
  await page.screenshot({ path: `${out}/graphiql.png` });
  check(true, 'a query runs and its result shows', `screenshot ${out}/graphiql.png`);
  check(outside.length === 0, 'no request left the server', outside.slice(0, 3).join(' '));
  check(pageErrors.length === 0, 'no script error on the page', pageErrors.slice(0, 2).join(' | '));

  // ---- CORS, from a page on another origin ------------------------------------------------
  const app = http.createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!DOCTYPE html><title>app</title><p>browser app</p>');
  });
  await new Promise((resolve) => app.listen(appPort, '127.0.0.1', resolve));
  const call = async (origin) => {
    await page.goto(`${origin}/`);
    return page.evaluate(async ([url, apiKey]) => {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': apiKey, 'x-request-id': 'from-the-browser' },
          body: JSON.stringify({ query: '{ viewer { organization { name } } }' }),
        });
        return { status: response.status, requestId: response.headers.get('x-request-id'), body: await response.json() };
      } catch (err) {
        return { blocked: String(err) };
      }
    }, [`${base}/graphql`, key]);
  };
  const allowed = await call(allowedOrigin);
  check(allowed.status === 200 && allowed.body?.data?.viewer?.organization?.name,
    `a browser app on ${allowedOrigin} (allowed) calls the API with its key`, JSON.stringify(allowed).slice(0, 160));
  check(allowed.requestId === 'from-the-browser', 'the app can read x-request-id');
  const other = await call(otherOrigin);
  check(Boolean(other.blocked), `a page on ${otherOrigin} (not allowed) is blocked by the browser`, JSON.stringify(other).slice(0, 160));
  app.close();
} finally {
  await browser.close();
}

// ---- graphql-http's server audits ----------------------------------------------------------
const withKey = (input, init = {}) => fetch(input, {
  ...init,
  headers: { ...Object.fromEntries(new Headers(init.headers ?? {})), 'x-api-key': key },
});
const counts = { ok: 0, warn: 0, error: 0 };
for (const audit of serverAudits({ url: `${base}/graphql`, fetchFn: withKey })) {
  const result = await audit.fn();
  counts[result.status] += 1;
  if (result.status !== 'ok') console.log(`     ${result.status} ${audit.id} ${audit.name}: ${result.reason}`);
}
check(counts.error === 0, 'graphql-http server audits', `${counts.ok} ok, ${counts.warn} warnings, ${counts.error} errors`);

// ---- Apollo Federation ---------------------------------------------------------------------
const service = await graphql('{ _service { sdl } }');
const sdl = service?.data?._service?.sdl ?? '';
const composed = composeServices([{ name: 'dealgate', url: `${base}/graphql`, typeDefs: parse(sdl) }]);
check(!composed.errors, 'the subgraph SDL composes with @apollo/composition',
  composed.errors ? composed.errors.map((e) => e.message).join('; ').slice(0, 300) : `${composed.hints?.length ?? 0} hints`);

console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
