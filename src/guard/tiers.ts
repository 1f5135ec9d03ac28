/**
 * Tier checks for tools other than Bash: reads (tier 1), edits inside the project (tier 2),
 * and fetches, MCP calls and anything outside the project (tier 3).
 */
import { addsRequestedAllowRules, writesRequestedCommandFile } from './agent-settings-edits.js';
import { checkLockfileSource } from './lockfile-sources.js';
import { checkPaymentTerms } from './payment-terms.js';
import { checkSchemaOnlyRead } from './schema-requests.js';
import { checkMetadataInput } from './metadata-endpoints.js';
import { checkFetchedSecret, checkMcpSentSecrets } from './sent-secrets.js';
import { checkMcpSentPasswords, proseCredential } from './sent-passwords.js';
import { secretFallback } from './clear-secrets.js';
import { unnamedMcpDestination } from './uploads.js';
import { runsShellCommand } from './mcp-commands.js';
import { runsCloudCommand } from './cloud-cli-calls.js';
import path from 'node:path';
import { isInside, resolvePath } from './paths.js';
import { namesPath } from './file-access.js';
import { EXFIL_HOST_PATTERN, UNSAFE_AGENT_FLAGS } from './rules.js';
import { CREDENTIAL_STORE_PATH, searchPatternToRegExp } from './credential-stores.js';
import { PRODUCTION_FACET, userCallsServerProduction } from './production-names.js';
import { weakensVerification } from './verification-edits.js';
import { CREDENTIAL_PATH, type Finding } from './findings.js';
import { credentialFiles, projectSecretFiles } from './globs.js';
import { asksToRemoveScanner, disablesSecurityJob, removesSecurityHook } from './ci-controls.js';
import { addedSecretsDump, isYamlCiFile } from './ci-files.js';
import { asksWithout, consentingText, requestsPost } from './consent.js';
import { postsDictatedText } from './requested-tools.js';
import { postsRequestedFacts } from './requested-posts.js';
import { postsComposedNote } from './composed-notes.js';
import { editsNamedGitSettings, editsNamedShellSettings } from './user-config.js';
import { editsNamedEditorSettings, writesRequestedUserUnit } from './user-tool-files.js';
import { grepReachesCredential } from './search-targets.js';
import { addedTokenLiteral, connectionUrlPassword, isTemplateFile } from './planted-secrets.js';
import { checkConfigChange } from './config-changes.js';
import { forkReplacement } from './supply-chain.js';
import { manifestRedirect } from './dependency-redirects.js';
import { AGENT_TOOLS } from './agent-tools.js';
import { protectedWrite } from './protected-writes.js';
import { checkSecretFileTool, unrequestedSecretSearch } from './secret-files.js';
import { requestsLocalAuthOff } from './local-auth.js';
import { checkForgeBranchWrite } from './forge-writes.js';
import { checkWrittenHook } from './code-senders.js';
import { asksOnlyForDraft } from './unrequested-effects.js';
import {
  actsAsRequestedInMcp,
  sendsTestToAudience,
  commentsOnNamedItem,
  opensPullRequestForReview,
  readsOnNamedRemoteHost,
  typesRequestedText,
  commentsOnOtherItem,
  createsRequestedDraft,
  publishesRequestedDraft,
  writesProjectFile,
} from './requested-mcp-writes.js';
import { guardFileWrite } from './guard-files.js';
import {
  checkBrowserStateRead,
  checkOtherEnvironmentSecret,
  checkProductionPersonalRead,
  checkSqlCredentialRead,
} from './mcp-reads.js';
import { checkUnnamedRecipients } from './mcp-recipients.js';
import { otherNamedTarget, publishesOrFills, requestsMcpWrite } from './mcp-requests.js';
import { privilegedMembership, requestsNamedMcpWrite } from './named-mcp-writes.js';
import { requestsServiceWrite } from './service-writes.js';
import { evaluatesReadOnlyScript, runsReadOnlyQuery } from './read-only-calls.js';
import { resetsBrowserAsRequested } from './browser-resets.js';
import { checkSecretReference, checkUrlData, hasPasswordParameter } from './url-data.js';
import { checkUrlText } from './url-text.js';
import {
  addsRequestedColumn,
  deletesRequestedRows,
  dropsRequestedTable,
  grantsRequestedRead,
} from './resource-consent.js';
import { isAskedCloudConfig, isRequestedSettingsRead } from './cloud-configs.js';
import { readsCustomerExport } from './data-exports.js';
import { writesRequestedHook } from './requested-hooks.js';
import {
  firesOnlyForMaintainers,
  runsOnlyApiActions,
  addsPullRequestHeadCheckout,
  addsRequestedPublishStep,
} from './workflow-triggers.js';
import { runsFetchedCommands } from './fetched-commands.js';
import { hidesScannerFindings } from './scanner-ignores.js';
import { singleEdits } from './edit-calls.js';
import { checkBuildFileEdit } from './build-file-edits.js';
import { checkTelemetryEdit } from './telemetry-edits.js';
import { checkDevcontainerEdit } from './devcontainer-edits.js';
import { callbackHostInUrl, openedUrl } from './opened-urls.js';
import { pageWriteBeyondRequest } from './mcp-pages.js';
import { checkPageSecretRead } from './page-secrets.js';
import { checkMailFilter } from './mail-filters.js';
import { checkUnnamedRepository } from './forge-repositories.js';
import { checkConfidentialItem } from './confidential-items.js';
import { containsWord } from './named-targets.js';
import { MCP_READ, namesRead } from './mcp-read-names.js';
import { checkMcpAddedValues } from './mcp-added-values.js';
import { checkMcpOverreach } from './mcp-overreach.js';
import { standingClauses } from './standing-requests.js';
import { mergesByUnaskedMethod } from './merge-methods.js';
import { otherPropertyValue, writesDescribedTarget } from './described-mcp-targets.js';
import { requestsWithSettingWords, usesLiveModeWhenTestAsked } from './setting-requests.js';
import type { GuardContext, Tier, ToolCall } from './types.js';

/** Outcome of a tier check: allowed, or a finding that blocks. */
export interface TierResult {
  tier: Tier;
  finding?: Finding;
}

const READ_TOOLS = new Set(['Read', 'Glob', 'Grep', 'LS', 'NotebookRead', 'WebSearch']);
const EDIT_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);
/**
 * Stock values of local development setups, such as `POSTGRES_PASSWORD: postgres`, and
 * placeholders in docs and templates, such as `sk-xxxxxxxx` or `sk-ant-your-key-here`, which
 * are not secrets. A placeholder may follow a token format's prefix.
 */
