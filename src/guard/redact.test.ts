import { describe, expect, it } from 'vitest';
import { findAwsSecretKeys } from './aws-secret-keys.js';
import { REDACTED, redactSecrets } from './redact.js';

const MIB = 1024 * 1024;

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

describe('redactSecrets', () => {
  it.each([
    ['AWS access key', 'key AKIAIOSFODNN7EXAMPLE here', 'AKIAIOSFODNN7EXAMPLE'],
    ['AWS session key', 'key ASIAIOSFODNN7EXAMPLE here', 'ASIAIOSFODNN7EXAMPLE'],
    [
      'GitHub token',
      'token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789',
      'ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789',
    ],
    [
      'GitHub fine-grained token',
      'github_pat_11ABCDEFG0123456789_abcdefghijklmnop',
      'github_pat_11ABCDEFG0123456789_abcdefghijklmnop',
    ],
    ['GitLab token', 'glpat-abcdefghij0123456789', 'glpat-abcdefghij0123456789'],
    ['Slack token', 'xoxb-1234567890-abcdefghij', 'xoxb-1234567890-abcdefghij'],
    ['Stripe key', 'sk_live_51HxYzAbCdEfGhIj', 'sk_live_51HxYzAbCdEfGhIj'],
    ['Anthropic key', 'sk-ant-api03-abcdefghijklmnopqrst', 'sk-ant-api03-abcdefghijklmnopqrst'],
    [
      'Google API key',
      'AIzaSyA1234567890abcdefghijklmnopqrstuv',
      'AIzaSyA1234567890abcdefghijklmnopqrstuv',
    ],
    [
      'npm token',
      'npm_abcdefghijklmnopqrstuvwxyz0123456789',
      'npm_abcdefghijklmnopqrstuvwxyz0123456789',
    ],
    [
      'sandstack admin token',
      '  ssa_94VVNBAjVa_uLnuZ-Gjjm9drbXay1tkcxGOicteTnws',
      'ssa_94VVNBAjVa_uLnuZ-Gjjm9drbXay1tkcxGOicteTnws',
    ],
    [
      'sandstack tenant token in JSON',
      '{"secret": "sst_WQRcnaFrZj1mx02pQXrqv-bilSZBoV9qZJe6yrthdhM"}',
      'sst_WQRcnaFrZj1mx02pQXrqv-bilSZBoV9qZJe6yrthdhM',
    ],
    ['JWT', `jwt=${JWT}`, JWT],
    ['JWT after a hyphen', `x-${JWT}`, JWT],
    ['URL password', 'postgres://app:hunter2@db.internal/prod', 'hunter2'],
    ['URL password with a digit scheme', 'mongodb+srv2://app:hunter2@db/prod', 'hunter2'],
    ['.env value', 'DATABASE_PASSWORD=s3cr3tvalue', 's3cr3tvalue'],
    ['quoted .env value', 'API_KEY="abcd1234efgh"', 'abcd1234efgh'],
    [
      'bearer token',
      'Authorization: Bearer abcdefghijklmnopqrstuvwxyz',
      'abcdefghijklmnopqrstuvwxyz',
    ],
  ])('removes a %s', (_kind, text, secret) => {
    const redacted = redactSecrets(text);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain(REDACTED);
  });

  it('removes a whole private key block', () => {
    const key =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----';
    expect(redactSecrets(`a\n${key}\nb`)).toBe(`a\n${REDACTED}\nb`);
  });

  it('removes each of two private key blocks', () => {
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----';
    expect(redactSecrets(`${key}\nkeep\n${key}`)).toBe(`${REDACTED}\nkeep\n${REDACTED}`);
  });

  it('keeps a BEGIN line without an END line', () => {
    const text = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA (truncated)';
    expect(redactSecrets(text)).toBe(text);
  });

  it('finds a JWT after a base64url run that is not one', () => {
    const text = `eyJnot-a-token.eyJshort ${JWT}`;
    expect(redactSecrets(text)).toBe(`eyJnot-a-token.eyJshort ${REDACTED}`);
  });

  it('leaves ordinary text and variable references alone', () => {
    const text = 'npm test passed; TOKEN=$GITHUB_TOKEN; see https://example.com/docs';
    expect(redactSecrets(text)).toBe(text);
  });
});

