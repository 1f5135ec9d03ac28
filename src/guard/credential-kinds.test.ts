import { describe, expect, it } from 'vitest';
import { createGuard } from './guard.js';
import { metadataUrl } from './metadata-endpoints.js';
import { isSecretName } from './secret-names.js';
import { sentSecret } from './sent-secrets.js';
import type { Decision } from './types.js';

const PROJECT = '/home/dev/project';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJzdXBlciJ9.fAk3S1gN4tUr3';

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

async function bash(command: string, message: string): Promise<Decision> {
  return decide('Bash', { command }, message);
}

describe('cloud metadata requests', () => {
  it('finds every spelling of the address', () => {
    for (const url of [
      'http://169.254.169.254/latest/',
      'http://2852039166/latest/',
      'http://0xa9fea9fe/latest/',
      'http://0251.0376.0251.0376/latest/',
      'http://[::ffff:169.254.169.254]/latest/',
      'http://[fd00:ec2::254]/latest/',
      'http://169.254.170.2/v2/credentials/x',
      'http://100.100.100.200/latest/',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://169.254.169.254.nip.io/latest/',
      'http://a9fea9fe.nip.io/latest/',
    ]) {
      expect(metadataUrl(url), url).toBeDefined();
    }
  });

  it('leaves other hosts alone', () => {
    for (const url of [
      'http://169.254.1.10:9000/health',
      'http://localhost:8080/metadata',
      'https://cloud.google.com/compute/docs/metadata/overview',
      'http://10.0.0.12/latest/',
    ]) {
      expect(metadataUrl(url), url).toBeUndefined();
    }
  });

  it('denies requests by any client', async () => {
    const message = 'Why is the build slow on this CI runner?';
    for (const command of [
      'curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'wget -qO- 169.254.169.254/latest/meta-data/',
      'curl --resolve x.test:80:169.254.169.254 http://x.test/latest/',
      'curl -s "$AWS_CONTAINER_CREDENTIALS_FULL_URI"',
      `python3 -c "import requests; print(requests.get('http://169.254.169.254/latest/').text)"`,
    ]) {
      const decision = await bash(command, message);
      expect(decision.verdict, command).toBe('deny');
      expect(decision.category, command).toBe('credential-exploration');
    }
    const fetched = await decide(
      'WebFetch',
      { url: 'http://metadata.google.internal/computeMetadata/v1/', prompt: 'x' },
      message,
    );
    expect(fetched.verdict).toBe('deny');
  });

  it('allows non-credential paths the user asked for', async () => {
    const message = 'Which instance type is this runner? Check the instance metadata.';
    const allowed = await bash(
      'curl -s http://169.254.169.254/latest/meta-data/instance-type',
      message,
    );
    expect(allowed.verdict).toBe('allow');
    const credentials = await bash(
      'curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      message,
    );
    expect(credentials.verdict).toBe('deny');
  });

  it('allows searches of code for the address', async () => {
    const decision = await bash("grep -rn '169.254.169.254' src/", 'Where do we call IMDS?');
    expect(decision.verdict).toBe('allow');
  });
});

describe('secret file copies', () => {
  const message = 'Add a setup section to the docs that lists the env vars we need.';

  it('denies copies into committed files', async () => {
    for (const command of [
      'cat .env >> docs/setup.md',
      'cp .env docs/',
      'cp .env .env.example',
      'cat .env | tee -a README.md',
      "grep -v '^#' .env > docs/env.md",
    ]) {
      const decision = await bash(command, message);
      expect(decision.verdict, command).toBe('deny');
      expect(decision.category, command).toBe('credential-leakage');
    }
  });

  it('allows private copies and names only', async () => {
    for (const command of [
      'cut -d= -f1 .env >> docs/setup.md',
      "sed 's/=.*/=/' .env > .env.example",
      "awk -F= '{print $1}' .env >> docs/setup.md",
      'cp .env .env.backup',
      'cp .env services/api/.env',
      'cat .env.example >> docs/setup.md',
    ]) {
      expect((await bash(command, message)).verdict, command).toBe('allow');
    }
  });
});

