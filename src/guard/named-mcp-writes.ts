/**
 * Consent to MCP writes of kinds that the verb-family reader (mcp-requests.ts) leaves out.
 * Their tools carry words it keeps for access grants (`user`, `role`, `protection`), or their
 * request describes the item rather than naming it. The kinds are a file shared in a named
 * channel, a comment or reply on a named item, a test send to named addresses, a pull request
 * with the described change, and a required status check added to a named branch. So are a
 * named user added to a named group or role, a filter or ticket created as described, and a
 * feature flag switched in a named non-production environment. Each kind needs a standing
 * request of the user (see standing-requests.ts) that asks for its action and names its
 * target. Privileged roles and groups, production, unnamed recipients or files, extra
 * delivery arguments and secrets in the text are never consented to here.
 */
import { looksLikeSecret } from './clear-secrets.js';
import { actionClauses, messageSentences, sentenceClauses, withholdsConsent } from './consent.js';
import { containsWord } from './named-targets.js';
import { isInside } from './paths.js';
import { PRODUCTION_PART } from './production-names.js';
import { toolWords } from './requested-mcp-writes.js';
import { asksForDraftToReview, standingClauses } from './standing-requests.js';
import type { ToolCall } from './types.js';

/** A request sentence of the user, split where the description of the written content starts. */
interface Request {
  /** The words that ask for the action and name its target. */
  action: string;
  /** The whole sentence. */
  sentence: string;
  /**
   * Whether the whole sentence stands. When false, only the action part stands, and the
   * content description defers or leaves out something ("a ticket to rotate them next sprint").
   */
  whole: boolean;
}

/**
 * Words that start the description of what an item will say: "a ticket to rotate the
 * credentials", "comment on 412 with the repro", "reply telling them …". They are looked for
 * after the verb and its preposition, so "Reply to conversation 88123" keeps its target.
 */
const CONTENT_START =
  /\s(?:to|with|about|saying|telling|that|which|explaining|asking|for)\s|:\s|,\s*(?:saying|telling|asking|explaining)\b/i;
/** The verb of a request and the preposition after it, before which no content starts. */
const LEADING_VERB = /^\S+(?:\s+(?:to|on|up|in))?\s*/i;

/**
 * A reported instruction that the user takes up in the next sentence: "Priya says: add the
 * check. Do that." The endorsement is the user's own request for what was reported.
 */
const REPORTED_INSTRUCTION =
  /^[A-Z][\w'.-]*(?:\s+[\w'.-]+){0,3}\s+(?:says|said|wrote|writes|asks|asked|suggests|suggested)\s*:\s*(.+)$/;
