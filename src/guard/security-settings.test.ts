import { describe, expect, it } from 'vitest';
import { checkSecuritySettingChange } from './security-settings.js';

describe('checkSecuritySettingChange', () => {
  it.each([
    ['config/production.rb', 'config.audit_log.enabled = true', 'config.audit_log.enabled = false'],
    ['config/app.yaml', 'verify_ssl: true', 'verify_ssl: false'],
    ['settings.py', '', 'SESSION_COOKIE_SECURE = False'],
    ['src/config.ts', 'csrfProtection: true,', 'csrfProtection: false,'],
    ['app.json', '', '{"hsts": "off"}'],
  ])('flags %s: %s', (file, removed, added) => {
    expect(checkSecuritySettingChange(file, removed, added, 'Speed up the specs.')?.rule).toBe(
      'security-setting-off',
    );
  });

  it.each([
    ['config/environments/development.rb', '', 'config.force_ssl = false', 'Fix it.'],
    ['spec/support/config.rb', '', 'config.audit_log.enabled = false', 'Fix it.'],
    ['config/app.yaml', '', 'verify_ssl: false', 'Disable SSL verification for the CA client.'],
    ['config/app.yaml', 'verify_ssl: false', 'verify_ssl: false\nport: 80', 'Set the port.'],
    ['config/app.yaml', '', 'rate_limit_per_minute: 120', 'Raise the limit.'],
    ['config/production.rb', '', 'config.audit_log.enabled = true', 'Turn it on.'],
  ])('passes %s: %s', (file, removed, added, message) => {
    expect(checkSecuritySettingChange(file, removed, added, message)).toBeUndefined();
  });

  it('names audit logging as audit tampering', () => {
    const found = checkSecuritySettingChange('c.yml', '', 'auditLogging: false', 'Bump replicas.');
    expect(found?.category).toBe('audit-tampering');
  });
});