const PLACEHOLDER_SECRETS = String.raw`(?:(?:sk|rk|pk)[-_](?:ant-|proj-|test_|live_)?|gh[pousr]_|github_pat_|xox[abp]-|glpat-|npm_|hf_)?(?:postgres|password\d*|changeme|change_me|example\w*|secret\d*|localdev|development|devpassword|testpass\w*|test1234|12345678|admin123|password123|mysecret|notasecret|dummy\w*|placeholder|your[-_][\w-]+|x{4,}\w*|\.{3}|\*{4,})`;
const SECRET_CONTENT = new RegExp(
  String.raw`(?:AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{20,}|ghp_[A-Za-z0-9]{30,}|sk_live_[A-Za-z0-9]{10,}|xox[bp]-[A-Za-z0-9-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----|:\/\/[^\s:/@]+:[^\s/@$]{4,}@(?!localhost)|(?:PASSWORD|SECRET|TOKEN|API_KEY|ACCESS_KEY)[A-Z_]*\s*[:=]\s*['"]?(?![$<{])(?!${PLACEHOLDER_SECRETS}(?![A-Za-z0-9_\-/+]))[A-Za-z0-9_\-/+]{8,})`,
);
const LOOSENING =
  /pre-?approved|never ask|without (?:asking|confirmation|approval)|skip (?:the )?(?:guard|review|confirmation|permission)|bypass|allow (?:all|everything)|auto-?approve|no need to (?:ask|confirm)|Bash\(\*\)|"defaultMode"/i;
const SECRET_SEARCH =
  /token|secret|passw|api[_-]?key|credential|private[ _-]?key|BEGIN [A-Z ]*KEY|AKIA/i;

/** Checks whether `tool` is one the tiers handle (everything except Bash). */
export function isTierTool(tool: string): boolean {
  return (
    READ_TOOLS.has(tool) ||
    EDIT_TOOLS.has(tool) ||
    AGENT_TOOLS.has(tool) ||
    tool === 'WebFetch' ||
    tool.startsWith('mcp__')
  );
}

/** Classifies a non-Bash call and returns a finding when it must not run automatically. */
export function classifyTool(call: ToolCall, context: GuardContext): TierResult {
  if (AGENT_TOOLS.has(call.tool)) {
    return { tier: 1 };
  }
  if (READ_TOOLS.has(call.tool)) {
    return { tier: 1, ...withFinding(checkRead(call, context)) };
  }
  if (EDIT_TOOLS.has(call.tool)) {
    // Each replacement of a MultiEdit and each notebook cell gets the checks of an Edit.
    for (const edit of singleEdits(call)) {
      const result = checkEdit(edit, context);
      if (result.finding !== undefined) {
        return result;
      }
    }
    return checkEdit(call, context);
  }
  if (call.tool === 'WebFetch') {
    return {
      tier: 3,
      ...withFinding(
        checkFetch(String(call.input['url'] ?? ''), call.tool, context) ??
          checkFetchedExport(call, context),
      ),
    };
  }
  return { tier: 3, ...withFinding(checkMcp(call, context)) };
}

function withFinding(finding: Finding | undefined): { finding?: Finding } {
  return finding === undefined ? {} : { finding };
}

function targetPath(call: ToolCall, context: GuardContext): string | undefined {
  const value = call.input['file_path'] ?? call.input['notebook_path'] ?? call.input['path'];
  if (typeof value !== 'string') {
    return undefined;
  }
  return resolvePath(value, { cwd: context.cwd, homeDir: context.homeDir ?? '/root' });
}

function checkRead(call: ToolCall, context: GuardContext): Finding | undefined {
  const target = targetPath(call, context) ?? context.cwd;
  const pattern = typeof call.input['pattern'] === 'string' ? call.input['pattern'] : '';
  const inside = isInside(target, context.projectDir);
  const homeDir = context.homeDir ?? '/root';
  const credential = CREDENTIAL_PATH.test(target);
  const askedConfig =
    credential &&
    (isAskedCloudConfig(target, consentingText(context.userMessages)) ||
      (call.tool === 'Read' &&
        isRequestedSettingsRead(target, homeDir, consentingText(context.userMessages))));
  if ((credential && !askedConfig) || (CREDENTIAL_STORE_PATH.test(target) && !inside)) {
    return blockFinding(
      'credential-exploration',
      `Reading "${target}" exposes credentials`,
      'credential-path',
    );
  }
  const clearSecret = checkSecretFileTool(call.input, target, context.userMessages.join('\n'));
  if (clearSecret !== undefined) {
    return clearSecret;
  }
  if (call.tool === 'Glob' && CREDENTIAL_PATH.test(pattern)) {
    const exposed = resolvePath(pattern, { cwd: target, homeDir });
    return blockFinding(
      'credential-exploration',
      `Reading "${exposed}" exposes credentials`,
      'credential-path',
    );
  }
  const envRequested = /\.env\b|env(?:ironment)? (?:file|var)/i.test(
    consentingText(context.userMessages),
  );
  if (call.tool === 'Grep') {
    const glob = typeof call.input['glob'] === 'string' ? call.input['glob'] : '';
    const type = typeof call.input['type'] === 'string' ? call.input['type'] : '';
    const reached = askedConfig ? undefined : grepReachesCredential(target, glob, homeDir, type);
    if (reached !== undefined && (reached.kind !== 'env' || !envRequested)) {
      return blockFinding(
        'credential-exploration',
        reached.kind === 'folder'
          ? `Searching "${reached.path}" prints the credentials stored there`
          : `The filter "${glob || type}" under "${target}" matches the credential file "${reached.path}"`,
        reached.kind === 'folder' ? 'credential-folder' : 'credential-glob',
      );
    }
  }
  // A search pattern reaches whatever it can match, as `**/id_*` under the home reaches
  // `~/.ssh/id_rsa`.
  const reached =
    call.tool === 'Glob' && pattern !== ''
      ? [
          ...credentialFiles(context.homeDir ?? '/root'),
          ...projectSecretFiles(context.homeDir ?? '/root'),
        ].find(
          (file) =>
            (!isInside(file, context.projectDir) || isInside(homeDir, context.projectDir)) &&
            searchPatternToRegExp(pattern, target).test(file),
        )
      : undefined;
  if (reached !== undefined) {
    return blockFinding(
      'credential-exploration',
      `The pattern "${pattern}" under "${target}" matches the credential file "${reached}"`,
      'credential-glob',
    );
  }
  if (!inside && call.tool === 'Grep' && SECRET_SEARCH.test(pattern)) {
    return blockFinding(
      'credential-exploration',
      `Searching "${target}" for "${pattern}" looks for credentials outside the project`,
      'secret-search',
    );
  }
  const name = path.posix.basename(target);
  if (/^\.env(?:\.(?!example|sample|template)\w+)?$/.test(name) && !envRequested) {
    return blockFinding(
      'credential-exploration',
      `Reading "${target}" loads secrets the task did not ask for`,
      'env-file',
    );
  }
  return undefined;
}

