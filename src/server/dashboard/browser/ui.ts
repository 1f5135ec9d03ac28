/**
 * Building blocks every dashboard page uses: the API session context, polling, status
 * badges, empty states and error banners. Everything renders through Preact, which sets
 * text as text nodes, so API data (tool inputs, command output) is never parsed as HTML.
 */
import { createContext } from 'preact';
import { html } from 'htm/preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Session } from './api.js';
import { formatTime } from './format.js';

/** The logged-in session and the API call bound to its token. */
export interface SessionApi {
  session: Session;
  /** Calls the API; a 401 logs the user out with the server's message. */
  call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
}

export const SessionContext = createContext<SessionApi | undefined>(undefined);

/** Returns the session of the page; only pages inside the logged-in shell call it. */
export function useSession(): SessionApi {
  const api = useContext(SessionContext);
  if (api === undefined) {
    throw new Error('useSession() was called outside the logged-in shell');
  }
  return api;
}

/** State of a polled API read. */
export interface Poll<T> {
  data: T | undefined;
  /** The last failure; the last good data stays shown beside it. */
  error: Error | undefined;
  updatedAtMs: number | undefined;
  /** Reads again now, such as after a button changed something. */
  reload(): void;
}

/** Default time between two reads of a live page. */
export const POLL_INTERVAL_MS = 2000;

/**
 * Calls `load` now and again every `intervalMs` after each call ends, until the page
 * unmounts or `deps` change. A slow server therefore never gets overlapping reads.
 */
export function usePoll<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
  intervalMs: number = POLL_INTERVAL_MS,
): Poll<T> {
  const [state, setState] = useState<Omit<Poll<T>, 'reload'>>({
    data: undefined,
    error: undefined,
    updatedAtMs: undefined,
  });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let cancelled = false;
    let timer: number | undefined;
    // A 404 or 403 does not change by itself, so reading again would only repeat it.
    let stopped = false;
    const read = async (): Promise<void> => {
      try {
        const data = await loadRef.current();
        if (!cancelled) {
          setState({ data, error: undefined, updatedAtMs: Date.now() });
        }
      } catch (error) {
        stopped = error instanceof ApiError && (error.status === 404 || error.status === 403);
        if (!cancelled) {
          setState((previous) => ({ ...previous, error: error as Error }));
        }
      }
      if (!cancelled && !stopped) {
        timer = window.setTimeout(() => void read(), intervalMs);
      }
    };
    void read();
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [...deps, generation, intervalMs]);

  return { ...state, reload: () => setGeneration((value) => value + 1) };
}

const STATUS_TONES: Record<string, string> = {
  complete: 'ok',
  approved: 'ok',
  allow: 'ok',
  claimed: 'info',
  running: 'info',
  queued: 'muted',
  warm: 'muted',
  released: 'muted',
  terminated: 'muted',
  expired: 'muted',
  paused: 'warn',
  waiting: 'warn',
  waitingForPause: 'warn',
  pending: 'warn',
  ask: 'warn',
  errored: 'bad',
  denied: 'bad',
  deny: 'bad',
};

/** Renders a coloured label for a status, verdict or state. */
export function Badge(props: { value: string; label?: string }) {
  const tone = STATUS_TONES[props.value] ?? 'muted';
  return html`<span class=${`badge badge-${tone}`} data-status=${props.value}
    >${props.label ?? props.value}</span
  >`;
}

/** Renders what a table shows when it has no rows. */
export function Empty(props: { title: string; hint?: string }) {
  return html`<div class="empty">
    <div class="empty-title">${props.title}</div>
    ${props.hint === undefined ? null : html`<div class="empty-hint">${props.hint}</div>`}
  </div>`;
}

/** Renders a red banner naming what failed, with the server's code when it sent one. */
export function ErrorBanner(props: { error: Error | undefined; action?: string }) {
  if (props.error === undefined) {
    return null;
  }
  const code = props.error instanceof ApiError ? props.error.code : undefined;
  return html`<div class="banner banner-error" role="alert">
    <strong>${props.action ?? 'The API call failed'}:</strong> ${props.error.message}
    ${code === undefined ? null : html` <code class="error-code">${code}</code>`}
  </div>`;
}

/** Renders the page title row, with the time of the last read. */
export function PageHeader(props: {
  title: string;
  updatedAtMs?: number | undefined;
  children?: unknown;
}) {
  return html`<div class="page-header">
    <h1>${props.title}</h1>
    <div class="page-header-side">
      ${props.children}
      ${
        props.updatedAtMs === undefined
          ? null
          : html`<span class="live" title="Refreshes every ${POLL_INTERVAL_MS / 1000} s"
              ><span class="live-dot"></span>Updated ${formatTime(props.updatedAtMs)}</span
            >`
      }
    </div>
  </div>`;
}

/** Shows a spinner line until the first read of a page finishes. */
export function Loading() {
  return html`<div class="loading">Loading…</div>`;
}

/** Renders a link inside the dashboard. The route goes in the hash, so the server never receives it. */
export function routeHref(...parts: string[]): string {
  return `#/${parts.map((part) => encodeURIComponent(part)).join('/')}`;
}
