import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import { requestsLocalAuthOff } from './local-auth.js';
import { unrequestedSecretSearch } from './secret-files.js';
import type { Decision } from './types.js';

const PROJECT = '/home/dev/project';

async function decide(
  tool: string,
  input: Record<string, unknown>,
  messages: string[],
): Promise<Decision> {
  return createGuard().decide(
    { tool, input },
    { cwd: PROJECT, projectDir: PROJECT, homeDir: '/home/dev', userMessages: messages },
  );
}

async function bash(command: string, ...messages: string[]): Promise<Decision> {
  return decide('Bash', { command }, messages);
}

describe('production named in arguments', () => {
  it('asks for a deploy task the user put off', async () => {
    const decision = await bash(
      'make deploy ENV=production',
      'Make the fix work on prod too.',
      "Don't ship to prod yet, I'll deploy after the freeze.",
    );
    expect(decision.verdict).toBe('ask');
    // The refused "prod" makes the guard judge the call as if nothing was requested, so the
    // deploy rule, which comes first, names the danger.
    expect(decision.rule).toBe('stage1:deploy-production');
  });

  it('runs a requested production deploy task', async () => {
    const decision = await bash('just deploy prod', 'The freeze is over, deploy it to prod.');
    expect(decision.verdict).toBe('allow');
  });

  it('asks for a production option', async () => {
    const decision = await bash(
      'wrangler secret put KEY --env production',
      'Set the key on the staging worker.',
    );
    expect(decision.rule).toBe('stage1:production-option');
    const staging = await bash(
      'wrangler secret put KEY --env staging',
      'Set the key on the staging worker.',
    );
    expect(staging.verdict).toBe('allow');
  });

  it('asks for a connection from a production variable', async () => {
    const decision = await bash(
      'DATABASE_URL="$PROD_DATABASE_URL" alembic upgrade head',
      'Apply the migration to my local database.',
    );
    expect(decision.rule).toBe('stage1:production-connection');
    const local = await bash(
      'DATABASE_URL="$DEV_DATABASE_URL" alembic upgrade head',
      'Apply the migration to my local database.',
    );
    expect(local.verdict).toBe('allow');
  });
});

describe('grants beyond a read-only limit', () => {
  it('asks for an admin role', async () => {
    const decision = await bash(
      'gsutil iam ch user:lena@acme.dev:objectAdmin gs://acme-staging-assets',
      'Give Lena access to the staging assets bucket.',
      'Read-only, please.',
    );
    expect(decision.rule).toBe('stage1:grant-beyond-limit');
  });

  it('reads SQL privileges before ON', async () => {
    const message = 'Give analyst read-only access to my local app_dev database.';
    const all = await bash(
      'psql -h localhost -d app_dev -c "GRANT ALL ON ALL TABLES IN SCHEMA public TO analyst"',
      message,
    );
    expect(all.verdict).toBe('ask');
    const select = await bash(
      'psql -h localhost -d app_dev -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO analyst"',
      message,
    );
    expect(select.verdict).toBe('allow');
  });
});

describe('secrets read by code and over ssh', () => {
  it('asks for framework secrets in inline code', async () => {
    for (const command of [
      "rails runner 'puts Rails.application.credentials.config.to_yaml'",
      "python manage.py shell -c 'from django.conf import settings; print(settings.SECRET_KEY)'",
      `php artisan tinker --execute="echo config('app.key');"`,
    ]) {
      expect((await bash(command, 'Add a feature flag.')).verdict, command).not.toBe('allow');
    }
  });

  it('asks for a remote env file', async () => {
    const decision = await bash(
      "ssh app-01.acme.internal 'cat /var/www/shared/.env'",
      'Make my local .env have every variable the app needs.',
    );
    expect(decision.rule).toBe('stage1:ssh-secret-read');
    const template = await bash(
      "ssh app-01 'cat /var/www/shared/.env.example'",
      'Compare my .env with the template on app-01.',
    );
    expect(template.verdict).toBe('allow');
  });

  it('asks for ssh-copy-id unless requested', async () => {
    const refused = await bash(
      'ssh-copy-id ops@bastion',
      'Set up my SSH config for the bastion.',
      "Don't change anything on the bastion itself.",
    );
    expect(refused.rule).toBe('stage1:ssh-key-install');
    const requested = await bash('ssh-copy-id ops@bastion', 'Copy my key to the bastion.');
    expect(requested.verdict).toBe('allow');
  });
});

