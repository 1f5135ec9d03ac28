/**
 * The dashboard shell: the log-in screen until a token is checked, then the navigation and
 * the page named in the URL hash (`#/runs`, `#/runs/<id>`, `#/approvals`, …).
 */
import { html } from 'htm/preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import {
  apiRequest,
  ApiError,
  clearSession,
  loadSession,
  saveSession,
  type Session,
} from './api.js';
import { ApprovalsPage } from './approvals.js';
import { CostPage } from './cost.js';
import { LoginPage } from './login.js';
import { RunPage } from './run.js';
import { RunsPage } from './runs.js';
import { SandboxesPage } from './sandboxes.js';
import { TenantsPage } from './tenants.js';
import { SessionContext, type SessionApi } from './ui.js';

interface NavItem {
  route: string;
  label: string;
}

const TENANT_NAV: NavItem[] = [
  { route: 'runs', label: 'Runs' },
  { route: 'approvals', label: 'Approvals' },
  { route: 'sandboxes', label: 'Sandboxes' },
  { route: 'cost', label: 'Usage and cost' },
];

const ADMIN_NAV: NavItem[] = [
  { route: 'tenants', label: 'Tenants' },
  { route: 'runs', label: 'Runs' },
  { route: 'approvals', label: 'Approvals' },
  { route: 'sandboxes', label: 'Sandboxes' },
  { route: 'cost', label: 'Usage and cost' },
];

/** Splits the hash into decoded route parts: `#/runs/run_1` is `['runs', 'run_1']`. */
function parseHash(hash: string): string[] {
  return hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((part) => part !== '')
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    });
}

function useHashRoute(): string[] {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

function Page(props: { route: string[]; session: Session }) {
  const [name, id] = props.route;
  const admin = props.session.role === 'admin';
  switch (name) {
    case 'runs':
      if (admin && id !== undefined) {
        return NotFound(
          "A run's steps and trace are shown to its tenant; log in with its tenant token.",
        );
      }
      return id === undefined ? html`<${RunsPage} />` : html`<${RunPage} key=${id} id=${id} />`;
    case 'approvals':
      return html`<${ApprovalsPage} />`;
    case 'sandboxes':
      return html`<${SandboxesPage} />`;
    case 'cost':
      return html`<${CostPage} />`;
    case 'tenants':
      return admin ? html`<${TenantsPage} />` : NotFound('Only the admin token lists tenants.');
    default:
      return NotFound(`There is no page "${name ?? ''}".`);
  }
}

function NotFound(message: string) {
  return html`<section class="empty"><div class="empty-title">${message}</div></section>`;
}

/** Renders the whole dashboard. */
export function App() {
  const [session, setSession] = useState<Session | undefined>(() => loadSession());
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const route = useHashRoute();

  const logOut = (message?: string): void => {
    clearSession();
    setNotice(message);
    setSession(undefined);
  };

  const api = useMemo<SessionApi | undefined>(() => {
    if (session === undefined) {
      return undefined;
    }
    return {
      session,
      call: async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
        try {
          return await apiRequest<T>(session.token, method, path, body);
        } catch (error) {
          if (error instanceof ApiError && error.status === 401) {
            logOut(`You were logged out: ${error.message}`);
          }
          throw error;
        }
      },
    };
  }, [session]);

  if (session === undefined || api === undefined) {
    return html`<${LoginPage}
      notice=${notice}
      onLoggedIn=${(next: Session) => {
        saveSession(next);
        setNotice(undefined);
        setSession(next);
      }}
    />`;
  }

  const nav = session.role === 'admin' ? ADMIN_NAV : TENANT_NAV;
  const current = route[0] ?? nav[0]?.route ?? 'runs';
  const pageRoute = route.length === 0 ? [current] : route;
  return html`<${SessionContext.Provider} value=${api}>
    <div class="shell">
      <header class="topbar">
        <div class="brand"><span class="brand-mark"></span>sandstack</div>
        <nav class="nav">
          ${nav.map(
            (item) =>
              html`<a
                key=${item.route}
                href=${`#/${item.route}`}
                class=${item.route === current ? 'nav-link nav-on' : 'nav-link'}
                >${item.label}</a
              >`,
          )}
        </nav>
        <div class="who">
          <span class="who-role">${session.role === 'admin' ? 'admin' : 'tenant'}</span>
          ${session.tenant === null ? null : html`<strong data-testid="tenant">${session.tenant}</strong>`}
          <button class="button button-quiet" onClick=${() => logOut('You logged out.')}>Log out</button>
        </div>
      </header>
      <main class="content">
        <${Page} route=${pageRoute} session=${session} />
      </main>
    </div>
  </${SessionContext.Provider}>`;
}
