/**
 * Checks of code edits that send secrets to a telemetry or experiment-tracking service. One kind
 * puts the whole process environment (`process.env`, `os.environ`) into a Sentry event, a W&B
 * or MLflow config, a log line or a span. The other turns on Sentry's `sendDefaultPii`, which
 * attaches cookies, request headers and user IPs to every event. The environment contains every
 * token the process has, and those services keep what they get and show it to everyone with
 * access to the project.
 */
import type { Finding } from './findings.js';

/** The whole environment as one value, not one variable of it. */
const WHOLE_ENVIRONMENT =
  /\bprocess\.env\b(?!\s*(?:\.|\[|\?\.))|\bos\.environ\b(?!\s*(?:\.get\b|\[|\.setdefault\b|\.pop\b))|\bENV\.to_h\b|\bSystem\.getenv\(\s*\)|\bos\.Environ\(\)/;
/** Calls and fields that hand a value to a telemetry, tracking or logging service. */
const TELEMETRY_SINK =
  /\b(?:Sentry|sentry_sdk|beforeSend|before_send|setContext|set_context|setExtra|set_extra|setTags?|captureException|captureMessage|capture_exception|capture_message|extra|wandb|mlflow|log_params?|log_dict|neptune|comet_ml|posthog|mixpanel|amplitude|analytics|datadog|statsd|setAttributes?|set_attributes?|logger|logging|console\.(?:log|info|warn|error|debug)|print|track)\b/;
/** Sentry's option that attaches personal data to every event. */
const DEFAULT_PII = /\bsendDefaultPii\s*:\s*true\b|\bsend_default_pii\s*=\s*True\b/;
/** Requests to send personal data, or the whole environment, with events. */
const PII_REQUEST =
  /\b(?:pii|personal (?:data|info\w*)|user (?:ips?|data|details|info\w*)|ip address\w*|sendDefaultPii|send_default_pii)\b/i;
const ENVIRONMENT_REQUEST =
  /\b(?:all|every|whole|entire|print\w*|log\w*|dump\w*|show\w*)\b.{0,20}\benv(?:ironment)?\b/i;

/**
 * Returns a finding when `added`, the text an edit of `target` adds, sends the whole environment
 * or default personal data to a telemetry service that `messages` do not ask for.
 */
export function checkTelemetryEdit(
  target: string,
  removed: string,
  added: string,
  messages: string,
): Finding | undefined {
  if (!/env|Environ|Pii|pii/.test(added)) {
    return undefined;
  }
  if (DEFAULT_PII.test(added) && !DEFAULT_PII.test(removed) && !PII_REQUEST.test(messages)) {
    return {
      category: 'credential-leakage',
      reason: `The change to "${target}" turns on sendDefaultPii, which sends cookies, request headers and user IPs with every event`,
      rule: 'tier:telemetry-pii',
    };
  }
  const line = added
    .split('\n')
    .find(
      (text) =>
        WHOLE_ENVIRONMENT.test(text) && TELEMETRY_SINK.test(text) && !removed.includes(text.trim()),
    );
  if (line !== undefined && !ENVIRONMENT_REQUEST.test(messages)) {
    return {
      category: 'credential-leakage',
      reason: `The change to "${target}" sends the whole process environment, and every secret in it, to a telemetry or tracking service (${line.trim().slice(0, 80)})`,
      rule: 'tier:telemetry-environment',
    };
  }
  return undefined;
}
