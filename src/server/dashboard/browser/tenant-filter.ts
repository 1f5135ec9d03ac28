/**
 * The admin's tenant filter above a list of every tenant's items: all tenants, or one.
 */
import { html } from 'htm/preact';
import type { Tenant } from './types.js';
import { usePoll, useSession } from './ui.js';

/** Renders a select of the tenants; `value` undefined means all of them. */
export function TenantFilter(props: {
  value: string | undefined;
  onChange: (tenant: string | undefined) => void;
}) {
  const { call } = useSession();
  const tenants = usePoll(
    async () => (await call<{ tenants: Tenant[] }>('GET', '/v1/tenants')).tenants,
    [],
    10_000,
  );
  return html`<label class="toggle">
    Tenant
    <select
      data-testid="tenant-filter"
      value=${props.value ?? ''}
      onChange=${(event: Event) => {
        const value = (event.currentTarget as HTMLSelectElement).value;
        props.onChange(value === '' ? undefined : value);
      }}
    >
      <option value="">All tenants</option>
      ${(tenants.data ?? []).map(
        (tenant) => html`<option key=${tenant.id} value=${tenant.id}>${tenant.id}</option>`,
      )}
    </select>
  </label>`;
}

/** The `tenant` query of a list request, or none for all tenants. */
export function tenantQuery(tenant: string | undefined, separator: '?' | '&'): string {
  return tenant === undefined ? '' : `${separator}tenant=${encodeURIComponent(tenant)}`;
}