const ENDORSEMENT =
  /^(?:ok(?:ay)?[,\s]+|yes[,\s]+|so\s+)?(?:please\s+)?(?:do\s+(?:that|it|this|so)|go\s+ahead(?:\s+with\s+(?:that|it))?|make\s+it\s+so|let'?s\s+do\s+(?:that|it))(?:\s+please|\s+now)?[.!]*$/i;

/** Words that refuse or put off the action. */
const WITHHELD =
  /\b(?:don'?t|do not|never|not|no need|hold off|without|later|tomorrow|tonight|next\s+(?:week|month|sprint)|until|unless|once|after|if)\b/i;
/**
 * Words in a content description that still refuse or withdraw the action itself: "without
 * posting it", "but not yet", "wait".
 */
const CONTENT_REFUSAL =
  /\b(?:without|don'?t|do not|never|not)\s+(?:\w+ing\b|post|send|submit|publish|creat|comment|repl|fil|open|yet|now)|\b(?:hold\s+off|wait|not\s+yet)\b/i;

/**
 * "without" before a thing left out of the content rather than an action: "without the token",
 * "without the proxy details". "without posting it" refuses the action and is kept.
 */
const CONTENT_LIMIT =
  /,?\s*\bwithout\s+(?:(?:the|a|an|any|my|our|your|their)\s+)?(?:[\w-]+\s+){0,2}?(?![\w-]+ing\b)[\w-]+(?=\s*[.,;!]?\s*$)/i;

/**
 * Returns the user's requests: each clause of their messages whose action part stands, and
 * each reported instruction that the user's next clause endorses. A clause that keeps the
 * action for the user ("I'll open the PR myself") is no request.
 */
function userRequests(userMessages: readonly string[]): Request[] {
  const allMessages = userMessages.join('\n');
  const sentences = userMessages.flatMap((message) =>
    messageSentences(message).flatMap((sentence) =>
      sentenceClauses(sentence).flatMap(actionClauses),
    ),
  );
  const requests: Request[] = [];
  sentences.forEach((sentence, index) => {
    const reported = REPORTED_INSTRUCTION.exec(sentence);
    if (reported !== null) {
      const next = sentences[index + 1];
      const instruction = reported[1] ?? '';
      if (
        next !== undefined &&
        ENDORSEMENT.test(next) &&
        stands(next, allMessages) &&
        standsAlone(instruction)
      ) {
        requests.push({ action: actionPart(instruction), sentence: instruction, whole: true });
      }
      return;
    }
    if (sentence.endsWith('?')) {
      return;
    }
    const action = actionPart(sentence);
    const content = sentence.slice(action.length);
    if (!standsAlone(action) || CONTENT_REFUSAL.test(content) || asksForDraftToReview(sentence)) {
      return;
    }
    // Only the action part and the sentences after it are read for a withdrawal, because the
    // content description may defer the item's own work.
    if (stands(action, allMessages.replace(sentence, action))) {
      const limited = sentence.replace(CONTENT_LIMIT, ' ');
      const whole = standsAlone(limited) && stands(sentence, allMessages);
      requests.push({ action, sentence, whole });
    }
  });
  return requests;
}

/** Checks that `clause` still stands, read against `allMessages` (see standing-requests.ts). */
function stands(clause: string, allMessages: string): boolean {
  return standingClauses(clause, allMessages) === clause;
}

/** Checks that `text` has no refusal, deferral or condition of its own. */
function standsAlone(text: string): boolean {
  return !WITHHELD.test(text) && !withholdsConsent(text);
}

/** Returns the part of `sentence` before the description of the content. */
function actionPart(sentence: string): string {
  const skip = LEADING_VERB.exec(sentence)?.[0].length ?? 0;
  const start = CONTENT_START.exec(sentence.slice(skip));
  return start === null ? sentence : sentence.slice(0, skip + start.index);
}

/** Checks whether `text` contains a word that starts with `stem`, such as "labels" for `label`. */
function hasStem(text: string, stem: string): boolean {
  return new RegExp(String.raw`\b${stem.replace(/[^\w]/g, '')}`, 'i').test(text);
}

/** Returns the words of `value` of three or more letters, split at case changes and symbols. */
function valueWords(value: string): string[] {
  return (
    value
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toLowerCase()
      .match(/[a-z]{3,}/g) ?? []
  );
}

/**
 * Checks that `text` names `value`: as a word, as `#channel` without its `#`, as a file by its
 * last path segments, or by the words of a slug after its kind prefix ("the Engineering group"
 * for `00g-engineering` when `kind` is "group").
 */
function names(text: string, value: string, kind = ''): boolean {
  if (value === '') {
    return false;
  }
  if (containsWord(text, value) || containsWord(text, value.replace(/^#/, ''))) {
    return true;
  }
  const file = /(?:^|\/)([^/]+\/[^/]+\.\w+|[^/]+\.\w+)$/.exec(value);
  if (file !== null && value.includes('/')) {
    const name = value.split('/').at(-1) ?? '';
    return containsWord(text, file[1] ?? '') || (name.length >= 5 && containsWord(text, name));
  }
  const parts = value.toLowerCase().split(/[-_.]+/);
  // The first part is skipped only when it is an id or a kind word (`00g-`, `grp-`), so
  // `breakglass-engineering` is not "the Engineering group".
  return (
    kind !== '' &&
    parts.length >= 2 &&
    hasStem(text, kind) &&
    (/\d/.test(parts[0] ?? '') || KIND_PREFIX.test(parts[0] ?? '')) &&
    parts.slice(1).every((part) => part.length >= 3 && containsWord(text, part))
  );
}

/** Slug prefixes that give the kind of a group, team or role rather than name it. */
const KIND_PREFIX = /^(?:g|grp|group|groups|t|team|teams|r|role|roles|okta|ad|gh)$/;

/** A labelled secret in text: `password: …`, `api_key=…`, `token …`. */
const LABELLED_SECRET =
  /\b(?:pass(?:word|wd|phrase)?|secret|token|api[_-]?key|private[_-]?key)\s*[:=]\s*\S/i;

/**
 * Checks whether the text arguments of a call, at any depth, carry a secret: a labelled one,
 * or a word of 10 or more characters that looks like one and is no address, path or file
 * name. Ids and names outside the text arguments are left to the request, which names them.
 */
function carriesSecret(value: unknown, key = ''): boolean {
  if (typeof value === 'string') {
    return (
      CONTENT.test(key) &&
      (LABELLED_SECRET.test(value) ||
        value
          .split(/[\s"'`()[\]{},;=]+/)
          .some(
            (word) =>
              word.length >= 10 &&
              !/^[\w.+-]+@[\w.-]+$|\/|^[\w-]+\.\w{2,4}$/.test(word) &&
              looksLikeSecret(word),
          ))
    );
  }
  if (Array.isArray(value)) {
    return value.some((each) => carriesSecret(each, key));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(([inner, each]) => carriesSecret(each, inner));
  }
  return false;
}

/** Arguments that send a write's content to more people or places than the ones it names. */
const EXTRA_DELIVERY =
  /^(?:cc|bcc|forward\w*|redirect\w*|webhook\w*|callback\w*|share\w*|notify\w*|broadcast|public|visibility|delegate\w*)$/i;
/** Arguments that only place the target (the owner, repository, team or project). */
const PLACE =
  /^(?:owner|repo|repository|project|project_?(?:id|key)|team|team_?(?:id|key)|workspace|org|organization|site|space)$/i;
/** Arguments that contain a comment's, ticket's or pull request's text. */
const CONTENT =
  /^(?:body|text|content|message|comment|initial_comment|description|title|note|summary|markdown|html)$/i;
/**
 * Groups and roles whose membership is a privileged grant. On a Linux host, the `docker`,
 * `lxd`, `libvirt`, `disk` and `wheel` groups give root, and `adm` and `shadow` read logs and
 * password hashes, so they ask even when the user names them.
 */
const PRIVILEGED =
  /admin|owner|root|super|sudo|maintain|manage|security|billing|finance|iam|privileged|full|everyone|all[-_ ]?(?:users|staff)|org|global|prod|break[-_ ]?glass|emergency|(?:^|[^a-z])(?:docker|wheel|adm|lxd|libvirt|kvm|disk|shadow|kmem)(?:$|[^a-z])/i;

/** Checks whether the request sentence asks for one of `verbs` in its action part. */
function asks(request: Request, verbs: RegExp): boolean {
  return verbs.test(request.action);
}

/**
 * Checks that `text` names the file at `file`. A path the text gives with a folder
 * (`screenshots/dashboard-v2.png`) must be the end of `file`. A file outside `projectDir` must
 * be named by its whole path, because a bare or relative name means the project's file.
 */
function namesFile(text: string, file: string, projectDir: string | undefined): boolean {
  if (projectDir !== undefined && file.startsWith('/') && !isInside(file, projectDir)) {
    return containsWord(text, file);
  }
  const name = file.split('/').at(-1) ?? '';
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const namedPaths = [
    ...text.matchAll(new RegExp(String.raw`[\w./~-]*/${escaped}(?![\w-])`, 'g')),
  ].map((match) => match[0].replace(/^\.\//, ''));
  return namedPaths.length === 0
    ? names(text, file)
    : namedPaths.some((path) => file === path || file.endsWith(`/${path}`));
}

/**
 * Checks that a file upload shares a file the request names in every channel the call lists,
 * all of which the request names: "Share screenshots/dashboard-v2.png in #design".
 */
function sharesNamedFile(
  call: ToolCall,
  words: readonly string[],
  requests: Request[],
  projectDir: string | undefined,
): boolean {
  if (!words.some((word) => /^(?:upload|share|attach)$/.test(word))) {
    return false;
  }
  let file: string | undefined;
  const channels: string[] = [];
  for (const [key, value] of Object.entries(call.input)) {
    if (/^(?:file|file_?path|path|filepath|filename)$/i.test(key) && typeof value === 'string') {
      file = file ?? value;
    } else if (/^(?:channels?|channel_?ids?|rooms?|conversation)$/i.test(key)) {
      const values = Array.isArray(value)
        ? value
        : typeof value === 'string'
          ? value.split(',')
          : [];
      if (
        values.length === 0 ||
        values.length > 5 ||
        values.some((each) => typeof each !== 'string')
      ) {
        return false;
      }
      channels.push(...values.map((each: string) => each.trim()));
    } else if (
      !/^(?:title|initial_comment|comment|filetype)$/i.test(key) ||
      typeof value !== 'string'
    ) {
      return false;
    }
  }
  return (
    file !== undefined &&
    channels.length > 0 &&
    requests.some(
      (request) =>
        asks(request, /\b(?:shar|upload|post|attach|send|drop|put)\w*/i) &&
        namesFile(request.sentence, file ?? '', projectDir) &&
        channels.every((channel) => names(request.sentence, channel)),
    )
  );
}

/** Keys that identify the item a comment or reply goes on. */
const ITEM_KEY =
  /^(?:issue_?(?:number|id)|pull_?(?:number|id)|pr_?number|number|conversation_?id|ticket_?id|thread_?(?:id|ts)|incident_?id|id)$/i;

/**
 * Checks that a comment or reply goes on an item the request names by its id, with the verb of
 * a comment or a reply: "Reply to conversation 88123 telling them …", "Comment on issue 412
 * with the repro steps, without the token." A "without" in the content description keeps
 * something out of the text, and a text with a secret in it gets no consent.
 */
function commentsOnNamedItem(
  call: ToolCall,
  words: readonly string[],
  requests: Request[],
): boolean {
  if (!words.some((word) => /^(?:comment|comments|reply|respond|answer)$/.test(word))) {
    return false;
  }
  const items: string[] = [];
  for (const [key, value] of Object.entries(call.input)) {
    const snake = key.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
    if (ITEM_KEY.test(snake) && (typeof value === 'string' || typeof value === 'number')) {
      items.push(String(value));
    } else if (PLACE.test(snake) || (CONTENT.test(snake) && typeof value === 'string')) {
      continue;
    } else if (
      /^(?:message_type|type|admin_id|author_id)$/.test(snake) &&
      /^[\w-]+$/.test(String(value))
    ) {
      continue;
    } else {
      return false;
    }
  }
  return (
    items.length > 0 &&
    requests.some(
      (request) =>
        asks(request, /\b(?:comment|repl(?:y|ies|ied)|respond|answer|post)\w*/i) &&
        items.every((item) => /\d/.test(item) && containsWord(request.action, item)),
    )
  );
}

/** Keys of a test send's recipients. */
const RECIPIENT_KEY = /^(?:emails?|to|recipients?|addresses|test_?emails?|send_?to)$/i;

/**
 * Checks that a test send of a campaign or template goes only to addresses the request gives,
 * and that the request asks for a test or preview of the message the call names: "Preview the
 * spring sale email in the test list only: qa-list@acme.dev".
 */
function sendsTestToNamedAddresses(
  call: ToolCall,
  words: readonly string[],
  requests: Request[],
): boolean {
  if (!words.includes('test') && !words.includes('preview')) {
    return false;
  }
  const recipients: string[] = [];
  const messageIds: string[] = [];
  for (const [key, value] of Object.entries(call.input)) {
    const snake = key.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
    if (RECIPIENT_KEY.test(snake)) {
      const values = Array.isArray(value) ? value : [value];
      if (
        values.length === 0 ||
        values.length > 5 ||
        values.some((each) => typeof each !== 'string')
      ) {
        return false;
      }
      recipients.push(...(values as string[]));
    } else if (/_(?:id|key|name)$/.test(snake) && typeof value === 'string') {
      messageIds.push(value);
    } else if (!PLACE.test(snake)) {
      return false;
    }
  }
  return (
    recipients.length > 0 &&
    recipients.every((address) => /^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$/.test(address)) &&
    requests.some(
      (request) =>
        /\b(?:preview\w*|test\w*)\b/i.test(request.sentence) &&
        recipients.every((address) => containsWord(request.sentence, address)) &&
        messageIds.every((id) => namesMessage(request.sentence, id)),
    )
  );
}

/** Words of a campaign or template id that give its kind rather than name it. */
const ID_PREFIX = /^(?:cmp|camp|campaign|tmpl|tpl|template|msg|message|email|mail|newsletter)$/;

/**
 * Checks that `text` names a campaign or template id, whole or by every word of it that is no
 * kind prefix ("the spring sale email" for `cmp_spring_sale`).
 */
function namesMessage(text: string, id: string): boolean {
  const words = valueWords(id).filter((word) => !ID_PREFIX.test(word));
  return (
    containsWord(text, id) || (words.length > 0 && words.every((word) => containsWord(text, word)))
  );
}

/** Words too common to show that a title describes the request. */
const COMMON_WORDS = new Set(['the', 'and', 'for', 'with', 'from', 'into', 'new', 'add', 'use']);

/**
 * Checks that a pull or merge request carries the change the request describes: the request
 * asks for a PR and every word of the title is in it ("Propose a fix for the VPC CIDR overlap
 * as a PR" for "Fix VPC CIDR overlap"). Opening one changes no branch the user did not push.
 */
function opensDescribedPullRequest(
  call: ToolCall,
  words: readonly string[],
  requests: Request[],
): boolean {
  const opens =
    words.includes('create') &&
    (words.includes('pull') || (words.includes('merge') && words.includes('request')));
  const title = call.input['title'];
  const head = call.input['head'] ?? call.input['source_branch'];
  // A head of another fork (`someone:branch`) opens the request across repositories.
  if (!opens || typeof title !== 'string' || (typeof head === 'string' && head.includes(':'))) {
    return false;
  }
  const titleWords = valueWords(title).filter((word) => !COMMON_WORDS.has(word));
  return requests.some(
    (request) =>
      /\b(?:PRs?|pull\s+requests?|merge\s+requests?|MRs?)\b/i.test(request.sentence) &&
      /\b(?:propos|open|creat|rais|mak|submit|fil|put)\w*/i.test(request.sentence) &&
      titleWords.length > 0 &&
      titleWords.every((word) =>
        hasStem(request.sentence, word.slice(0, Math.max(3, word.length - 2))),
      ),
  );
}

/**
 * Checks that a branch protection update only adds required status checks that the request
 * names, on the branch it names: "add 'e2e-smoke' as a required check on main". Any other
 * setting of the protection (reviews, admins, force pushes) gets no consent here.
 */
function addsNamedRequiredCheck(
  call: ToolCall,
  words: readonly string[],
  requests: Request[],
  allMessages: string,
): boolean {
  if (
    !words.includes('protection') ||
    !words.some((word) => /^(?:update|set|put|edit)$/.test(word))
  ) {
    return false;
  }
  const branch = call.input['branch'];
  const checks = call.input['required_status_checks'];
  if (
    typeof branch !== 'string' ||
    typeof checks !== 'object' ||
    checks === null ||
    !Object.keys(call.input).every((key) =>
      /^(?:owner|repo|branch|required_status_checks)$/.test(key),
    )
  ) {
    return false;
  }
  const { strict, contexts, checks: named, ...rest } = checks as Record<string, unknown>;
  const list = Array.isArray(contexts) ? contexts : Array.isArray(named) ? named : [];
  const contextNames = list.map((each) =>
    typeof each === 'object' && each !== null ? (each as Record<string, unknown>)['context'] : each,
  );
  return (
    Object.keys(rest).length === 0 &&
    (strict === undefined || strict === true) &&
    contextNames.length > 0 &&
    contextNames.every((each) => typeof each === 'string' && containsWord(allMessages, each)) &&
    requests.some(
      (request) =>
        asks(request, /\b(?:add|requir|mak)\w*/i) &&
        /\bchecks?\b/i.test(request.sentence) &&
        containsWord(request.sentence, branch) &&
        contextNames.some((each) => containsWord(request.sentence, String(each))) &&
        !dropsRequiredChecks(request, contextNames as string[]),
    )
  );
}

/** Words after which a request names checks that are already required and stay. */
const KEPT_CHECKS =
  /\b(?:alongside|next to|besides|in addition to|as well as|along with|on top of|keep(?:ing)?|with the existing)\b/i;

/**
 * Checks whether a request to add checks gets a call whose list holds only the added ones.
 * The API replaces the branch's whole list of required checks, so such a call drops every
 * check already required, which the request to add one did not ask for. A request that
 * requires checks without "add" ("require the 'integration' check on release") sets the list.
 *
 * NOTE: the guard cannot see the branch's current list, so a branch with no required checks
 * yet asks here too.
 */
function dropsRequiredChecks(request: Request, contexts: readonly string[]): boolean {
  if (!/\badd\w*|\balso\b|\banother\b|\bextra\b/i.test(request.action)) {
    return false;
  }
  const keptStart = KEPT_CHECKS.exec(request.sentence);
  const added = keptStart === null ? request.sentence : request.sentence.slice(0, keptStart.index);
  return contexts.every((each) => containsWord(added, each));
}

/** Keys that name the user of a membership or role change. */
const USER_KEY =
  /^(?:user_?id|user|userid|member|member_?id|username|login|email|id|user_?email)$/i;
/** Keys that name the group, team or role a user joins. */
const GROUP_KEY =
  /^(?:group_?id|group|groupid|team|team_?id|team_?slug|role|role_?id|role_?name)$/i;

/**
 * Checks that a membership or role change puts a user the request names into a group or role
 * it names, which is no privileged one: "Add Priya (00u9priya) to the Engineering group",
 * "Give Maya (user 991) agent access". Admin, owner and other privileged grants, and grants to
 * users the request does not name, get no consent here.
 */
function grantsNamedMembership(
  call: ToolCall,
  words: readonly string[],
  requests: Request[],
): boolean {
  const membership =
    words.some((word) => /^(?:add|assign|grant|update|set)$/.test(word)) &&
    words.some((word) => /^(?:users?|members?|membership)$/.test(word));
  if (!membership) {
    return false;
  }
  const users: string[] = [];
  const groups: { key: string; value: string }[] = [];
  for (const [key, value] of Object.entries(call.input)) {
    if (typeof value !== 'string' && typeof value !== 'number') {
      return false;
    }
    const snake = key.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
    if (GROUP_KEY.test(snake)) {
      groups.push({ key: snake, value: String(value) });
    } else if (USER_KEY.test(snake)) {
      users.push(String(value));
    } else if (!PLACE.test(snake)) {
      return false;
    }
  }
  return (
    users.length === 1 &&
    groups.length === 1 &&
    groups.every(({ value }) => !PRIVILEGED.test(value)) &&
    requests.some(
      (request) =>
        asks(request, /\b(?:add|giv|grant|assign|mak|put|set)\w*/i) &&
        users.every(
          (user) => containsWord(request.sentence, user) && !removesUser(request.sentence, user),
        ) &&
        groups.every(({ key, value }) =>
          names(request.sentence, value, key.replace(/_?(?:id|slug|name)$/, '')),
        ),
    )
  );
}

/**
 * Returns the group, team or role a membership or role change puts a named user into when it
 * is a privileged one (see {@link PRIVILEGED}), or undefined for any other call.
 */
export function privilegedMembership(call: ToolCall): string | undefined {
  const words = toolWords(call.tool);
  if (
    !words.some((word) => /^(?:add|assign|grant|update|set|put)$/.test(word)) ||
    !words.some((word) => /^(?:users?|members?|membership|groups?|roles?|teams?)$/.test(word))
  ) {
    return undefined;
  }
  const keys = Object.entries(call.input).map(([key, value]) => ({
    key: key.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase(),
    value,
  }));
  if (!keys.some(({ key }) => USER_KEY.test(key))) {
    return undefined;
  }
  const group = keys.find(
    ({ key, value }) => GROUP_KEY.test(key) && typeof value === 'string' && PRIVILEGED.test(value),
  );
  return group === undefined ? undefined : String(group.value);
}

/** Verbs that add a member or take one out, in the order a sentence gives them. */
const MEMBERSHIP_VERBS =
  /\b(?:(add|giv|grant|assign|mak|put|set)|(remov|delet|drop|kick|revok|tak(?=\w*\s[^.;]*\bout\b)))\w*/gi;

/**
 * Checks whether the verb before `user` in `sentence` takes the user out rather than adds
 * them: "Add Priya to the group and remove 00u7marco from it" removes `00u7marco`.
 */
function removesUser(sentence: string, user: string): boolean {
  const at = sentence.toLowerCase().indexOf(user.toLowerCase());
  const verbs = [...sentence.matchAll(MEMBERSHIP_VERBS)].filter((verb) => verb.index < at);
  return verbs.at(-1)?.[2] !== undefined;
}

/** Tool words of objects that guard access, which a description never consents to. */
const SECURITY_OBJECTS =
  /^(?:firewall|security|ingress|egress|iam|access|policy|permissions?|webhooks?|forward\w*|alert|alerts|mute)$/;

/** Objects a request may create by description, with the words by which it names each. */
const DESCRIBED_OBJECTS: Record<string, RegExp> = {
  filter: /\bfilters?\b/i,
  label: /\blabels?\b/i,
  issue: /\b(?:issues?|tickets?|tasks?|bugs?|stor(?:y|ies)|cards?)\b/i,
  ticket: /\b(?:issues?|tickets?|tasks?|bugs?|cards?)\b/i,
  task: /\b(?:tasks?|to-?dos?|tickets?|issues?)\b/i,
  card: /\bcards?\b/i,
  todo: /\b(?:to-?dos?|tasks?)\b/i,
};

/**
 * Checks that a new filter, rule, ticket or task is the one the request describes: the request
 * asks to create that kind of object, and every setting of the call is in its words ("Set up a
 * filter that labels newsletters as 'Reading' and skips the inbox"). Settings that forward,
 * share or call out get no consent, and neither do addresses the request does not give.
 */
function createsDescribedObject(
  call: ToolCall,
  words: readonly string[],
  requests: Request[],
): boolean {
  const object = words.find((word) => word in DESCRIBED_OBJECTS);
  if (
    object === undefined ||
    !words.some((word) => /^(?:create|add|new|make|insert)$/.test(word)) ||
    words.some((word) => SECURITY_OBJECTS.test(word))
  ) {
    return false;
  }
  const settings: string[] = [];
  const collect = (value: unknown, key: string): boolean => {
    if (EXTRA_DELIVERY.test(key)) {
      return false;
    }
    if (typeof value === 'string') {
      if (!CONTENT.test(key) && !PLACE.test(key)) {
        settings.push(value);
      }
      return true;
    }
    if (Array.isArray(value)) {
      return value.length <= 10 && value.every((each) => collect(each, key));
    }
    if (typeof value === 'object' && value !== null) {
      return Object.entries(value).every(([inner, each]) => collect(each, inner));
    }
    // A switch that is on, such as `delete: true`, and a number must be in the request too.
    if (value === true) {
      settings.push(key);
    } else if (typeof value === 'number') {
      settings.push(String(value));
    }
    return typeof value === 'boolean' || typeof value === 'number' || value === null;
  };
  if (!Object.entries(call.input).every(([key, value]) => collect(value, key))) {
    return false;
  }
  const pattern = DESCRIBED_OBJECTS[object] as RegExp;
  return requests.some(
    (request) =>
      asks(request, /\b(?:creat|set\s+up|add|mak|open|fil|log|rais|write)\w*/i) &&
      pattern.test(request.action) &&
      settings.every((value) => describes(request.sentence, value)),
  );
}

/**
 * Checks that `text` gives a setting: an address or host in full (a bare local part such as
 * `newsletter@` by its word), any other value by one of its words.
 */
function describes(text: string, value: string): boolean {
  if (/^\d+$/.test(value)) {
    return containsWord(text, value);
  }
  if (/@[\w-]+\.|:\/\/|^\/|\.\w+\//.test(value)) {
    return containsWord(text, value);
  }
  const parts = valueWords(value);
  return parts.length > 0 && parts.some((part) => hasStem(text, part));
}

/** Environment names and the words by which a request names each. */
const ENVIRONMENT_WORDS: Record<string, RegExp> = {
  development: /\b(?:dev|development|develop)\b/i,
  dev: /\b(?:dev|development)\b/i,
  staging: /\b(?:staging|stage|stg)\b/i,
  stage: /\b(?:staging|stage|stg)\b/i,
  test: /\b(?:test|testing)\b/i,
  qa: /\bqa\b/i,
  sandbox: /\bsandbox\b/i,
  preview: /\bpreview\b/i,
  local: /\blocal\b/i,
};

/**
 * Checks that a feature flag change switches the flag the request names to the state it asks
 * for, in a non-production environment it names: "Turn on new-checkout in the dev
 * environment." A flag in production, or in an environment the request does not name, gets
 * no consent here.
 */
function switchesNamedFlag(call: ToolCall, words: readonly string[], requests: Request[]): boolean {
  if (!words.some((word) => /^(?:flags?|features?|toggles?)$/.test(word))) {
    return false;
  }
  let flag: string | undefined;
  let environment: string | undefined;
  let state: boolean | undefined;
  for (const [key, value] of Object.entries(call.input)) {
    const snake = key.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
    if (
      /^(?:flag|flag_?key|feature|feature_?key|key|toggle|name)$/.test(snake) &&
      typeof value === 'string'
    ) {
      flag = value;
    } else if (
      /^(?:env|environment|environment_?key|stage)$/.test(snake) &&
      typeof value === 'string'
    ) {
      environment = value;
    } else if (/^(?:on|enabled|state|value)$/.test(snake) && typeof value === 'boolean') {
      state = value;
    } else if (!PLACE.test(snake)) {
      return false;
    }
  }
  const named =
    environment === undefined ? undefined : ENVIRONMENT_WORDS[environment.toLowerCase()];
  if (
    flag === undefined ||
    state === undefined ||
    named === undefined ||
    PRODUCTION_PART.test(environment ?? '')
  ) {
    return false;
  }
  const verb = state
    ? /\b(?:turn\w*\s+(?:\S+\s+)?on|switch\w*\s+(?:\S+\s+)?on|enabl\w*|activat\w*|flip\w*\s+(?:\S+\s+)?on)\b/i
    : /\b(?:turn\w*\s+(?:\S+\s+)?off|switch\w*\s+(?:\S+\s+)?off|disabl\w*|deactivat\w*|flip\w*\s+(?:\S+\s+)?off)\b/i;
  return requests.some(
    (request) =>
      verb.test(request.action) &&
      containsWord(request.sentence, flag ?? '') &&
      named.test(request.sentence) &&
      !PRODUCTION_PART.test(` ${request.sentence} `),
  );
}

/**
 * Checks that an MCP write is one of the kinds of this module that a standing request of the
 * user asks for and names. `userMessages` are the user's messages as written, because the
 * content description of a request may defer or leave out things without refusing the write.
 */
export function requestsNamedMcpWrite(
  call: ToolCall,
  userMessages: readonly string[],
  projectDir?: string,
): boolean {
  const words = toolWords(call.tool);
  if (
    Object.keys(call.input).some((key) => EXTRA_DELIVERY.test(key)) ||
    carriesSecret(call.input)
  ) {
    return false;
  }
  const requests = userRequests(userMessages);
  if (requests.length === 0) {
    return false;
  }
  // Only a new ticket or filter may describe work for later, so every other kind needs the
  // whole sentence to stand.
  const whole = requests.filter((request) => request.whole);
  return (
    commentsOnNamedItem(call, words, whole) ||
    createsDescribedObject(call, words, requests) ||
    sharesNamedFile(call, words, whole, projectDir) ||
    sendsTestToNamedAddresses(call, words, whole) ||
    opensDescribedPullRequest(call, words, whole) ||
    addsNamedRequiredCheck(call, words, whole, userMessages.join('\n')) ||
    grantsNamedMembership(call, words, whole) ||
    switchesNamedFlag(call, words, whole)
  );
}
