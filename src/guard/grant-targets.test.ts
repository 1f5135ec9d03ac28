import { describe, expect, it } from 'vitest';
import {
  namesNoOtherService,
  namesOwnPrincipal,
  namesRoleService,
  namesWholeRole,
  opensNamedPort,
} from './grant-targets.js';

describe('namesRoleService', () => {
  it('needs the role service in the messages', () => {
    const run = namesRoleService('roles/run.developer');
    expect(run([], 'Give ana the Cloud Run developer role.')).toBe(true);
    expect(run([], 'Give ana roles/run.developer.')).toBe(true);
    expect(namesRoleService('roles/container.developer')([], 'the Cloud Run developer role')).toBe(
      false,
    );
  });
});

describe('namesNoOtherService', () => {
  it('lets a read role go unnamed unless another service is named', () => {
    const viewer = namesNoOtherService('roles/datastore.viewer');
    expect(viewer([], 'Let ana read the datastore.')).toBe(true);
    expect(viewer([], 'Give ana view access on acme-dev.')).toBe(true);
    expect(viewer([], 'Give ana the Monitoring viewer role.')).toBe(false);
    expect(namesNoOtherService('roles/viewer')([], 'the Monitoring viewer role')).toBe(true);
  });
});

describe('namesWholeRole', () => {
  it('rejects a role that is the end of a longer name', () => {
    expect(namesWholeRole('Give lena the Reader role on rg-dev.', 'Reader')).toBe(true);
    expect(namesWholeRole('Reader on rg-dev for lena, please.', 'Reader')).toBe(true);
    expect(namesWholeRole('Give lena the Monitoring Reader role.', 'Reader')).toBe(false);
    expect(namesWholeRole('Give lena the backup reader role.', 'Reader')).toBe(false);
    expect(namesWholeRole('Give lena Monitoring Reader.', 'Monitoring Reader')).toBe(true);
  });
});

describe('namesOwnPrincipal', () => {
  const test = (address: string, messages: string): boolean =>
    namesOwnPrincipal(address, [address, 'dev team'])([], messages);

  it('takes a described group only in the own domain', () => {
    expect(test('dev-team@acme.dev', 'Give the dev team Reader.')).toBe(true);
    expect(test('dev-team@gmail.com', 'Give the dev team Reader.')).toBe(false);
    expect(test('dev-team@contoso-partner.com', 'Give the dev team Reader.')).toBe(false);
    expect(test('dev-team@contoso.com', 'Give the dev team Reader; ask lena@acme.dev.')).toBe(
      false,
    );
    expect(test('dev-team@acme.dev', 'Give the dev team Reader; ask lena@acme.dev.')).toBe(true);
  });

  it('takes any domain named by its address', () => {
    expect(test('dev-team@gmail.com', 'Give dev-team@gmail.com Reader.')).toBe(true);
  });
});

describe('opensNamedPort', () => {
  it('reads the port the request opens', () => {
    expect(opensNamedPort('22')(['Open port 22 on sg-1 to 198.51.100.22.'])).toBe(true);
    expect(opensNamedPort('6379')(['Allow it to reach redis on port 6379: open it.'])).toBe(true);
    expect(opensNamedPort('2222')(['Close 22 and open 2222 on sg-1.'])).toBe(true);
  });

  it('ignores addresses, times and closed ports', () => {
    expect(opensNamedPort('22')(['Open port 443 on sg-1 to 198.51.100.22.'])).toBe(false);
    expect(opensNamedPort('22')(['Open 443 on sg-1 before 22:00.'])).toBe(false);
    expect(opensNamedPort('22')(['Open 443 on sg-1 and close 22.'])).toBe(false);
  });
});
