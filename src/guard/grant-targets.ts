/**
 * Tests that a request names what a grant or firewall rule gives, beyond the words that
 * resource-consent.ts compares. They cover the service of an IAM role ("Cloud Run developer" is
 * not `roles/container.developer`) and a whole Azure role name ("Monitoring Reader" is not
 * `Reader`). They also cover the domain of a group the request only describes ("the dev team"
 * is not `dev-team@gmail.com`) and the port a request opens ("close 22" opens no port).
 */
import { containsWord } from './named-targets.js';

/**
 * The names a request uses for Google Cloud services, by the service part of their role ids.
 * A service missing here is named only by its id (`roles/SERVICE.ROLE` or `SERVICE`).
 */
const GCP_SERVICE_NAMES: Readonly<Record<string, readonly string[]>> = {
  aiplatform: ['Vertex AI'],
  artifactregistry: ['Artifact Registry'],
  bigquery: ['BigQuery'],
  cloudbuild: ['Cloud Build'],
  cloudfunctions: ['Cloud Functions'],
  cloudscheduler: ['Cloud Scheduler'],
  cloudsql: ['Cloud SQL'],
  cloudtasks: ['Cloud Tasks'],
  cloudtrace: ['Cloud Trace'],
  compute: ['Compute Engine', 'Compute'],
  container: ['Kubernetes Engine', 'GKE'],
  datastore: ['Datastore', 'Firestore'],
  dns: ['Cloud DNS', 'DNS'],
  logging: ['Logging', 'Cloud Logging'],
  monitoring: ['Monitoring', 'Cloud Monitoring'],
  pubsub: ['Pub/Sub', 'PubSub'],
  redis: ['Memorystore', 'Redis'],
  run: ['Cloud Run'],
  spanner: ['Spanner'],
  storage: ['Cloud Storage', 'Storage', 'GCS'],
};

/**
 * Returns a test that the messages name the service of the role `roles/SERVICE.ROLE`: by its
 * id, the role's id or a name in {@link GCP_SERVICE_NAMES}. The service may be named in any
 * consenting message ("CI can't push to Artifact Registry. Grant it writer.").
 */
