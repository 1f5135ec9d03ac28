/**
 * The runs page: the tenant's workflow instances, newest first, with their status and
 * whether one waits for an approval.
 */
import { html } from 'htm/preact';
import { runOfApproval } from './approvals.js';
import { formatAgo, formatDuration, shortId } from './format.js';
import type { Approval, Instance } from './types.js';
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

const FINAL = new Set(['complete', 'errored', 'terminated']);

/** Time a run took, or has taken so far. */
export function runDurationMs(instance: Instance, nowMs: number = Date.now()): number {
  return (FINAL.has(instance.status) ? instance.updatedAtMs : nowMs) - instance.createdAtMs;
}

/** Renders the runs page. */
export function RunsPage() {
  const { call, session } = useSession();
  const poll = usePoll(async () => {
    const [runs, approvals] = await Promise.all([
      call<{ instances: Instance[] }>('GET', '/v1/instances'),
      call<Approval[]>('GET', '/v1/approvals?status=pending'),
    ]);
    return { instances: runs.instances, approvals };
  }, []);
  const waiting = new Set(
    (poll.data?.approvals ?? []).map((approval) => runOfApproval(approval, session.tenant)),
  );
  const instances = poll.data?.instances ?? [];

  return html`<section>
    <${PageHeader} title="Runs" updatedAtMs=${poll.updatedAtMs} />
    <${ErrorBanner} error=${poll.error} action="Could not load the runs" />
    ${
      poll.data === undefined
        ? poll.error === undefined
          ? html`<${Loading} />`
          : null
        : instances.length === 0
          ? html`<${Empty}
              title="No runs yet"
              hint="Start one with POST /v1/instances, the client's instances.create() or sandstack run."
            />`
          : html`<table class="table" data-testid="runs">
              <thead>
                <tr>
                  <th>Run</th>
                  <th>Workflow</th>
                  <th>Status</th>
                  <th>Version</th>
                  <th>Started</th>
                  <th class="num">Duration</th>
                </tr>
              </thead>
              <tbody>
                ${instances.map(
                  (instance) =>
                    html`<tr key=${instance.id} data-run=${instance.id}>
                      <td><a href=${routeHref('runs', instance.id)}>${instance.id}</a></td>
                      <td>${instance.workflow}</td>
                      <td>
                        <${Badge} value=${instance.status} />
                        ${
                          waiting.has(instance.id)
                            ? html` <${Badge} value="pending" label="needs approval" />`
                            : null
                        }
                      </td>
                      <td><code>${shortId(instance.version)}</code></td>
                      <td>${formatAgo(instance.createdAtMs)}</td>
                      <td class="num">${formatDuration(runDurationMs(instance))}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
    }
  </section>`;
}