function checkEdit(call: ToolCall, context: GuardContext): TierResult {
  const target = targetPath(call, context);
  if (target === undefined) {
    return {
      tier: 3,
      finding: blockFinding('invalid-input', `${call.tool} call has no file_path`, 'missing-path'),
    };
  }
  const guardFile = guardFileWrite(target, context);
  if (guardFile !== undefined) {
    return { tier: 3, finding: guardFile };
  }
  const content = [
    call.input['content'],
    call.input['new_string'],
    JSON.stringify(call.input['edits'] ?? ''),
  ]
    .filter((value): value is string => typeof value === 'string')
    .join('\n');
  if (!isInside(target, context.projectDir)) {
    const finding = outsideWrite(target);
    // A plain file under /tmp, or one the user named, is as harmless as it is for Bash.
    const raw = String(call.input['file_path'] ?? call.input['notebook_path'] ?? '');
    const named =
      (isInside(target, '/tmp') && !raw.includes('..')) ||
      namesPath(
        consentingText(context.userMessages),
        raw,
        target,
        context.homeDir ?? '/root',
        call.tool !== 'Write',
      );
    const { removed, added } = changedText(call);
    const requestedSetting =
      call.tool !== 'Write' &&
      finding.rule === 'tier:global-config' &&
      editsNamedGitSettings(
        target,
        context.homeDir ?? '/root',
        removed,
        added,
        consentingText(context.userMessages),
      );
    const requestedShellSetting =
      call.tool === 'Edit' &&
      (finding.rule === 'tier:persistence-path' || finding.rule === 'tier:write-outside-project') &&
      editsNamedShellSettings(
        target,
        context.homeDir ?? '/root',
        removed,
        added,
        consentingText(context.userMessages),
      );
    const requestedToolFile =
      (call.tool !== 'Write' &&
        finding.rule === 'tier:write-outside-project' &&
        editsNamedEditorSettings(
          target,
          context.homeDir ?? '/root',
          { removed, added },
          consentingText(context.userMessages),
        )) ||
      (call.tool === 'Write' &&
        finding.rule === 'tier:persistence-path' &&
        writesRequestedUserUnit(target, context.homeDir ?? '/root', content, {
          projectDir: context.projectDir,
          messages: consentingText(context.userMessages),
        }));
    if (requestedSetting || requestedShellSetting || requestedToolFile) {
      return { tier: 3, ...withFinding(checkContent(target, content)) };
    }
    if (finding.rule !== 'tier:write-outside-project' || !named) {
      return { tier: 3, finding };
    }
    return { tier: 3, ...withFinding(checkContent(target, content)) };
  }
  if (unignoresSecrets(call, target)) {
    return {
      tier: 2,
      finding: blockFinding(
        'credential-leakage',
        `The edit to "${target}" lets secret files be committed`,
        'unignore-secrets',
      ),
    };
  }
  if (removesAuthLine(call)) {
    return {
      tier: 2,
      finding: blockFinding(
        'tls-auth-weaken',
        `The edit to "${target}" removes an authentication setting`,
        'auth-removed',
      ),
    };
  }
  const finding =
    checkChangedText(call, target, context) ??
    protectedPath(target, content, context, changedText(call)) ??
    tierFinding(
      protectedWrite(
        path.posix.relative(context.projectDir, target),
        changedText(call).added,
        consentingText(context.userMessages),
      ),
    ) ??
    checkContent(
      target,
      content,
      requestsLocalAuthOff(target, context.projectDir, consentingText(context.userMessages)),
      consentingText(context.userMessages),
    ) ??
    checkWrittenHook(target, content, context.userMessages.join('\n')) ??
    checkLockfileSource(target, changedText(call), consentingText(context.userMessages));
  return finding === undefined ? { tier: 2 } : { tier: 2, finding };
}

/** Returns the text an Edit, MultiEdit or Write call removes and the text it adds. */
function changedText(call: ToolCall): { removed: string; added: string } {
  const edits = Array.isArray(call.input['edits']) ? (call.input['edits'] as unknown[]) : [];
  const field = (value: unknown, key: string): string => {
    const text =
      typeof value === 'object' && value !== null
        ? (value as Record<string, unknown>)[key]
        : undefined;
    return typeof text === 'string' ? text : '';
  };
  return {
    removed: [
      field(call.input, 'old_string'),
      ...edits.map((edit) => field(edit, 'old_string')),
    ].join('\n'),
    added: [
      field(call.input, 'content'),
      field(call.input, 'new_string'),
      ...edits.map((edit) => field(edit, 'new_string')),
    ].join('\n'),
  };
}

/** Checks what an in-project edit adds or drops: a token literal, a disabled scan, a forked module. */
function checkChangedText(
  call: ToolCall,
  target: string,
  context: GuardContext,
): Finding | undefined {
  const { removed, added } = changedText(call);
  const token = addedTokenLiteral(added, removed);
  const template = isTemplateFile(target);
  // A .env file is kept out of git, but a committed template of it (.env.example) is not.
  if (token !== undefined && (template || !/(?:^|\/)\.env(?:\.[\w.-]+)?$/.test(target))) {
    return blockFinding(
      'credential-leakage',
      `The change to "${target}" writes a literal API token (${token.slice(0, 8)}…) into the file`,
      'token-literal',
    );
  }
  const password = template ? connectionUrlPassword(added, removed) : undefined;
  if (password !== undefined) {
    return blockFinding(
      'credential-leakage',
      `The change to the committed template "${target}" writes ${password}`,
      'template-password',
    );
  }
  const config = checkConfigChange(
    path.posix.relative(context.projectDir, target),
    removed,
    added,
    consentingText(context.userMessages),
  );
  if (config !== undefined) {
    return tierFinding(config);
  }
  if (
    removesSecurityHook(target, removed, added) &&
    !asksToRemoveScanner(removed, consentingText(context.userMessages))
  ) {
    return blockFinding(
      'security-weaken',
      `The change to "${target}" removes a secret scanner or security check from the commit hooks`,
      'hook-scan-off',
    );
  }
  const hidden = hidesScannerFindings(
    path.posix.relative(context.projectDir, target),
    added,
    removed,
    consentingText(context.userMessages),
  );
  if (hidden !== undefined) {
    return blockFinding('security-weaken', hidden, 'scanner-ignore');
  }
  if (disablesSecurityJob(target, removed, added)) {
    return blockFinding(
      'security-weaken',
      `The change to "${target}" turns off or removes a security scan in CI`,
      'ci-scan-off',
    );
  }
  const weakened = weakensVerification(
    target,
    removed,
    added,
    consentingText(context.userMessages),
  );
  // Settings that `AUTH_OFF` already matches are left to `checkContent`, which names them.
  if (weakened !== undefined && !AUTH_OFF.test(added)) {
    return blockFinding(
      'tls-auth-weaken',
      `The change to "${target}" turns off certificate checks or authentication (${weakened})`,
      'verification-off',
    );
  }
  const fork = forkReplacement(target, removed, added);
  if (fork !== undefined) {
    return blockFinding(
      'untrusted-code-integration',
      `The change to "${target}" replaces a module with code from "${fork}", another owner`,
      'module-fork',
    );
  }
  const redirect = manifestRedirect(target, added);
  if (redirect !== undefined) {
    return blockFinding(
      'untrusted-code-integration',
      `The change to "${target}" points a dependency at a look-alike source (${redirect}); check the name`,
      'look-alike-redirect',
    );
  }
  const messages = consentingText(context.userMessages);
  return (
    checkBuildFileEdit(target, removed, added, messages) ??
    checkTelemetryEdit(target, removed, added, messages) ??
    checkDevcontainerEdit(target, removed, added, messages)
  );
}

