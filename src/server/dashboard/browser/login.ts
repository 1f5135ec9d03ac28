/**
 * The log-in screen: the user pastes an admin or tenant token, which is checked against
 * the API before the dashboard opens.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { ApiError, logIn, type Session } from './api.js';

/** Turns a failed log-in into a message that tells the user what to do next. */
function logInMessage(error: unknown): string {
  if (error instanceof ApiError && error.status === 401) {
    return `The server rejected this token: ${error.message}`;
  }
  if (error instanceof ApiError) {
    return error.message;
  }
  return `Log-in failed: ${String(error)}`;
}

/** Renders the log-in screen. */
export function LoginPage(props: {
  notice?: string | undefined;
  onLoggedIn: (session: Session) => void;
}) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const trimmed = token.trim();
    if (trimmed === '') {
      setError(
        'Paste a token first: the admin token printed at the first start, or a tenant token (sst_…)',
      );
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      props.onLoggedIn(await logIn(trimmed));
    } catch (failure) {
      setError(logInMessage(failure));
    } finally {
      setBusy(false);
    }
  };

  return html`<main class="login">
    <form class="login-card" onSubmit=${(event: Event) => void submit(event)}>
      <div class="brand brand-large"><span class="brand-mark"></span>sandstack</div>
      <p class="login-intro">
        Log in with the admin token or a tenant token. The token stays in this browser tab and is
        sent only to this server.
      </p>
      ${
        props.notice === undefined || error !== undefined
          ? null
          : html`<div class="banner banner-warn" role="status">${props.notice}</div>`
      }
      ${error === undefined ? null : html`<div class="banner banner-error" role="alert">${error}</div>`}
      <label for="token">Token</label>
      <input
        id="token"
        name="token"
        type="password"
        autocomplete="off"
        spellcheck="false"
        placeholder="sst_… or the admin token"
        value=${token}
        onInput=${(event: Event) => setToken((event.currentTarget as HTMLInputElement).value)}
      />
      <button class="button button-primary" type="submit" disabled=${busy}>
        ${busy ? 'Checking…' : 'Log in'}
      </button>
    </form>
  </main>`;
}