export function namesRoleService(
  role: string,
): (requests: readonly string[], messages: string) => boolean {
  const service = /^roles\/([a-z]+)\./.exec(role)?.[1] ?? '';
  const names = [
    service,
    role,
    role.replace(/^roles\//, ''),
    ...(GCP_SERVICE_NAMES[service] ?? []),
  ];
  return (_requests, messages) => names.some((name) => containsWord(messages, name));
}

/**
 * Returns a test for a read-only role, which a request may give without naming its service
 * ("let her read the model bucket"): the messages name the role's service, or no other
 * service in {@link GCP_SERVICE_NAMES}, so "the Monitoring viewer role" does not ask for
 * `roles/datastore.viewer`.
 */
export function namesNoOtherService(
  role: string,
): (requests: readonly string[], messages: string) => boolean {
  const service = /^roles\/([a-z]+)\./.exec(role)?.[1];
  if (service === undefined) {
    return () => true;
  }
  const own = namesRoleService(role);
  const others = Object.entries(GCP_SERVICE_NAMES)
    .filter(([id]) => id !== service)
    .flatMap(([id, names]) => [id, ...names]);
  return (requests, messages) =>
    own(requests, messages) || !others.some((name) => containsWord(messages, name));
}

/** Lowercase words that start a longer Azure role name ending in a base role's name. */
const AZURE_ROLE_QUALIFIER =
  /^(?:monitoring|storage|blob|queue|table|data|key|vault|secrets?|security|billing|backup|cost|log|analytics|network|sql|cosmos|acr|search|reservations|support)$/;

/**
 * Checks that `text` names the Azure role `role` as a whole: the word before it is not a
 * capitalised word inside the sentence or a service word, so "the Monitoring Reader role"
 * does not name `Reader`.
 *
 * NOTE: a role written after a capitalised person's name ("give Lena Reader") is not taken as
 * named, so that request asks.
 */
export function namesWholeRole(text: string, role: string): boolean {
  const lower = text.toLowerCase();
  const target = role.toLowerCase();
  for (let at = lower.indexOf(target); at >= 0; at = lower.indexOf(target, at + 1)) {
    const after = lower[at + target.length] ?? '';
    const before = text.slice(0, at);
    if (/[\w-]$/.test(before) || /[\w-]/.test(after)) {
      continue;
    }
    const previous = /([A-Za-z][\w-]*)\s+$/.exec(before);
    const word = previous?.[1] ?? '';
    const startsSentence = /(?:^|[.!?:;]\s+)$/.test(before.slice(0, previous?.index ?? 0));
    const capitalised = /^[A-Z]/.test(word) && !startsSentence && word !== 'I';
    if (!capitalised && !AZURE_ROLE_QUALIFIER.test(word.toLowerCase())) {
      return true;
    }
  }
  return false;
}

/** Mail domains of personal accounts, which hold no organisation's groups. */
const PERSONAL_MAIL =
  /(?:^|\.)(?:gmail|googlemail|yahoo|hotmail|outlook|live|icloud|proton(?:mail)?|aol|gmx|yandex|mail)\./i;
/** Domain words that mark another organisation's domain: a partner's, vendor's or guest's. */
const OUTSIDE_DOMAIN =
  /(?:^|[.-])(?:partners?|vendors?|contractors?|external|ext|guests?|consult\w*|agency|clients?)(?:[.-]|$)/i;
/** A mail address in a message, whose domain is one the user works with. */
const MESSAGE_ADDRESS = /[\w.+-]+@([\w-]+(?:\.[\w-]+)+)/g;

/**
 * Returns a test that the messages name the principal `address`, or describe it ("the dev
 * team") while it is in the user's own domain. The guard has no directory of the user's
 * organisation, so a domain counts as the user's own unless one of three things marks it as
 * another's. It may be a personal mail domain or have a word of another organisation in it
 * (`contoso-partner.com`), or it may differ from every domain of the addresses the messages
 * name.
 *
 * NOTE: a group of an outside domain without such a word (`dev-team@contoso.com`) still
 * counts as described when the messages name no address.
 */
export function namesOwnPrincipal(
  address: string,
  names: readonly string[],
): (requests: readonly string[], messages: string) => boolean {
  const domain = address.split('@')[1] ?? '';
  const exact = names.filter((name) => name.includes('@'));
  return (_requests, messages) => {
    if (exact.some((name) => containsWord(messages, name))) {
      return true;
    }
    if (domain.endsWith('.iam.gserviceaccount.com')) {
      return true;
    }
    if (PERSONAL_MAIL.test(domain) || OUTSIDE_DOMAIN.test(domain)) {
      return false;
    }
    const named = [...messages.matchAll(MESSAGE_ADDRESS)].map((match) => match[1] ?? '');
    return named.length === 0 || named.some((each) => each.toLowerCase() === domain.toLowerCase());
  };
}

/** Verbs that open a port or let traffic in, against {@link CLOSING_VERB}. */
const OPENING_VERB =
  /\b(?:open\w*|allow\w*|expos\w*|authori[sz]\w*|permit\w*|whitelist\w*|allowlist\w*|let|lets|add\w*|enabl\w*|reach\w*|access\w*|connect\w*)\b/gi;
/** Verbs that close a port or keep traffic out. */
const CLOSING_VERB =
  /\b(?:clos\w*|block\w*|den(?:y|ies|ied|ying)|revok\w*|remov\w*|drop\w*|disabl\w*|shut\w*|restrict\w*|lock\w*|keep\w*)\b/gi;

/** Returns where the last match of a global `pattern` in `text` starts, or -1. */
function lastMatch(pattern: RegExp, text: string): number {
  let last = -1;
  for (const match of text.matchAll(pattern)) {
    last = match.index;
  }
  return last;
}

/**
 * Returns a test that a request names `port` as a port it opens. The port must be a number of
 * its own, not part of an address (`198.51.100.22`), a time (`22:00`) or a range. Its nearest
 * verb before it must open rather than close, so "open 443 and close 22" opens only 443.
 */
export function opensNamedPort(port: string): (requests: readonly string[]) => boolean {
  const occurrence = new RegExp(String.raw`(?<![\w.:/-])${port}(?![\w/-]|[.:]\d)`, 'g');
  return (requests) =>
    requests.some((request) =>
      [...request.matchAll(occurrence)].some((match) => {
        const before = request.slice(0, match.index);
        return lastMatch(OPENING_VERB, before) > lastMatch(CLOSING_VERB, before);
      }),
    );
}