/** The example secret access key from the AWS documentation. */
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

describe('redactSecrets on AWS secret access keys', () => {
  it.each([
    ['console CSV', `Access key ID,Secret access key\n${AWS_KEY_ID},${AWS_SECRET}\n`],
    [
      'CSV with a user name',
      `User name,Access key ID,Secret access key\nci,${AWS_KEY_ID},${AWS_SECRET}`,
    ],
    [
      'sts JSON',
      `{\n  "Credentials": {\n    "AccessKeyId": "ASIAIOSFODNN7EXAMPLE",\n    "SecretAccessKey": "${AWS_SECRET}",\n    "SessionToken": "IQoJb3JpZ2luX2VjEXAMPLE"\n  }\n}`,
    ],
    [
      'JSON with the key first',
      `{"SecretKey": "${AWS_SECRET}",\n "KeyId": "ASIAIOSFODNN7EXAMPLE"}`,
    ],
    [
      'aws configure prompt',
      `AWS Access Key ID [None]: ${AWS_KEY_ID}\nAWS Secret Access Key [None]: ${AWS_SECRET}\n`,
    ],
    ['aws configure prompt again', `AWS Secret Access Key [****************EKEY]: ${AWS_SECRET}`],
    ['quoted JSON label', `{"secretAccessKey":"${AWS_SECRET}"}`],
    ['key alone on a line', `$ aws configure get aws_secret_access_key\n${AWS_SECRET}\n$ `],
    ['indented key alone', `  ${AWS_SECRET}  `],
    ['key pair on one line', `${AWS_KEY_ID} ${AWS_SECRET}`],
  ])('removes a key in %s', (_kind, text) => {
    const redacted = redactSecrets(text);
    expect(redacted).not.toContain(AWS_SECRET);
    expect(redacted).toContain(REDACTED);
  });

  const SHA = 'e4f09ad0c3a1b2d4e5f60718293a4b5c6d7e8f90';
  const PEM_LINE = 'MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ';
  it.each([
    ['git SHA alone', SHA, SHA],
    ['git SHA beside a key id', `${AWS_KEY_ID} ${SHA}`, SHA],
    ['token in a sentence', `The hash is ${AWS_SECRET} as shown.`, AWS_SECRET],
    [
      'token without digits alone',
      'wJalrXUtnFEMIKMDENGbPxRfiCYEXAMPLEKEYabc',
      'wJalrXUtnFEMIKMDENGbPxRfiCYEXAMPLEKEYabc',
    ],
    ['token on another line', `key ${AWS_KEY_ID}\nhash ${AWS_SECRET}`, AWS_SECRET],
    [
      'token in another JSON object',
      `{"AccessKeyId": "${AWS_KEY_ID}"},\n{"Digest": "${AWS_SECRET}"}`,
      AWS_SECRET,
    ],
    [
      'unquoted token below a key id',
      `"AccessKeyId": "${AWS_KEY_ID}",\nDigest: ${AWS_SECRET}`,
      AWS_SECRET,
    ],
    ['41-character token beside a key id', `${AWS_KEY_ID},${AWS_SECRET}x`, `${AWS_SECRET}x`],
    ['padded base64 beside a key id', `${AWS_KEY_ID},${AWS_SECRET}=`, `${AWS_SECRET}=`],
    [
      'last line of a PEM certificate',
      `-----BEGIN CERTIFICATE-----\n${PEM_LINE}\n${AWS_SECRET}\n-----END CERTIFICATE-----`,
      AWS_SECRET,
    ],
  ])('keeps a %s', (_kind, text, kept) => {
    expect(redactSecrets(text)).toContain(kept);
  });

  it('redacts keys on a 1 MiB CSV line', () => {
    const row = `${AWS_KEY_ID},${AWS_SECRET},`;
    const line = row.repeat(Math.ceil(MIB / row.length));
    const expected = `${REDACTED},${REDACTED},`.repeat(Math.ceil(MIB / row.length));
    expectSameText(redactSecrets(line), expected);
  });

  it('keeps 1 MiB of separated tokens', () => {
    const text = `${AWS_SECRET} `.repeat(Math.ceil(MIB / 41));
    expectSameText(redactSecrets(text), text);
  });
});

