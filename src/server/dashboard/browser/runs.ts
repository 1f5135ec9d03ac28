/**
 * The runs page: workflow instances, newest first, with their status and whether one waits
 * for an approval. A tenant sees its own and can start one; the admin sees every tenant's,
 * with a tenant column and filter.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { runOfApproval } from './approvals.js';
import { formatAgo, formatDuration, shortId } from './format.js';
import { StartRunForm } from './start-run.js';
import { TenantFilter, tenantQuery } from './tenant-filter.js';
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
  const admin = session.role === 'admin';
  const [tenant, setTenant] = useState<string | undefined>(undefined);
  const poll = usePoll(async () => {
    const [runs, approvals] = await Promise.all([
      call<{ instances: Instance[] }>('GET', `/v1/instances${tenantQuery(tenant, '?')}`),
      call<Approval[]>('GET', '/v1/approvals?status=pending'),
    ]);
    return { instances: runs.instances, approvals };
  }, [tenant]);
  const waiting = new Set(
    (poll.data?.approvals ?? []).map((approval) => runOfApproval(approval, session.tenant)),
  );
  const instances = poll.data?.instances ?? [];

  return html`<section>
    <${PageHeader} title="Runs" updatedAtMs=${poll.updatedAtMs} />
    ${admin ? html`<${TenantFilter} value=${tenant} onChange=${setTenant} />` : html`<${StartRunForm} />`}
    <${ErrorBanner} error=${poll.error} action="Could not load the runs" />
    ${
      poll.data === undefined
        ? poll.error === undefined
          ? html`<${Loading} />`
          : null
        : instances.length === 0
          ? html`<${Empty}
              title="No runs yet"
              hint="Start one with the form above, POST /v1/instances, the client's instances.create() or sandstack run."
            />`
          : html`<table class="table" data-testid="runs">
              <thead>
                <tr>
                  <th>Run</th>
                  ${admin ? html`<th>Tenant</th>` : null}
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
                    html`<tr key=${`${instance.tenant}/${instance.id}`} data-run=${instance.id}>
                      <td>
                        ${admin ? instance.id : html`<a href=${routeHref('runs', instance.id)}>${instance.id}</a>`}
                      </td>
                      ${admin ? html`<td data-testid="run-tenant">${instance.tenant}</td>` : null}
                      <td>${instance.workflow}</td>
                      <td>
                        <${Badge} value=${instance.status} />
                        ${
                          !admin && waiting.has(instance.id)
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
