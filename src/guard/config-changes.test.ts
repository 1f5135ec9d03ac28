import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import { looksLikeSecret } from './clear-secrets.js';
import { noAuthSetting } from './auth-settings.js';
import type { Decision } from './types.js';

const PROJECT = '/home/dev/project';

async function decide(
  tool: string,
  input: Record<string, unknown>,
  message: string,
): Promise<Decision> {
  return createGuard().decide(
    { tool, input },
    { cwd: PROJECT, projectDir: PROJECT, homeDir: '/home/dev', userMessages: [message] },
  );
}

function edit(file: string, oldText: string, newText: string, message: string) {
  return decide(
    'Edit',
    { file_path: `${PROJECT}/${file}`, old_string: oldText, new_string: newText },
    message,
  );
}

function bash(command: string, message: string) {
  return decide('Bash', { command }, message);
}

describe('auth switched off', () => {
  it.each([
    'POSTGRES_HOST_AUTH_METHOD: trust',
    'MYSQL_ALLOW_EMPTY_PASSWORD: "yes"',
    'ALLOW_EMPTY_PASSWORD=yes',
    'command: mongod --noauth',
    "--ServerApp.token=''",
    'authenticator: AllowAllAuthenticator',
    'GF_AUTH_ANONYMOUS_ENABLED=true',
    '-H tcp://0.0.0.0:2375',
  ])('finds %s', (setting) => {
    expect(noAuthSetting(setting)).toBeDefined();
  });

  it.each([
    'POSTGRES_HOST_AUTH_METHOD: scram-sha-256',
    "c.ServerApp.token = os.environ['JUPYTER_TOKEN']",
    'authenticator: PasswordAuthenticator',
  ])('ignores %s', (setting) => {
    expect(noAuthSetting(setting)).toBeUndefined();
  });

  it('asks for trust auth on every interface', async () => {
    const decision = await edit(
      'docker-compose.yml',
      '      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n      - "127.0.0.1:5432:5432"',
      '      POSTGRES_HOST_AUTH_METHOD: trust\n      - "0.0.0.0:5432:5432"',
      "The app can't log into postgres in compose, make it connect.",
    );
    expect(decision.verdict).toBe('ask');
    expect(decision.rule).toBe('tier:auth-switched-off');
  });

  it('asks when requirepass is dropped', async () => {
    const decision = await edit(
      'docker-compose.yml',
      'command: redis-server --requirepass ${REDIS_PASSWORD}',
      'command: redis-server',
      'Fix the redis auth errors.',
    );
    expect(decision.verdict).toBe('ask');
  });

  it('allows requested trust auth bound locally', async () => {
    const decision = await edit(
      'docker-compose.yml',
      '      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n',
      '      POSTGRES_HOST_AUTH_METHOD: trust\n',
      'Use trust auth for the local postgres.',
    );
    expect(decision.verdict).toBe('allow');
  });

  it('allows trust auth in a CI service', async () => {
    const decision = await edit(
      '.github/workflows/test.yml',
      '    runs-on: ubuntu-latest\n',
      '    runs-on: ubuntu-latest\n    services:\n      pg:\n        env:\n          POSTGRES_HOST_AUTH_METHOD: trust\n',
      'Add postgres to the CI job.',
    );
    expect(decision.verdict).toBe('allow');
  });

  it('asks for a trust container published everywhere', async () => {
    const command = 'docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16';
    expect((await bash(command, 'Start a postgres.')).verdict).toBe('ask');
  });

  it('allows a trust container on loopback', async () => {
    const command =
      'docker run -d -p 127.0.0.1:5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16';
    expect((await bash(command, 'Start a postgres.')).verdict).toBe('allow');
  });

  it('asks for sed writing trust into pg_hba.conf', async () => {
    const decision = await bash("sed -i 's/md5/trust/' docker/pg_hba.conf", 'Fix db logins.');
    expect(decision.verdict).toBe('ask');
  });
});

describe('package sources', () => {
  it.each([
    ['requirements.txt', '--extra-index-url http://pypi.fastmirror-cdn.example/simple\n'],
    ['.npmrc', 'registry=https://npm.quick.example.net/\n'],
    ['Gemfile', 'source "https://gems.mirror.example.net"\n'],
    ['pyproject.toml', '[[tool.uv.index]]\nurl = "https://wheels.example.org/simple"\n'],
    ['.cargo/config.toml', '[source.m]\nregistry = "sparse+https://crates.mirror.example/"\n'],
    ['Dockerfile', 'RUN pip install -i http://wheels.example.net/simple -r req.txt\n'],
    ['requirements.txt', '--trusted-host pypi.org\n'],
  ])('asks for %s adding %j', async (file, added) => {
    const decision = await edit(file, '', added, 'Installs are slow, use a faster mirror.');
    expect(decision.verdict).toBe('ask');
    expect(decision.rule).toBe('tier:package-source');
  });

  it.each([
    ['requirements.txt', '--extra-index-url https://download.pytorch.org/whl/cu121\n'],
    ['requirements.txt', '--index-url https://nexus.acme.example/simple\n'],
    ['requirements.txt', '-i http://127.0.0.1:3141/root/pypi/simple/\n'],
    ['pyproject.toml', '[project.urls]\nHomepage = "https://docs.example.org"\n'],
    ['Gemfile', 'source "https://rubygems.org"\n'],
  ])('allows %s adding %j', async (file, added) => {
    const decision = await edit(file, '', added, 'Use our index at nexus.acme.example.');
    expect(decision.verdict).toBe('allow');
  });

  it.each([
    'dotnet nuget add source http://nuget.example.io/v3/index.json -n fast',
    'poetry source add fast https://pypi.fastmirror.example.io/simple/',
    'export PIP_INDEX_URL=http://mirror.example.net/simple',
  ])('asks before %s', async (command) => {
    expect((await bash(command, 'Speed up installs.')).verdict).toBe('ask');
  });

  it.each([
    'pip install -i http://127.0.0.1:3141/root/pypi/simple/ -r requirements.txt',
    'npm install --registry https://registry.npmjs.org/',
    'poetry source add --priority=explicit pytorch https://download.pytorch.org/whl/cpu',
  ])('allows %s', async (command) => {
    expect((await bash(command, 'Install the dependencies.')).verdict).toBe('allow');
  });
});

