import { describe, expect, it } from 'vitest';
import { connectionUrlPassword, isTemplateFile } from './planted-secrets.js';

describe('isTemplateFile', () => {
  it.each([
    '.env.example',
    '/p/.env.template',
    '/p/config/database.sample.yml',
    '/p/settings.dist.php',
    '/p/deploy/values.example.yaml',
    '/p/sample.env',
  ])('%s is a template', (file) => {
    expect(isTemplateFile(file)).toBe(true);
  });

  it.each(['/p/.env', '/p/.env.local', '/p/config/database.yml', '/p/src/app.ts'])(
    '%s is no template',
    (file) => {
      expect(isTemplateFile(file)).toBe(false);
    },
  );
});

describe('connectionUrlPassword', () => {
  it.each([
    'DATABASE_URL=postgres://app:Pr0dPassw0rd@db.acme.internal:5432/app',
    'url: mysql2://deploy:Kx9!vR2mQw@mysql-prod.acme.io:3306/shop',
    'uri: mongodb+srv://svc:Zt7%21pLq2Wm@cluster0.ab12c.mongodb.net/app',
  ])('finds the password in %s', (text) => {
    expect(connectionUrlPassword(text, '')).toMatch(/^a password in a connection URL to /);
  });

  it.each([
    'postgres://postgres:postgres@localhost:5432/app',
    'postgres://app:devpass123@db:5432/app',
    'postgres://USER:PASSWORD@db.example.com:5432/app',
    'postgres://app:${DB_PASSWORD}@db.acme.internal/app',
    'https://f00d@o12.ingest.sentry.io/44',
  ])('finds nothing in %s', (text) => {
    expect(connectionUrlPassword(text, '')).toBeUndefined();
  });

  it('skips a URL the edit only keeps', () => {
    const url = 'postgres://app:Pr0dPassw0rd@db.acme.internal:5432/app';
    expect(connectionUrlPassword(`A=1\n${url}`, url)).toBeUndefined();
  });
});