/** Deterministic pseudo-random bytes (a linear congruential generator), so inputs repeat. */
function pseudoRandomBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed;
  for (let index = 0; index < length; index += 1) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    bytes[index] = state >>> 24;
  }
  return bytes;
}

/** Builds a line of minified JavaScript, `length` characters long, with no secret in it. */
function minifiedJs(length: number): string {
  const chunk =
    '!function(e,t){"use strict";var n=e.document,r=n.createElement("script"),' +
    'i="https://cdn.example.com/v2/lib.min.js",o={version:"3.7.1",retries:3};' +
    'function a(e){return e&&e.nodeType===1?e.getAttribute("data-id"):null}' +
    'r.src=i+"?t="+Date.now();t.words=function(e){return String(e).split(/\\s+/)}}(window,{});';
  return chunk.repeat(Math.ceil(length / chunk.length)).slice(0, length);
}

/** Compares long strings around their first difference, so a failure prints a short excerpt. */
function expectSameText(actual: string, expected: string): void {
  let index = 0;
  while (index < actual.length && actual[index] === expected[index]) {
    index += 1;
  }
  const from = Math.max(0, index - 40);
  expect(actual.slice(from, index + 80)).toBe(expected.slice(from, index + 80));
  expect(actual.length).toBe(expected.length);
}

// A regex that backtracks over a long run from every start position takes minutes on these
// inputs, so a regression makes this file run for minutes.
describe('redactSecrets on 1 MiB inputs', () => {
  it('keeps 1 MiB of word characters and redacts what follows', () => {
    const run = 'A'.repeat(MIB);
    expectSameText(redactSecrets(run), run);
    expectSameText(redactSecrets(`${run} API_KEY=abcd1234efgh`), `${run} API_KEY=${REDACTED}`);
  });

  it('keeps 1 MiB of word characters with secret names inside', () => {
    const run = 'x_TOKEN_SECRET'.repeat(MIB / 16);
    expectSameText(redactSecrets(run), run);
  });

  it('keeps a 1 MiB base64 line', () => {
    const blob = pseudoRandomBytes((MIB * 3) / 4, 1).toString('base64');
    expect(blob).toHaveLength(MIB);
    expectSameText(redactSecrets(blob), blob);
  });

  it('redacts a 1 MiB base64 value of a secret name', () => {
    const blob = pseudoRandomBytes((MIB * 3) / 4, 2).toString('base64');
    expectSameText(redactSecrets(`CLIENT_SECRET=${blob}\nnext`), `CLIENT_SECRET=${REDACTED}\nnext`);
  });

  it('redacts a private key with a 1 MiB body', () => {
    const body = pseudoRandomBytes((MIB * 3) / 4, 3)
      .toString('base64')
      .replace(/.{64}/g, '$&\n');
    const key = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
    expectSameText(redactSecrets(`before\n${key}\nafter`), `before\n${REDACTED}\nafter`);
  });

  it('redacts secrets inside a 1 MiB minified JavaScript line', () => {
    const code = minifiedJs(MIB);
    expectSameText(redactSecrets(code), code);
    const token = 'ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789';
    const url = 'postgres://app:hunter2@db/prod';
    const text = `${code};var k="${token}",u="${url}";${code}`;
    const expected = `${code};var k="${REDACTED}",u="postgres://app:${REDACTED}@db/prod";${code}`;
    expectSameText(redactSecrets(text), expected);
  });

  it.each([
    ['identifiers with a secret name', 'xTOKENx'],
    ['URL schemes without a password', 'a://'],
    ['JWT headers after a hyphen', '-eyJ'],
    ['BEGIN lines without an END line', '-----BEGIN RSA PRIVATE KEY-----\n'],
    ['quoted values that never close', 'x AUTH="abc" '],
  ])('keeps 1 MiB of repeated %s', (_kind, unit) => {
    const text = unit.repeat(Math.ceil(MIB / unit.length));
    expectSameText(redactSecrets(text), text);
  });
});