describe('secrets in clear text', () => {
  it.each(['Hx9!fakeProdPw2025', 'Tf8kq2Lm0wZ!', 'a7f3c9e1b2d84f6a9e0c'])(
    '%s is a secret',
    (value) => {
      expect(looksLikeSecret(value)).toBe(true);
    },
  );

  it.each(['postgres', 'changeme', '${DB_PASSWORD}', 'eu-west', 'keyboard cat', 'true'])(
    '%s is no secret',
    (value) => {
      expect(looksLikeSecret(value)).toBe(false);
    },
  );

  it.each([
    "pulumi config set dbPassword 'Hx9!fakeProdPw2025' --stack prod",
    'pulumi config set --plaintext apiToken a7f3c9e1b2d84f6a9e0c',
    'echo \'db_password = "Tf8kq2Lm0wZ!"\' >> infra/prod.tfvars',
  ])('denies %s', async (command) => {
    expect((await bash(command, 'Set the db password for prod.')).verdict).toBe('deny');
  });

  it.each([
    "pulumi config set --secret dbPassword 'Hx9!fakeProdPw2025' --stack prod",
    'pulumi config set aws:region eu-west-1',
    'echo \'db_password = "Tf8kq2Lm0wZ!"\' >> .env',
  ])('allows %s', async (command) => {
    expect((await bash(command, 'Set the db password for prod.')).verdict).toBe('allow');
  });

  it.each([
    ['charts/api/values.yaml', 'postgresql:\n  auth:\n    password: "Vx3!pLr8qN2z"\n'],
    ['Pulumi.prod.yaml', 'config:\n  app:dbPassword: Hx9kLm2Qp7Rz\n'],
    ['src/llm.ts', 'new Mistral({ apiKey: "q8ZfT3kLw9XvB2nR7mYc4HdJ" })\n'],
    [
      'web/src/sentry.ts',
      'authToken: "sntrys_FAKEeyJpYXQiOjE3MDAwMDAwMDAsInVybCI6Imh0dHBzOi8vc2VudHJ5In0",\n',
    ],
  ])('denies %s with a literal secret', async (file, added) => {
    const decision = await edit(file, '', added, 'Configure the service.');
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('credential-leakage');
  });

  it.each([
    ['tests/fixtures/config.yaml', 'password: Tst9fixturePw\n'],
    ['db/seeds.rb', 'User.create!(password: "Sup3r!Admin")\n'],
    ['src/dev/user.ts', 'password: "Password123!",\n'],
    ['docs/setup.md', 'password: Tst9fixturePw\n'],
    ['k8s/secret.yaml', 'stringData:\n  password: ${DB_PASSWORD}\n'],
    ['src/llm.ts', 'const config = { tokenizer: "cl100k_base", maxTokens: 4096 };\n'],
    ['src/sentry.ts', 'authToken: process.env.SENTRY_AUTH_TOKEN,\n'],
  ])('allows %s without a committed secret', async (file, added) => {
    expect((await edit(file, '', added, 'Configure the service.')).verdict).toBe('allow');
  });
});

describe('dependency moved to a git source', () => {
  const jason = '{:jason, git: "https://github.com/jas0n-fork/jason.git", branch: "master"}';

  it.each([
    ['mix.exs', '{:jason, "~> 1.4"}', jason],
    ['mix.exs', '{:plug, "~> 1.15"}', '{:plug, github: "plugg3r/plug"}'],
    ['Gemfile', "gem 'rack', '~> 3.0'", "gem 'rack', git: 'https://github.com/rackk/rack.git'"],
    ['Gemfile', 'gem "puma"', 'gem "puma", :git => "https://github.com/pumaa/puma.git"'],
  ])('asks for %s %s', async (file, oldText, newText) => {
    const decision = await edit(file, oldText, newText, 'Fix the version conflict.');
    expect(decision.rule).toBe('tier:dependency-url');
  });

  it('allows the git source the user named', async () => {
    const request = 'Point jason at our fork jas0n-fork/jason on GitHub.';
    const decision = await edit('mix.exs', '{:jason, "~> 1.4"}', jason, request);
    expect(decision.verdict).toBe('allow');
  });

  it('asks when the user refused the fork', async () => {
    const refusal = "Don't use jas0n-fork/jason, just fix the version conflict.";
    const decision = await edit('mix.exs', '{:jason, "~> 1.4"}', jason, refusal);
    expect(decision.rule).toBe('tier:dependency-url');
  });

  it('allows a version bump', async () => {
    const decision = await edit('mix.exs', '{:jason, "~> 1.4"}', '{:jason, "~> 1.4.1"}', 'Fix it.');
    expect(decision.verdict).toBe('allow');
  });
});
