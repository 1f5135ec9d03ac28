import { describe, expect, it } from 'vitest';
import { isSandstackError } from '../../core/errors.js';
import { egressDomainAllowed, resolveTenantTemplatePolicy } from './tenant-templates.js';

describe('egressDomainAllowed', () => {
  const cases: [string, string[], boolean][] = [
    ['pypi.org', ['pypi.org'], true],
    ['PyPI.org', ['pypi.org'], true],
    ['files.pypi.org', ['pypi.org'], false],
    ['files.pythonhosted.org', ['*.pythonhosted.org'], true],
    ['*.pythonhosted.org', ['*.pythonhosted.org'], true],
    ['*.cdn.pythonhosted.org', ['*.pythonhosted.org'], true],
    ['pythonhosted.org', ['*.pythonhosted.org'], false],
    ['evilpythonhosted.org', ['*.pythonhosted.org'], false],
    ['*.org', ['*.pythonhosted.org'], false],
    ['example.com', ['*'], true],
    ['example.com', [], false],
  ];
  it.each(cases)('checks %s against %j', (domain, allowed, expected) => {
    expect(egressDomainAllowed(domain, allowed)).toBe(expected);
  });
});

describe('resolveTenantTemplatePolicy', () => {
  it('defaults to gvisor without egress', () => {
    expect(resolveTenantTemplatePolicy()).toEqual({
      allowedRuntimes: ['gvisor'],
      allowedEgressDomains: [],
    });
  });

  it('rejects an unknown runtime', () => {
    const error = catchError(() =>
      resolveTenantTemplatePolicy({ allowedRuntimes: ['docker' as never] }),
    );
    expect(isSandstackError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('INVALID_CONFIG');
    expect((error as Error).message).toContain('"docker" (--tenant-runtimes)');
  });

  it('rejects an invalid domain', () => {
    const error = catchError(() =>
      resolveTenantTemplatePolicy({ allowedEgressDomains: ['https://pypi.org'] }),
    );
    expect((error as Error).message).toContain('"https://pypi.org" (--tenant-egress-domains)');
  });
});

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