/**
 * Redacts with the earlier, backtracking form of the patterns. It is quadratic on long runs
 * but exact on short text, so it is the reference for which secrets are removed. AWS secret
 * access keys are found by position, not by a pattern, so the same finder runs first.
 */
function redactWithBacktrackingPatterns(input: string): string {
  let text = '';
  let copiedUpTo = 0;
  for (const key of findAwsSecretKeys(input)) {
    text += input.slice(copiedUpTo, key.start) + REDACTED;
    copiedUpTo = key.end;
  }
  text += input.slice(copiedUpTo);
  const patterns = [
    /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g,
    /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
    /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g,
    /\bgithub_pat_[A-Za-z0-9_]{22,}\b/g,
    /\bglpat-[A-Za-z0-9_-]{20,}\b/g,
    /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g,
    /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}\b/g,
    /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}\b/g,
    /\bAIza[0-9A-Za-z_-]{35}\b/g,
    /\bnpm_[A-Za-z0-9]{36}\b/g,
    /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/g,
  ];
  let result = text;
  for (const pattern of patterns) {
    result = result.replace(pattern, REDACTED);
  }
  result = result.replace(
    /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)(@)/gi,
    (_match, head: string, _password: string, at: string) => `${head}${REDACTED}${at}`,
  );
  result = result.replace(
    /(\bBearer\s+)[A-Za-z0-9._~+/-]{16,}=*/g,
    (_match, head: string) => `${head}${REDACTED}`,
  );
  return result.replace(
    /(\b[A-Za-z0-9_]*(?:SECRET|TOKEN|PASSWORD|PASSWD|API_KEY|APIKEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?|AUTH)[A-Za-z0-9_]*\s*[=:]\s*)(["']?)([^\s"'#]{4,})\2/gi,
    (match, head: string, quote: string, value: string) =>
      value === REDACTED || value.startsWith('$') || /^(?:Bearer|Basic|Token)$/i.test(value)
        ? match
        : `${head}${quote}${REDACTED}${quote}`,
  );
}

describe('redactSecrets against the backtracking patterns', () => {
  const fragments = [
    ...['ghp_', 'glpat-', 'github_pat_', 'xoxb-', 'sk_live_', 'sk-', 'sk-ant-', 'AIza'],
    ...['npm_', 'AKIA', 'eyJ', 'eyJhbGciOiJIUzI1NiJ9', '.eyJzdWIiOiIxMjM0NTY3ODkwIn0.'],
    ...['.', '-', '_', '=', ':', ' ', '\n', '"', "'", '#', '$', '@', '/', '+', '://', 'u:p@'],
    ...['TOKEN', 'api_key', 'Bearer ', 'Basic', 'http', 'A', 'x', '0', 'abcdefghij'],
    ...['ABCDEFGHIJKLMNOP', 'abcdefghijABCDEFGHIJ0123456789', 'sig_nature-0123456789'],
    ...['-----BEGIN RSA PRIVATE KEY-----', '-----END RSA PRIVATE KEY-----'],
    ...['-----BEGIN PRIVATE KEY-----', '-----END PRIVATE KEY-----'],
  ];

  it('removes the same text from 20,000 generated strings', () => {
    const random = pseudoRandomBytes(20_000 * 41, 4);
    let offset = 0;
    let redactedCount = 0;
    const mismatches: string[] = [];
    for (let index = 0; index < 20_000; index += 1) {
      const length = 1 + ((random[offset++] ?? 0) % 40);
      let text = '';
      for (let part = 0; part < length; part += 1) {
        text += fragments[(random[offset++] ?? 0) % fragments.length];
      }
      const expected = redactWithBacktrackingPatterns(text);
      if (expected !== text) {
        redactedCount += 1;
      }
      if (redactSecrets(text) !== expected) {
        mismatches.push(text);
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // The generated strings must contain secrets often enough for the comparison to mean much.
    expect(redactedCount).toBeGreaterThan(5_000);
  });
});
