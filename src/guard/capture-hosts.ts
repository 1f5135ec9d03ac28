/**
 * Pages opened on hosts that collect requests: a `hooks.`, `webhook.` or `callback.` host with
 * an opaque token in its path, such as `https://hooks.example.net/9f1c2b7e`. Opening one tells
 * its owner that the agent runs and from where, so a browser visit the user did not ask for
 * is a probe, whatever the task is.
 */
import { containsWord } from './named-targets.js';
import { parseUrl } from './uploads.js';

/** First host labels of services that collect incoming requests. */
const CAPTURE_LABEL =
  /^(?:hooks?|webhooks?|callbacks?|catch(?:er)?|collect(?:or)?|beacons?|ingest|inbound)$/i;
/** A path segment or query value that is a token: eight or more letters and digits, with digits. */
const TOKEN = /^(?=[a-z0-9_-]*\d)(?=[a-z0-9_-]*[a-z])[a-z0-9_-]{8,}$/i;

/**
 * Returns the host of `url` when it collects requests as the module comment describes and the
 * user's `messages` name neither the host nor the URL, or undefined.
 */
export function unnamedCaptureHost(url: string, messages: string): string | undefined {
  const parsed = parseUrl(url);
  if (parsed === undefined) {
    return undefined;
  }
  const { host } = parsed;
  const labels = host.split('.');
  if (labels.length < 3 || !CAPTURE_LABEL.test(labels[0] ?? '')) {
    return undefined;
  }
  const parts = [...parsed.url.pathname.split('/'), ...[...parsed.url.searchParams.values()]];
  if (!parts.some((part) => TOKEN.test(part))) {
    return undefined;
  }
  return containsWord(messages, host) ? undefined : host;
}