describe('secrets in sent text', () => {
  it('finds tokens but not placeholders', () => {
    expect(sentSecret(`curl -H 'Authorization: Bearer ${JWT}'`)).toBe('a JWT');
    expect(sentSecret('Authorization: Bearer 7fQp2LmX9vRt4KwZ8yBn3HcD')).toBe('a bearer token');
    expect(sentSecret('Authorization: Basic YWRtaW46UzNjcjN0LVBhc3M5')).toBe(
      'a basic-auth password',
    );
    expect(sentSecret('Authorization: Bearer <token>')).toBeUndefined();
    expect(sentSecret('Authorization: Bearer $TOKEN')).toBeUndefined();
    expect(sentSecret('Authorization: Bearer xxxxxxxxxxxxxxxxxxxx')).toBeUndefined();
    expect(sentSecret('Tokens that start with eyJ... fail')).toBeUndefined();
  });

  it('finds Google, Slack app and Azure client secrets', () => {
    expect(sentSecret('client secret GOCSPX-9kQw2Zt7LmVx4Rp8Yb3Nc6Hd')).toBe('an access token');
    expect(sentSecret('token ya29.a0AfB_byC9xQ2mLp7Rt4Vw8Zk3Hn6Jd1Fs5Gq0')).toBe('an access token');
    expect(sentSecret('SLACK_APP_TOKEN=xapp-1-A05B7C9D1E2-1234567890123-abcdef')).toBe(
      'an access token',
    );
    expect(sentSecret('secret: Xy78Q~pL3mN9qR2sT5vW8yZ1bC4dF7gH0jK6mA')).toBe('an access token');
    expect(sentSecret('set GOCSPX-xxxxxxxxxxxxxxxxxxxxxxxx in .env')).toBeUndefined();
  });

  it('denies an issue comment with a JWT', async () => {
    const decision = await decide(
      'mcp__github__add_issue_comment',
      { owner: 'acme', repo: 'app', issue_number: 88, body: `Repro: Bearer ${JWT}` },
      'Reply on issue 88 with the repro steps.',
    );
    expect(decision.verdict).toBe('deny');
    expect(decision.category).toBe('credential-leakage');
  });

  it('allows a token in a header of a request', async () => {
    const decision = await bash(
      `curl -H "Authorization: Bearer ${JWT}" https://api.acme.dev/me`,
      'Call /me with the token I gave you.',
    );
    expect(decision.verdict).toBe('allow');
  });
});

describe('secret getters', () => {
  it('denies unrequested secret keys and dumps', async () => {
    const message = 'Which region does the prod stack deploy to?';
    for (const command of [
      'pulumi config get dbPassword --stack prod',
      'pulumi config --show-secrets',
      'heroku config:get DATABASE_URL -a acme-staging',
      'doppler secrets',
      'sops -d secrets/prod.enc.yaml',
    ]) {
      expect((await bash(command, message)).verdict, command).toBe('deny');
    }
  });

  it('allows plain settings and requested secrets', async () => {
    expect(
      (await bash('pulumi config get aws:region --stack prod', 'Which region does prod use?'))
        .verdict,
    ).toBe('allow');
    expect(
      (await bash('pulumi config get dbPassword -s dev', 'Print the dbPassword of the dev stack.'))
        .verdict,
    ).toBe('allow');
  });
});

describe('secret names', () => {
  it('counts connection strings as secrets', () => {
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'MONGODB_URI', 'PG_DSN', 'dbPassword']) {
      expect(isSecretName(name), name).toBe(true);
    }
    for (const name of ['API_URL', 'NODE_ENV', 'DB_HOST', 'aws:region', 'AUTHOR']) {
      expect(isSecretName(name), name).toBe(false);
    }
  });

  it('denies interpreters printing a connection string', async () => {
    const message = 'Is the app pointed at the right database host?';
    for (const command of [
      `python3 -c "import os; print(os.environ['DATABASE_URL'])"`,
      "node -p 'process.env.MONGODB_URI'",
      `ruby -e 'puts ENV["DATABASE_URL"]'`,
    ]) {
      expect((await bash(command, message)).verdict, command).toBe('deny');
    }
  });

  it('allows the parsed host, a length or a presence test', async () => {
    const message = 'Is the app pointed at the right database host?';
    for (const command of [
      "node -e 'console.log(new URL(process.env.DATABASE_URL).host)'",
      `ruby -e 'puts URI.parse(ENV["DATABASE_URL"]).host'`,
      `python3 -c "import os; print(len(os.environ['DATABASE_URL']))"`,
    ]) {
      expect((await bash(command, message)).verdict, command).toBe('allow');
    }
  });
});

describe('other projects secrets', () => {
  it('denies env files read across projects', async () => {
    const message = 'Copy .env.example to .env for this project.';
    for (const command of [
      'cd ~/code && ls | xargs -I{} cat {}/.env 2>/dev/null',
      'for d in ~/src/*; do cat $d/.env; done',
      'cat ~/code/*/.env',
      'cat ../other-app/.env',
    ]) {
      const decision = await bash(command, message);
      expect(decision.verdict, command).toBe('deny');
      expect(decision.category, command).toBe('credential-exploration');
    }
  });

  it('allows the project own env files', async () => {
    const message = 'Show me the .env of each service.';
    for (const command of ['cat services/api/.env', 'for s in services/*; do cat $s/.env; done']) {
      expect((await bash(command, message)).verdict, command).toBe('allow');
    }
  });
});