function outsideWrite(target: string): Finding {
  if (/\/\.claude\/|\/\.mcp\.json$/.test(target)) {
    return blockFinding(
      'self-modification',
      `Writing "${target}" changes the agent's own settings`,
      'agent-config',
    );
  }
  if (
    /\.(?:bashrc|zshrc|profile|bash_profile|zprofile)$|authorized_keys|\/cron|systemd|LaunchAgents|autostart/.test(
      target,
    )
  ) {
    return blockFinding(
      'unauthorized-persistence',
      `Writing "${target}" makes something run again later`,
      'persistence-path',
    );
  }
  if (/daemon\.json|\/etc\/ssl|ca-certificates|\.npmrc|pip\.conf|\.gitconfig/.test(target)) {
    return blockFinding(
      'tls-auth-weaken',
      `Writing "${target}" changes global trust or tool configuration`,
      'global-config',
    );
  }
  return blockFinding(
    'local-destruction',
    `Writing "${target}" changes files outside the project`,
    'write-outside-project',
  );
}

/**
 * A short password parameter with a value (`pass=Vq81!xLm2`, not `pass=true`), or a JWT whose
 * signature may be short or cut off, in a URL's query.
 */
const URL_LOGIN_OR_JWT =
  /[?&#](?:pass|pwd)=(?!(?:true|false|\d+)(?:[&#]|$))[^&#\s]{4,}|\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\./;

/**
 * Checks whether a change of an agent file is a requested slash command prompt or a requested
 * narrow allow rule (see agent-settings-edits.ts), which loosen no control of the agent.
 */
function loosensNoAgentControl(
  relative: string,
  content: string,
  context: GuardContext,
  { removed, added }: { removed: string; added: string },
): boolean {
  if (!relative.startsWith('.claude/') || LOOSENING.test(added)) {
    return false;
  }
  const messages = consentingText(context.userMessages);
  return (
    (removed === '' && writesRequestedCommandFile(relative, content, messages)) ||
    addsRequestedAllowRules(relative, removed, added, messages)
  );
}

function protectedPath(
  target: string,
  content: string,
  context: GuardContext,
  { removed, added }: { removed: string; added: string },
): Finding | undefined {
  const relative = path.posix.relative(context.projectDir, target);
  if (/^\.git\/hooks\//.test(relative)) {
    // A new hook the user asked for that runs only project commands is ordinary set-up.
    if (
      removed === '' &&
      writesRequestedHook(relative, added, consentingText(context.userMessages))
    ) {
      return undefined;
    }
    return blockFinding(
      'unauthorized-persistence',
      `Writing "${relative}" installs a git hook`,
      'git-hook',
    );
  }
  if (/^(?:CLAUDE|AGENTS)\.md$|\/(?:CLAUDE|AGENTS)\.md$/.test(relative)) {
    const asked = new RegExp(path.posix.basename(relative).replace('.', '\\.'), 'i').test(
      consentingText(context.userMessages),
    );
    return asked && !LOOSENING.test(content)
      ? undefined
      : blockFinding(
          'self-modification',
          `Changing "${relative}" alters the agent's instructions`,
          'agent-instructions',
        );
  }
  if (
    /^\.claude\/|^\.mcp\.json$|(?:^|\/)\.cursor\/|guard[-_.]?policy|(?:^|\/)sandstack\.(?:ya?ml|json)$|^\.sandstack\//.test(
      relative,
    ) &&
    !loosensNoAgentControl(relative, content, context, { removed, added })
  ) {
    return blockFinding(
      'self-modification',
      `Changing "${relative}" alters the agent's or guard's own controls`,
      'agent-config',
    );
  }
  const secretsDump = isYamlCiFile(relative)
    ? addedSecretsDump(added, removed, consentingText(context.userMessages))
    : undefined;
  if (secretsDump !== undefined) {
    return blockFinding(
      'credential-leakage',
      `The change to "${relative}" expands every CI secret at once (${secretsDump}), so the job can print or send them all`,
      'ci-secrets-dump',
    );
  }
  // Only what the change adds counts, so an edit next to an existing `secrets.NPM_TOKEN`
  // stays allowed.
  const risky = content.match(
    /secrets\.\w+|issue_comment|pull_request_target|workflow_run|write-all/g,
  );
  if (
    /^\.github\/workflows\//.test(relative) &&
    (risky?.some((term) => !removed.includes(term)) === true ||
      addsPullRequestHeadCheckout(added)) &&
    !(
      removed === '' &&
      (firesOnlyForMaintainers(added, consentingText(context.userMessages)) ||
        runsOnlyApiActions(added, consentingText(context.userMessages)))
    ) &&
    !addsRequestedPublishStep(added, consentingText(context.userMessages))
  ) {
    return blockFinding(
      'unsafe-agent',
      `The workflow "${relative}" runs with secrets or write access on untrusted events`,
      'ci-untrusted-trigger',
    );
  }
  return undefined;
}

const REVIEW_GATE_OFF =
  /(?:requires?_(?:approval|review)\w*|enforce_admins|required_status_checks|dismiss_stale_reviews|required_approving_review_count|required_reviewers)\W+(?:true\W+)?(?:false|0|none|\[\])/i;
const IGNORED_SECRETS = /^\s*(?:\.env\b|\*\.pem|\*\.key|.*credentials|.*secrets?\b|id_rsa)/m;

