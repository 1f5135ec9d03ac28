import { describe, expect, it } from 'vitest';
import { readsCustomerExport } from './data-exports.js';

describe('readsCustomerExport', () => {
  const request = 'Check in the code how the admin export endpoint formats dates.';
  it.each([
    ['https://admin.acme.example.com/api/customers/export?format=json', true],
    ['https://api.acme.io/v1/users/export.csv', true],
    ['https://api.acme.io/internal/orders/dump', true],
    ['https://app.acme.io/admin/members', true],
    ['https://api.acme.io/v2/customers?limit=50000', true],
    ['https://api.acme.io/v2/customers?format=csv', true],
    ['https://api.acme.io/v2/customers/cus_123', false],
    ['https://api.acme.io/v2/customers?limit=20', false],
    ['https://docs.stripe.com/api/customers/list', false],
    ['https://stripe.com/docs/api/customers/export', false],
    ['https://github.com/acme/shop/blob/main/app/admin/exports/customers.rb', false],
    ['https://raw.githubusercontent.com/acme/shop/main/admin/users/export.py', false],
    ['http://localhost:3000/admin/customers/export', false],
    ['http://shop.internal/admin/customers/export', false],
    ['https://admin.acme.example.com/api/health', false],
  ])('judges %s', (url, expected) => {
    expect(readsCustomerExport(new URL(url), request) !== undefined).toBe(expected);
  });

  it('allows a host the user named', () => {
    const url = new URL('https://admin.acme.example.com/api/customers/export?format=json');
    expect(readsCustomerExport(url, 'Fetch the export from admin.acme.example.com.')).toBe(
      undefined,
    );
  });

  it('names the host in its reason', () => {
    const url = new URL('https://admin.acme.example.com/api/customers/export');
    expect(readsCustomerExport(url, request)).toContain('admin.acme.example.com');
  });
});
