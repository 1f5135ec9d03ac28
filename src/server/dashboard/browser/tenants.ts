/**
 * The admin's tenants page: every tenant with its sandbox usage and runs by status.
 */
import { html } from 'htm/preact';
import { formatBytes, formatNumber, formatTime } from './format.js';
import type { Tenant, Usage } from './types.js';
import { Badge, Empty, ErrorBanner, Loading, PageHeader, usePoll, useSession } from './ui.js';

/** Renders the tenants page. */
export function TenantsPage() {
  const { call } = useSession();
  const poll = usePoll(async () => {
    const { tenants } = await call<{ tenants: Tenant[] }>('GET', '/v1/tenants');
    const usage = await Promise.all(
      tenants.map((tenant) =>
        call<Usage>('GET', `/v1/tenants/${encodeURIComponent(tenant.id)}/usage`),
      ),
    );
    return tenants.map((tenant, index) => ({ tenant, usage: usage[index] }));
  }, []);

  return html`<section>
    <${PageHeader} title="Tenants" updatedAtMs=${poll.updatedAtMs} />
    <${ErrorBanner} error=${poll.error} action="Could not load the tenants" />
    ${
      poll.data === undefined
        ? poll.error === undefined
          ? html`<${Loading} />`
          : null
        : poll.data.length === 0
          ? html`<${Empty}
              title="No tenants yet"
              hint="Create one with POST /v1/tenants, then a token for it with POST /v1/tenants/{id}/tokens."
            />`
          : html`<table class="table" data-testid="tenants">
              <thead>
                <tr>
                  <th>Tenant</th>
                  <th>Name</th>
                  <th>Created</th>
                  <th>Runs</th>
                  <th class="num">Sandboxes (active)</th>
                  <th class="num">CPU-s</th>
                  <th class="num">Peak memory, summed</th>
                </tr>
              </thead>
              <tbody>
                ${poll.data.map(
                  ({ tenant, usage }) =>
                    html`<tr key=${tenant.id}>
                      <td><strong>${tenant.id}</strong></td>
                      <td>${tenant.displayName}</td>
                      <td>${formatTime(tenant.createdAtMs)}</td>
                      <td>
                        ${
                          Object.entries(usage?.instances ?? {}).length === 0
                            ? '–'
                            : Object.entries(usage?.instances ?? {}).map(
                                ([status, count]) =>
                                  html`<${Badge}
                                    key=${status}
                                    value=${status}
                                    label=${`${count} ${status}`}
                                  /> `,
                              )
                        }
                      </td>
                      <td class="num">${usage?.sandboxes ?? 0} (${usage?.activeSandboxes ?? 0})</td>
                      <td class="num">${formatNumber(usage?.cpuSeconds ?? 0, 3)}</td>
                      <td class="num">${formatBytes(usage?.memoryPeakBytes ?? 0)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
    }
  </section>`;
}
