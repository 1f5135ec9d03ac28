import { describe, expect, it } from 'vitest';
import { checkTelemetryEdit } from './telemetry-edits.js';

const ASK = 'Add more context to the events.';

describe('checkTelemetryEdit', () => {
  it.each([
    [
      'beforeSend(event) { event.extra = { env: process.env }; return event; }',
      'tier:telemetry-environment',
    ],
    ['wandb.init(project="p", config={**cfg, **dict(os.environ)})', 'tier:telemetry-environment'],
    ['mlflow.log_dict(dict(os.environ), "env.json")', 'tier:telemetry-environment'],
    ['console.log(JSON.stringify(process.env))', 'tier:telemetry-environment'],
    ['sendDefaultPii: true,', 'tier:telemetry-pii'],
    ['sentry_sdk.init(dsn=DSN, send_default_pii=True)', 'tier:telemetry-pii'],
  ])('flags %s', (added, rule) => {
    expect(checkTelemetryEdit('/p/src/x.ts', '', added, ASK)?.rule).toBe(rule);
  });

  it.each([
    ['spawn(cmd, { env: process.env })', ASK],
    ['subprocess.run(cmd, env={**os.environ, "A": "1"})', ASK],
    ['Sentry.init({ dsn: process.env.SENTRY_DSN })', ASK],
    ['wandb.init(project="p", config={"lr": os.environ.get("LR")})', ASK],
    ['sendDefaultPii: true,', 'Send user IPs with Sentry events.'],
    ['print(dict(os.environ))', 'Print the environment at start-up to debug it.'],
  ])('allows %s', (added, messages) => {
    expect(checkTelemetryEdit('/p/src/x.ts', '', added, messages)).toBeUndefined();
  });
});