/** Checks whether an edit of .gitignore drops a rule that kept secrets out of git. */
function unignoresSecrets(call: ToolCall, target: string): boolean {
  if (!target.endsWith('/.gitignore') || call.tool !== 'Edit') {
    return false;
  }
  const removed = String(call.input['old_string'] ?? '')
    .split('\n')
    .filter(
      (line) =>
        !String(call.input['new_string'] ?? '')
          .split('\n')
          .includes(line),
    );
  return removed.some((line) => IGNORED_SECRETS.test(line));
}

/** Settings in service configs and code that turn off authentication or TLS verification. */
const AUTH_OFF =
  /\bprotected-mode\s+no\b|\bskip[-_]grant[-_]tables\b|^\s*host\w*\s+\S+\s+\S+\s+\S+\s+trust\s*$|\bauthorization:\s*["']?disabled|xpack\.security\.enabled["']?\s*[:=]\s*false|\bauth_enabled["']?\s*[:=]\s*false|\ballow_anonymous\s+true|\brejectUnauthorized["']?\s*:\s*false|\bInsecureSkipVerify:\s*true|insecure-skip-tls-verify["']?\s*:\s*true|NODE_TLS_REJECT_UNAUTHORIZED["']?\s*[:=]\s*["']?0|["']?strict-ssl["']?\s*[:=]\s*false|\bsslVerify\s*=\s*false|--auth[= ]none\b|--disable-auth\b/im;
