/**
 * Headless Chromium for end-to-end tests, through playwright-core and the system's
 * Chromium (Debian's `chromium` package, which `npm run setup` installs). Each launch gets
 * a fresh profile folder, removed on close.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

/** Where Debian's chromium package installs the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A running headless Chromium with its own profile. */
export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a fresh profile.
 * @throws Error naming the package to install when Chromium is missing
 */
export async function launchChromium(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}; install it with "apt-get install chromium" (npm run setup installs it)`,
    );
  }
  const profile = await mkdtemp(join(tmpdir(), 'sandstack-chromium-'));
  let context: BrowserContext;
  try {
    // launchPersistentContext passes the profile as --user-data-dir.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1360, height: 900 },
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** A console error or uncaught exception of a page. */
export interface PageProblem {
  kind: 'console' | 'pageerror';
  text: string;
  /** URL the console message came from, such as a failed request's. */
  url: string;
}

/** Collects every console error and uncaught exception of `page`. */
export function watchPageProblems(page: Page): PageProblem[] {
  const problems: PageProblem[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') {
      problems.push({ kind: 'console', text: message.text(), url: message.location().url });
    }
  });
  page.on('pageerror', (error) => {
    problems.push({ kind: 'pageerror', text: String(error), url: '' });
  });
  return problems;
}
