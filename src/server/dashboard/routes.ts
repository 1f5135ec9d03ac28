/**
 * Serves the web dashboard: one HTML page, its script and its style sheet, all from this
 * process (no CDN). The page talks only to the JSON API, with the token the user pastes
 * at the log-in screen, so these routes need no token themselves.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import { dashboardScript } from './bundle.js';
import { DASHBOARD_CSS } from './styles.js';

/**
 * Content-Security-Policy of every dashboard response: scripts and styles only from this
 * origin (no inline script, no `eval`), API calls only to this origin, no frames, no forms.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>sandstack dashboard</title>
<link rel="icon" type="image/svg+xml" href="/dashboard/icon.svg">
<link rel="stylesheet" href="/dashboard/app.css">
<script type="module" src="/dashboard/app.js"></script>
</head>
<body>
<div id="app"><noscript>The sandstack dashboard needs JavaScript.</noscript></div>
</body>
</html>
`;

function secure(c: Context): void {
  c.header('content-security-policy', DASHBOARD_CSP);
  c.header('x-content-type-options', 'nosniff');
  c.header('x-frame-options', 'DENY');
  c.header('referrer-policy', 'no-referrer');
  c.header('cross-origin-opener-policy', 'same-origin');
}

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#6d8cff"/><stop offset="0.55" stop-color="#3559e0"/><stop offset="1" stop-color="#21b17a"/></linearGradient></defs><rect width="32" height="32" rx="8" fill="url(#g)"/></svg>`;

/** Creates the routes `/`, `/dashboard` and the page's assets under `/dashboard/`. */
export function dashboardRoutes(): Hono {
  const app = new Hono();
  app.get('/', (c) => c.redirect('/dashboard', 302));
  const page = (c: Context): Response => {
    secure(c);
    c.header('cache-control', 'no-store');
    return c.html(PAGE);
  };
  app.get('/dashboard', page);
  app.get('/dashboard/', page);
  app.get('/dashboard/app.js', async (c) => {
    secure(c);
    c.header('cache-control', 'no-cache');
    return c.body(await dashboardScript(), 200, {
      'content-type': 'text/javascript; charset=utf-8',
    });
  });
  app.get('/dashboard/app.css', (c) => {
    secure(c);
    c.header('cache-control', 'no-cache');
    return c.body(DASHBOARD_CSS, 200, { 'content-type': 'text/css; charset=utf-8' });
  });
  app.get('/dashboard/icon.svg', (c) => {
    secure(c);
    c.header('cache-control', 'max-age=86400');
    return c.body(ICON, 200, { 'content-type': 'image/svg+xml' });
  });
  return app;
}