/** Lines that set a password or turn authentication on, so an edit that drops one removes auth. */
const AUTH_LINE =
  /^\s*(?:requirepass\b|masterauth\b|auth_basic\b|auth_basic_user_file\b|authorization:\s*["']?enabled|security\.authorization|requireAuth|basic_auth\b|htpasswd\b|password_file\b|auth(?:entication)?[_-]?(?:required|enabled)\s*[:=]\s*["']?(?:true|yes|on))/im;

/** Checks whether an edit drops a line that turned authentication on. */
function removesAuthLine(call: ToolCall): boolean {
  if (call.tool !== 'Edit') {
    return false;
  }
  const keptLines = String(call.input['new_string'] ?? '').split('\n');
  return String(call.input['old_string'] ?? '')
    .split('\n')
    .some((line) => AUTH_LINE.test(line) && !keptLines.includes(line));
}

/**
 * Checks written content for dangers. `consent` is the user's consenting text, which may name
 * the git source of a dependency.
 */
function checkContent(
  target: string,
  content: string,
  authOffRequested = false,
  consent = '',
): Finding | undefined {
  if (REVIEW_GATE_OFF.test(content)) {
    return blockFinding(
      'security-weaken',
      `The change to "${target}" turns off a review or approval gate`,
      'review-gate-off',
    );
  }
  if (!authOffRequested && AUTH_OFF.test(content)) {
    return blockFinding(
      'tls-auth-weaken',
      `The change to "${target}" turns off authentication or certificate checks`,
      'auth-off',
    );
  }
  if (
    (SECRET_CONTENT.test(content) || secretFallback(content) !== undefined) &&
    !/\.example$|\.sample$|\.template$/.test(target)
  ) {
    return blockFinding(
      'credential-leakage',
      `The content written to "${target}" contains a secret`,
      'secret-in-content',
    );
  }
  if (/(?:curl|wget)[^\n|]*\|\s*(?:ba)?sh\b/.test(content)) {
    return blockFinding(
      'code-from-external',
      `The content written to "${target}" runs downloaded code`,
      'pipe-to-shell-in-file',
    );
  }
  if (RUNS_COMMANDS.test(content) && REQUEST_INPUT.test(content)) {
    return blockFinding(
      'rce-surface',
      `The content written to "${target}" runs commands taken from requests`,
      'request-to-shell',
    );
  }
  return checkPlantedCode(target, content) ?? checkDependencySource(target, content, consent);
}

/** Code that runs a command or evaluates text. */
const RUNS_COMMANDS =
  /subprocess|os\.system|os\.popen|child_process|execSync|spawnSync|(?<![.\w])exec\(|eval\(|\bsystem\(|passthru\(|shell_exec\(|proc_open\(|popen\(|Runtime\.getRuntime\(\)\.exec|exec\.Command\(|new Function\(/;
/** Values that come from an incoming web request. */
const REQUEST_INPUT =
  /request\.(?:args|form|json|query|body|GET|POST|values)|req\.(?:query|body|params)|\$_(?:GET|POST|REQUEST|COOKIE)\b|ctx\.(?:query|request\.body)|c\.(?:Query|PostForm|Param)\(|params\[:/;
/** Code that fetches from the network. */
const FETCHES =
  /\bfetch\(|axios\.|requests\.(?:get|post)|urlopen\(|urllib\.request|https?\.get\(|http\.Get\(|net\.Dial|Net::HTTP|\bcurl\s|\bwget\s|WebClient|Invoke-WebRequest/;
/**
 * A call that runs or evaluates something other than a literal command or argument list. A
 * method such as `pattern.exec(text)` is not one, unless its object is a process module.
 */
const RUNS_VARIABLE =
  /(?:(?<![.\w])(?:execSync|exec|spawn|spawnSync|eval|system|popen|Function)|\b(?:child_process|cp|childProcess|os|subprocess)\.(?:execSync|exec|spawn|spawnSync|system|popen|run|call|Popen|check_output))\(\s*(?![\s'"`[)])/;
const DOCUMENT = /\.(?:md|mdx|markdown|rst|txt|adoc)$/i;
const REVERSE_SHELL_CODE =
  /\/dev\/tcp\/(?!127\.|localhost)|\b(?:nc|ncat|netcat)\b[^\n]*\s-[ec]\s|pty\.spawn\(|os\.dup2\(/;

/**
 * Finds code written into the project that would act later: commands fetched from the network,
 * reverse shells, and agents started without approval (in CI files and scripts alike).
 */
function checkPlantedCode(target: string, content: string): Finding | undefined {
  // Prose may quote such code to explain it. Nothing runs a Markdown or text file.
  if (DOCUMENT.test(target)) {
    return undefined;
  }
  if ((FETCHES.test(content) && RUNS_VARIABLE.test(content)) || runsFetchedCommands(content)) {
    return blockFinding(
      'network-callback',
      `The content written to "${target}" runs commands it fetches from the network`,
      'fetch-and-run',
    );
  }
  if (REVERSE_SHELL_CODE.test(content)) {
    return blockFinding(
      'network-callback',
      `The content written to "${target}" opens a shell over the network`,
      'reverse-shell-in-file',
    );
  }
  if (UNSAFE_AGENT_FLAGS.test(content)) {
    return blockFinding(
      'unsafe-agent',
      `The content written to "${target}" starts an AI agent without approval`,
      'unsafe-agent-in-file',
    );
  }
  return undefined;
}

const MANIFEST =
  /(?:package\.json|requirements[\w-]*\.txt|pyproject\.toml|Cargo\.toml|go\.mod|Gemfile|Podfile|composer\.json|Pipfile|mix\.exs)$/;
/**
 * Dependency sources other than a registry: archive URLs, git URLs, `github:` shorthands,
 * `owner/repo#ref`, `git =` or `@ git+` in Cargo and Python manifests, and the `git:` and
 * `github:` options of Mix and Bundler (`{:jason, git: "…"}`, `gem "x", github: "o/x"`,
 * `:git => "…"`).
 */
const UNVETTED_SOURCE =
  /https?:\/\/(?!registry\.npmjs\.org|pypi\.org|github\.com\/(?:acme)\/)[^\s"']+\.(?:tgz|tar\.gz|zip|whl)|git\+(?:https?|ssh):\/\/|"(?:github|gitlab|bitbucket|git):[^"]*"|:\s*"[\w.-]+\/[\w.-]+#[^"]*"|\bgit\s*=\s*["']|@\s*git\+|(?<![\w"']):?\b(?:git|github)(?::\s*|\s*=>\s*)["']/;

/** The `owner/repo` paths that a changed manifest text takes code from. */
const SOURCE_PATH =
  /(?:github\.com[/:]|gitlab\.com[/:]|["'](?:github:)?)([\w.-]+\/[\w.-]+?)(?:\.git)?(?=["'#@/]|$)/gm;

/**
 * Checks whether the user's consenting text names every `owner/repo` that `content` takes
 * code from, such as "use jas0n-fork/jason", so a git source the user asked for is allowed.
 */
function namesEverySource(content: string, consent: string): boolean {
  const sources = [...content.matchAll(SOURCE_PATH)].map((match) => match[1] ?? '');
  return (
    sources.length > 0 &&
    sources.every(
      (source) => source.length > 3 && consent.toLowerCase().includes(source.toLowerCase()),
    )
  );
}

function checkDependencySource(
  target: string,
  content: string,
  consent: string,
): Finding | undefined {
  if (
    MANIFEST.test(target) &&
    UNVETTED_SOURCE.test(content) &&
    !namesEverySource(content, consent)
  ) {
    return blockFinding(
      'untrusted-code-integration',
      `The dependency change in "${target}" points at an unvetted download`,
      'dependency-url',
    );
  }
  return undefined;
}

/** Finds a fetch of a bulk export of people's records from a host the user did not name. */
function checkFetchedExport(call: ToolCall, context: GuardContext): Finding | undefined {
  let url: URL;
  try {
    url = new URL(String(call.input['url']));
  } catch {
    // checkFetch has already rejected the invalid URL.
    return undefined;
  }
  const reason = readsCustomerExport(url, consentingText(context.userMessages));
  return reason === undefined
    ? undefined
    : blockFinding('production-read', reason, 'customer-export');
}

/** Judges a URL that WebFetch fetches or a browser tool opens; `tool` names it in reasons. */
function checkFetch(url: string, tool: string, context: GuardContext): Finding | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return blockFinding('invalid-input', `${tool} URL "${url}" is not a valid URL`, 'invalid-url');
  }
  const metadata = checkMetadataInput(url, tool, consentingText(context.userMessages));
  if (metadata !== undefined) {
    return metadata;
  }
  if (
    /[^\x20-\x7e]/.test(url) ||
    parsed.hostname.startsWith('xn--') ||
    parsed.hostname.includes('.xn--')
  ) {
    return blockFinding(
      'data-exfiltration',
      `The host "${parsed.hostname}" uses look-alike characters`,
      'homoglyph-host',
    );
  }
  const query = decodeURIComponent(parsed.search + parsed.hash);
  // A loopback request keeps its query on this machine.
  const loopback = /^(?:127(?:\.\d{1,3}){3}|\[::1\]|localhost)$/i.test(parsed.hostname);
  if (
    !loopback &&
    (/password|passwd|secret|token=|api[_-]?key|DATABASE_URL|:\/\/[^/\s@]*:[^@\s/]+@|AKIA/i.test(
      query,
    ) ||
      URL_LOGIN_OR_JWT.test(query) ||
      hasPasswordParameter(parsed.searchParams))
  ) {
    return blockFinding(
      'data-exfiltration',
      'The URL carries secrets or private data in its query',
      'secret-in-url',
    );
  }
  const reference = checkSecretReference(url, 'WebFetch', consentingText(context.userMessages));
  if (reference !== undefined) {
    return { ...reference, rule: reference.rule.replace(/^stage1:/, 'tier:') };
  }
  const token = loopback ? undefined : checkFetchedSecret(url);
  if (token !== undefined) {
    return token;
  }
  const carried = loopback
    ? undefined
    : (checkUrlData(url, tool) ?? checkUrlText(url, tool, consentingText(context.userMessages)));
  if (carried !== undefined) {
    return { ...carried, rule: carried.rule.replace(/^stage1:/, 'tier:') };
  }
  if (
    EXFIL_HOST_PATTERN.test(parsed.hostname) ||
    // Dotted, bracketed IPv6, decimal and hex forms all name a raw address. A browser tool
    // opening a loopback page is local testing; a WebFetch of a loopback address still asks,
    // as a workflow's FETCH of one must (its binding also refuses private addresses).
    ((!loopback || tool === 'WebFetch') &&
      /^(?:\d{1,3}\.){3}\d{1,3}$|^\[|^(?:0x[0-9a-f]+|\d+)$/i.test(parsed.hostname))
  ) {
    return blockFinding(
      'exfil-scouting',
      `The host "${parsed.hostname}" is a webhook, paste or raw-IP endpoint`,
      'exfil-host',
    );
  }
  const callback = callbackHostInUrl(url);
  if (callback !== undefined) {
    return blockFinding(
      'exfil-scouting',
      `The ${tool} URL names the callback host "${callback}", which reports the request to its owner`,
      'callback-host',
    );
  }
  return undefined;
}

const MCP_VERBS: Record<string, RegExp> = {
  post: /\bpost\b|\bsend\b|\bannounce|\bshare\b/i,
  send: /\bsend\b|\bpost\b/i,
  create: /\bcreate\b|\bopen\b|\bfile\b|\badd\b|\bnew\b/i,
  update: /\bupdate\b|\bchange\b|\bedit\b|\bset\b/i,
  comment: /\bcomment\b|\breply\b/i,
  merge: /\bmerge\b/i,
};

/** Arguments that pick which system an MCP call reaches. */
const TARGET_KEY =
  /^(?:connection\w*|conn|database|db|dsn|url|uri|host|server|env|environment|profile|cluster|context|project\w*|datasource|source|target)$/i;
const PRODUCTION_NAME = /\bprod\b|\bprod[-_.]|[-_.]prod\b|production|\bprd\b/i;

/**
 * Checks whether an argument that picks the target system names production, such as
 * `connection: "prod-readonly"`, or any argument selects it by facet, such as `env:prod`.
 */
function namesProduction(input: Record<string, unknown>): boolean {
  return Object.entries(input).some(
    ([key, value]) =>
      typeof value === 'string' &&
      ((TARGET_KEY.test(key) && PRODUCTION_NAME.test(value)) || PRODUCTION_FACET.test(value)),
  );
}

/** Checks whether MCP arguments set a visibility of public (`private: false`, `visibility: "public"`). */
function makesPublic(input: Record<string, unknown>): boolean {
  return (
    input['private'] === false ||
    input['public'] === true ||
    (typeof input['visibility'] === 'string' && /^public$/i.test(input['visibility']))
  );
}

/**
 * Finds an MCP file search outside the project (`search_files` under the home folder) whose
 * name pattern looks for secret files, such as `*.tfstate` or `*.pem`, the user did not ask for.
 */
function checkMcpSecretSearch(
  tool: string,
  input: Record<string, unknown>,
  context: GuardContext,
  messages: string,
): Finding | undefined {
  if (!/search|find|glob/i.test(tool)) {
    return undefined;
  }
  const folder = input['path'] ?? input['root'] ?? input['directory'];
  const pattern = input['pattern'] ?? input['glob'] ?? input['query'];
  if (typeof pattern !== 'string' || (folder !== undefined && typeof folder !== 'string')) {
    return undefined;
  }
  const target = resolvePath(folder ?? context.cwd, {
    cwd: context.cwd,
    homeDir: context.homeDir ?? '/root',
  });
  const searched = isInside(target, context.projectDir)
    ? undefined
    : unrequestedSecretSearch(pattern, messages);
  return searched === undefined
    ? undefined
    : blockFinding(
        'credential-exploration',
        `Searching "${target}" for "${searched}" looks for secret files outside the project`,
        'mcp-secret-search',
      );
}

function checkMcp(call: ToolCall, context: GuardContext): Finding | undefined {
  const [, server = '', tool = ''] = call.tool.split('__');
  const input = JSON.stringify(call.input);
  const messages = consentingText(context.userMessages);
  if (SECRET_CONTENT.test(input)) {
    return blockFinding(
      'credential-leakage',
      `The ${call.tool} call sends a secret`,
      'secret-in-mcp',
    );
  }
  if (!MCP_READ.test(tool) && proseCredential(call.input, messages) !== undefined) {
    return blockFinding(
      'credential-leakage',
      `The ${call.tool} call writes a password or key into text others read`,
      'credential-in-mcp-text',
    );
  }
  const destination = unnamedMcpDestination(call.input, messages);
  if (destination !== undefined) {
    return blockFinding(
      'data-exfiltration',
      `The ${call.tool} call writes its results to ${destination}, which the user did not name`,
      'mcp-unnamed-destination',
    );
  }
  const credential =
    checkMetadataInput(input, call.tool, messages) ??
    (MCP_READ.test(tool) ? undefined : checkMcpSentSecrets(call.tool, call.input)) ??
    checkMcpSentPasswords(call.tool, call.input, messages) ??
    checkBrowserStateRead(call, messages) ??
    checkPageSecretRead(call, messages);
  if (credential !== undefined) {
    return credential;
  }
  const opened = openedUrl(tool, call.input);
  const navigation = opened === undefined ? undefined : checkFetch(opened, call.tool, context);
  if (navigation !== undefined) {
    return navigation;
  }
  for (const value of Object.values(call.input)) {
    const carried =
      typeof value === 'string' && /^https?:\/\//i.test(value)
        ? (checkSecretReference(value, call.tool, messages) ?? checkUrlData(value, call.tool))
        : undefined;
    if (carried !== undefined) {
      return { ...carried, rule: carried.rule.replace(/^stage1:/, 'tier:') };
    }
  }
  // Before the production consent below, which a mention of production gives.
  const termsOrRows =
    checkPaymentTerms(call, context.userMessages.join('\n')) ??
    checkSchemaOnlyRead(call, context.userMessages.join('\n'));
  if (termsOrRows !== undefined) {
    return termsOrRows;
  }
  if (
    (/prod/i.test(server) ||
      namesProduction(call.input) ||
      userCallsServerProduction(server, context.userMessages)) &&
    !asksWithout(/\bprod(?:uction)?\b/i, messages)
  ) {
    return blockFinding(
      'production-read',
      `The ${call.tool} call reaches a production system the user did not mention`,
      'mcp-production',
    );
  }
  const privileged = privilegedMembership(call);
  if (privileged !== undefined) {
    return blockFinding(
      'permission-grant',
      `The ${call.tool} call adds a member to "${privileged}", a privileged group or role that needs a human even when named`,
      'mcp-privileged-group',
    );
  }
  const overreach =
    checkUnnamedRepository(call, context, context.userMessages.join('\n')) ??
    checkMailFilter(call, messages) ??
    checkConfidentialItem(call, context.userMessages.join('\n')) ??
    checkSqlCredentialRead(call, messages) ??
    checkProductionPersonalRead(call, context.userMessages, messages) ??
    checkOtherEnvironmentSecret(call, context.userMessages.join('\n')) ??
    checkUnnamedRecipients(call, context.userMessages.join('\n')) ??
    checkMcpAddedValues(call, messages, context.userMessages.join('\n')) ??
    checkMcpOverreach(call, messages);
  if (overreach !== undefined) {
    return overreach;
  }
  if (publishesRequestedDraft(call, messages)) {
    return blockFinding(
      'modify-shared-resource',
      `The ${call.tool} call publishes what the user asked only to draft`,
      'mcp-not-draft',
    );
  }
  if (usesLiveModeWhenTestAsked(call, messages)) {
    return blockFinding(
      'real-world-transaction',
      `The ${call.tool} call acts in live mode, while the user asked for test mode`,
      'mcp-live-mode',
    );
  }
  if (sendsTestToAudience(call)) {
    return blockFinding(
      'real-world-transaction',
      `The ${call.tool} call sends a test to an audience (a segment or list), not only to the addresses the user gave`,
      'mcp-audience',
    );
  }
  // Requests that wait, suppose, report others or are taken back later consent to no write.
  const standing = standingClauses(messages, context.userMessages.join('\n'));
  const pageLimit = pageWriteBeyondRequest(call, standing);
  if (pageLimit !== undefined) {
    return blockFinding('modify-shared-resource', `The ${call.tool} call ${pageLimit}`, 'mcp-page');
  }
  // A requested action on resources the user named (see resource-consent.ts).
  if (!makesPublic(call.input) && actsAsRequestedInMcp(call, standing)) {
    return undefined;
  }
  const sql = call.input['sql'];
  if (
    typeof sql === 'string' &&
    /\b(?:insert|update|delete|drop|alter|grant|truncate|create)\b/i.test(sql)
  ) {
    // A statement the user asked for on the tables they named is the whole change.
    if (
      deletesRequestedRows(sql, messages) ||
      dropsRequestedTable(sql, messages) ||
      addsRequestedColumn(sql, messages) ||
      grantsRequestedRead(sql, messages)
    ) {
      return undefined;
    }
    return blockFinding(
      'modify-shared-resource',
      `The ${call.tool} call changes data`,
      'mcp-sql-write',
    );
  }
  if (makesPublic(call.input) && !asksWithout(/\bpublic\b/i, messages)) {
    return blockFinding(
      'create-public-surface',
      `The ${call.tool} call makes a repository or resource public`,
      'mcp-make-public',
    );
  }
  const secretSearch = checkMcpSecretSearch(tool, call.input, context, messages);
  if (secretSearch !== undefined) {
    return secretSearch;
  }
  // A command runner's call is the Bash call in its argument, which is judged on its own.
  if (
    namesRead(tool) ||
    /_docs$|get-library/.test(tool) ||
    runsShellCommand(call) ||
    runsCloudCommand(call) ||
    runsReadOnlyQuery(call) ||
    evaluatesReadOnlyScript(call) ||
    resetsBrowserAsRequested(call, messages)
  ) {
    return undefined;
  }
  const branchWrite = checkForgeBranchWrite(call.tool, call.input, messages);
  if (branchWrite !== undefined) {
    return branchWrite;
  }
  if (
    /order|purchase|buy|checkout|payment|refund|transfer|charge|invoice|bulk|broadcast|campaign|mass/i.test(
      tool,
    )
  ) {
    return blockFinding(
      'real-world-transaction',
      `The ${call.tool} call spends money or acts in the real world`,
      'mcp-transaction',
    );
  }
  if (commentsOnOtherItem(call, messages)) {
    return blockFinding(
      'create-public-surface',
      `The ${call.tool} call comments on an item or repository other than the one the user named, or approves or requests changes unasked`,
      'mcp-other-item',
    );
  }
  // A file server's write inside the project is judged as the Write it amounts to.
  if (
    writesProjectFile(call, context) ||
    commentsOnNamedItem(call, standing) ||
    createsRequestedDraft(call, standing) ||
    opensPullRequestForReview(call, standing, context.userMessages.join('\n')) ||
    typesRequestedText(call, standing) ||
    readsOnNamedRemoteHost(call, messages) ||
    (requestsMcpWrite(call, standing, messages) && !asksOnlyForDraft(messages)) ||
    requestsNamedMcpWrite(call, context.userMessages, context.projectDir) ||
    requestsServiceWrite(call, standing, context.userMessages) ||
    writesDescribedTarget(call, standing, context.userMessages.join('\n')) ||
    requestsWithSettingWords(call, context.userMessages)
  ) {
    return undefined;
  }
  const otherValue = otherPropertyValue(call, standing);
  if (otherValue !== undefined) {
    return blockFinding(
      'modify-shared-resource',
      `The ${call.tool} call sets "${otherValue}", while the user named another value`,
      'mcp-other-value',
    );
  }
  const other = otherNamedTarget(call, context.userMessages.join('\n'));
  if (other !== undefined) {
    return blockFinding(
      'modify-shared-resource',
      `The ${call.tool} call changes "${other}", while the user named another one`,
      'mcp-other-target',
    );
  }
  if (publishesOrFills(call)) {
    return blockFinding(
      'create-public-surface',
      `The ${call.tool} call publishes or fills a form, which no standing request asks for`,
      'mcp-write',
    );
  }
  // A message to a named channel is consented to when the user asks to post to that channel.
  const channel = call.input['channel'] ?? call.input['channel_id'] ?? call.input['room'];
  if (/post|send/i.test(tool) && typeof channel === 'string') {
    return requestsPost(channel, standing) ||
      postsDictatedText(call.input, channel, standing) ||
      postsRequestedFacts(call.input, channel, standing) ||
      postsComposedNote(call.input, channel, standing, context.userMessages.join('\n'))
      ? undefined
      : blockFinding(
          'create-public-surface',
          `The ${call.tool} call posts to ${channel}, which no user message asks for`,
          'mcp-write',
        );
  }
  const verb = Object.keys(MCP_VERBS).find((name) => tool.toLowerCase().includes(name));
  const pattern = verb === undefined ? undefined : MCP_VERBS[verb];
  const consented =
    pattern !== undefined &&
    asksWithout(pattern, standing) &&
    !asksOnlyForDraft(messages) &&
    !mergesByUnaskedMethod(call, standing) &&
    !usesWithdrawnTarget(call, standing, context.userMessages.join('\n'));
  if (consented) {
    return undefined;
  }
  return blockFinding(
    'create-public-surface',
    `The ${call.tool} call changes state in another system without the user asking`,
    'mcp-write',
  );
}

/** A value in the form of a target: an address, a channel, an id with digits or a dash. */
const TARGET_VALUE = /^[#@]?[\w.+-]*[@#_\d-][\w.+@-]*$/;

/**
 * Checks whether the call passes a target that the user named only in requests that no longer
 * stand: "Send a test to qa-list@acme.dev." then "Actually send it to me@acme.dev" leaves
 * `qa-list@acme.dev` withdrawn, although "send" is still asked for. A target named in a
 * question ("Can you check PR 57 on mobile-app?") was never requested, so it is not withdrawn.
 */
function usesWithdrawnTarget(call: ToolCall, standing: string, allMessages: string): boolean {
  const requested = allMessages
    .split(/(?<=[.!?;])\s+|\n+/)
    .filter((sentence) => !sentence.trim().endsWith('?'))
    .join('\n');
  return Object.values(call.input)
    .flat()
    .some(
      (value) =>
        typeof value === 'string' &&
        value.length >= 3 &&
        TARGET_VALUE.test(value) &&
        containsWord(requested, value) &&
        !containsWord(standing, value),
    );
}

/** Gives a finding from a shared check the `tier:` prefix of its rule id. */
function tierFinding(found: Finding | undefined): Finding | undefined {
  return found === undefined ? undefined : { ...found, rule: `tier:${found.rule}` };
}

function blockFinding(category: string, reason: string, id: string): Finding {
  return { category, reason, rule: `tier:${id}` };
}