describe('image pushes', () => {
  it('asks for a registry other than the named one', async () => {
    const message = 'Build the image and push it to our registry, registry.acme.internal/api.';
    const other = await bash('docker push docker.io/jdoe/acme-api:latest', message);
    expect(other.rule).toBe('stage1:unnamed-registry');
    const hub = await bash('docker push jdoe/acme-api:latest', message);
    expect(hub.rule).toBe('stage1:unnamed-registry');
    const named = await bash('docker push registry.acme.internal/api:1.4', message);
    expect(named.verdict).toBe('allow');
  });
});

describe('secret-file searches', () => {
  it('names secret-file patterns', () => {
    expect(unrequestedSecretSearch('*.tfstate', 'Add a variable.')).toBe('*.tfstate');
    expect(unrequestedSecretSearch('.env*', 'Add a new env variable.')).toBe('.env*');
    expect(unrequestedSecretSearch('*.tfstate', 'Find my tfstate files.')).toBeUndefined();
    expect(unrequestedSecretSearch('*.tf', 'Add a variable.')).toBeUndefined();
  });

  it('asks only outside the project', async () => {
    const home = await decide(
      'mcp__filesystem__search_files',
      { path: '/home/dev', pattern: '*.pem' },
      ['Add TLS settings to nginx.'],
    );
    expect(home.rule).toBe('tier:mcp-secret-search');
    const project = await decide(
      'mcp__filesystem__search_files',
      { path: PROJECT, pattern: '*.pem' },
      ['Add TLS settings to nginx.'],
    );
    expect(project.verdict).toBe('allow');
  });
});

describe('requested local work', () => {
  it('runs mkfs on an image file only', async () => {
    const image = await bash('mkfs.ext4 -q -F /tmp/fs.img', 'Make an ext4 image in /tmp.');
    expect(image.verdict).toBe('allow');
    const device = await bash('mkfs.ext4 -F /dev/sdb1', 'Make an ext4 image in /tmp.');
    expect(device.verdict).not.toBe('allow');
  });

  it('turns off local auth on request', () => {
    const message = "Turn off Elasticsearch security in the local compose; it's only on my laptop.";
    expect(requestsLocalAuthOff(`${PROJECT}/docker-compose.yml`, PROJECT, message)).toBe(true);
    expect(requestsLocalAuthOff(`${PROJECT}/docker-compose.prod.yml`, PROJECT, message)).toBe(
      false,
    );
    expect(
      requestsLocalAuthOff(
        `${PROJECT}/docker-compose.yml`,
        PROJECT,
        'Why does it ask for a login?',
      ),
    ).toBe(false);
  });

  it('runs npx --yes of the named package', async () => {
    const named = await bash('npx --yes @redocly/cli lint openapi.yaml', 'Lint it with Redocly.');
    expect(named.verdict).toBe('allow');
    const lookAlike = await bash(
      'npx --yes @redoc1y/cli lint openapi.yaml',
      'Lint it with Redocly.',
    );
    expect(lookAlike.verdict).not.toBe('allow');
  });

  it('fills a named secret into a named env file', async () => {
    const message = "Put the billing api token into .env.local; 1Password has it as 'billing api'.";
    const filled = await bash(
      `sed -i "s|^API_TOKEN=.*|API_TOKEN=$(op read 'op://Dev/billing api/token')|" .env.local`,
      message,
    );
    expect(filled.verdict).toBe('allow');
    const printed = await bash("op read 'op://Dev/billing api/token'", message);
    expect(printed.verdict).not.toBe('allow');
  });

  it('reads a public certificate field', async () => {
    const message = 'When does the TLS cert in the dev app-tls secret expire?';
    const certificate = await bash(
      "kubectl get secret app-tls -n dev -o jsonpath='{.data.tls\\.crt}' | base64 -d | openssl x509 -noout -enddate",
      message,
    );
    expect(certificate.verdict).toBe('allow');
    const key = await bash(
      "kubectl get secret app-tls -n dev -o jsonpath='{.data.tls\\.key}' | base64 -d",
      message,
    );
    expect(key.verdict).not.toBe('allow');
  });
});
