/**
 * The approval queue page: tool calls the guard decided `ask`, waiting for a human, with
 * approve and deny buttons, and the recent decisions.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { Approval } from './types.js';
import { formatAgo, formatInput, formatTime } from './format.js';
import {
  Badge,
  Empty,
  ErrorBanner,
  Loading,
  PageHeader,
  routeHref,
  usePoll,
  useSession,
} from './ui.js';

/** Returns the run id of a request a server run made (session `<tenant>/<instance id>`). */
export function runOfApproval(approval: Approval, tenant: string | null): string | undefined {
  const prefix = tenant === null ? undefined : `${tenant}/`;
  if (prefix === undefined || approval.sessionId?.startsWith(prefix) !== true) {
    return undefined;
  }
  return approval.sessionId.slice(prefix.length);
}

function RunLink(run: string | undefined) {
  return run === undefined ? '–' : html`<a href=${routeHref('runs', run)}>${run}</a>`;
}

/** Renders one pending request with its approve and deny buttons. */
export function ApprovalCard(props: { approval: Approval; onDecided: () => void }) {
  const { call, session } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const { approval } = props;
  const run = runOfApproval(approval, session.tenant);

  const decide = async (verdict: 'approve' | 'deny'): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await call('POST', `/v1/approvals/${encodeURIComponent(approval.id)}/${verdict}`, {
        by: `${session.tenant ?? 'admin'} (dashboard)`,
      });
      props.onDecided();
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };

  return html`<div class="approval-card" data-approval=${approval.id}>
    <div class="approval-head">
      <${Badge} value="pending" label="waiting for approval" />
      <span class="approval-tool">${approval.tool}</span>
      ${approval.category === null ? null : html`<span class="tag">${approval.category}</span>`}
      <span class="approval-time" title=${`Expires ${formatTime(approval.expiresAt)}`}>
        asked ${formatAgo(Date.parse(approval.createdAt))}
      </span>
    </div>
    <pre class="code approval-input">${formatInput(approval.input)}</pre>
    <div class="approval-reason">${approval.reason}</div>
    <div class="approval-meta">
      ${approval.rule === null ? null : html`<span>rule <code>${approval.rule}</code></span>`}
      ${
        run === undefined
          ? approval.sessionId === null
            ? null
            : html`<span>session <code>${approval.sessionId}</code></span>`
          : html`<span>run ${RunLink(run)}</span>`
      }
      <span>expires ${formatTime(approval.expiresAt)}</span>
    </div>
    <${ErrorBanner} error=${error} action="Could not record the decision" />
    <div class="approval-actions">
      <button
        class="button button-approve"
        disabled=${busy}
        onClick=${() => void decide('approve')}
      >
        Approve
      </button>
      <button class="button button-deny" disabled=${busy} onClick=${() => void decide('deny')}>
        Deny
      </button>
    </div>
  </div>`;
}

/** Renders the approval queue page. */
export function ApprovalsPage() {
  const { call, session } = useSession();
  const poll = usePoll(() => call<Approval[]>('GET', '/v1/approvals?limit=200'), []);
  const requests = poll.data ?? [];
  const pending = requests.filter((request) => request.status === 'pending');
  const decided = requests.filter((request) => request.status !== 'pending').slice(0, 50);

  return html`<section>
    <${PageHeader} title="Approvals" updatedAtMs=${poll.updatedAtMs} />
    <${ErrorBanner} error=${poll.error} action="Could not load the approval queue" />
    ${poll.data === undefined && poll.error === undefined ? html`<${Loading} />` : null}
    <h2>Waiting <span class="count">${pending.length}</span></h2>
    ${
      pending.length === 0
        ? html`<${Empty}
            title="Nothing is waiting for approval"
            hint=${
              session.role === 'admin'
                ? 'Tool calls the guard decides "ask" for, from runs, the Claude Code hook and the MCP proxy, appear here.'
                : 'Tool calls of your runs that the guard decides "ask" for appear here.'
            }
          />`
        : html`<div class="approval-list">
            ${pending.map(
              (approval) =>
                html`<${ApprovalCard}
                  key=${approval.id}
                  approval=${approval}
                  onDecided=${poll.reload}
                />`,
            )}
          </div>`
    }
    <h2>Decided</h2>
    ${
      decided.length === 0
        ? html`<${Empty} title="No decisions yet" />`
        : html`<table class="table">
            <thead>
              <tr>
                <th>Status</th>
                <th>Tool</th>
                <th>Input</th>
                <th>Reason</th>
                <th>Run</th>
                <th>Decided by</th>
                <th>Decided</th>
              </tr>
            </thead>
            <tbody>
              ${decided.map(
                (approval) =>
                  html`<tr key=${approval.id}>
                    <td><${Badge} value=${approval.status} /></td>
                    <td>${approval.tool}</td>
                    <td>
                      <code class="clip" title=${formatInput(approval.input)}
                        >${formatInput(approval.input)}</code
                      >
                    </td>
                    <td class="wrap">${approval.reason}</td>
                    <td>${RunLink(runOfApproval(approval, session.tenant))}</td>
                    <td class="nowrap">${approval.decidedBy ?? '–'}</td>
                    <td class="nowrap">${formatTime(approval.decidedAt)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
  </section>`;
}
