/**
 * Stage 1: a fast, local, deterministic classifier for shell commands. It leans to
 * blocking: a command it cannot parse with confidence is never allowed automatically.
 */
import { typesExactCommand } from './typed-commands.js';
import { isForwardOnly, printsConfigOnly } from './ssh-forwards.js';
import { testsForgeLogin } from './forge-logins.js';
import { asksOnlyForDraft, deploysLive, deploysRequestedDraft } from './draft-deploys.js';
import { checkExfiltration } from './exfiltration.js';
import { asksWithout, consentingText, requestsAction } from './consent.js';
import { standingClauses, standingRequests } from './standing-requests.js';
import { appliesRequestedTarget, namesApplyTarget } from './requested-applies.js';
import { syncsToNamedRemote } from './requested-syncs.js';
import { scansOnlyLoopback } from './local-targets.js';
import { runsOnlyRequestedContainerSql } from './requested-data-changes.js';
import { runsRequestedRootDiagnostic } from './root-diagnostics.js';
import {
  deploysAsRequested,
  pushesNamedTag,
  updatesRewrittenBranch,
} from './requested-releases.js';
import { tunnelsRequestedPort } from './requested-tools.js';
import { actsOnNamedTargets, needsNamedTarget } from './requested-targets.js';
import { opensNamedLocalPort, returnsOwnershipToUser } from './requested-host-actions.js';
import { restartsNamedRemoteService } from './requested-operations.js';
import { readsAsServiceUser, readsOnNamedHost, remoteSecretRead } from './remote-reads.js';
import { handsTokenToNamedLogin } from './requested-shares.js';
import { excusesMatches } from './excused-matches.js';
import { publishesRequestedDraftRelease } from './requested-mcp-writes.js';
import { findDeletedNames } from './find-expressions.js';
import {
  cleansRequestedUntracked,
  isGitClean,
  removesRequestedFolders,
} from './requested-cleanup.js';
import { setsLocalRedisConfig } from './local-datastores.js';
import { deletesNamedLocalKeys } from './redis-key-deletes.js';
import { setsNamedGoEnvironment } from './go-env-settings.js';
import { addsOnlyRequestedShellHooks } from './user-config.js';
import { checkInlineRemotes, INLINE_REMOTES_GATE } from './inline-remotes.js';
import { checkInlineSecretPrints, INLINE_SECRET_PRINTS_GATE } from './inline-secrets.js';
import { checkCredentialKinds } from './credential-kinds.js';
import { checkMetadataRequests } from './metadata-endpoints.js';
import { checkMcpServerAdd, MCP_SERVER_ADD_GATE } from './agent-servers.js';
import { checkFetchedCode, FETCHED_CODE_GATE } from './inline-effects.js';
import { checkFetchedThenRun, FETCHED_THEN_RUN_GATE, savedDownloads } from './fetched-runs.js';
import { afterCd, mktempVariables, type CdContext } from './working-folders.js';
import { checkSecretFileReads, SECRET_FILE_READS_GATE } from './secret-files.js';
import { checkInjectedSecrets, INJECTED_SECRETS_GATE } from './injected-secrets.js';
import { checkForgeTargets, FORGE_TARGETS_GATE } from './forge-targets.js';
import {
  checkCredentialFinds,
  checkHomeSearches,
  CREDENTIAL_FINDS_GATE,
  HOME_SEARCHES_GATE,
} from './home-searches.js';
import { checkCovertChannels } from './covert-channels.js';
import { namesDeletedObjects } from './bucket-deletes.js';
import { checkCredentialStores } from './credential-stores.js';
import { reportsHungProcess } from './hung-processes.js';
import {
  checkCredentialLibraries,
  checkEnvironmentReads,
  CREDENTIAL_LIBRARIES_GATE,
} from './credential-reads.js';
import { checkLookAlikeBucket, checkUploads, UPLOADS_GATE } from './uploads.js';
import { checkPersonalDataPosts, PERSONAL_DATA_POSTS_GATE } from './personal-data-posts.js';
import { checkUnnamedDestinations } from './destinations.js';
import { checkMlUploads, ML_UPLOADS_GATE } from './ml-uploads.js';
import { checkLoopedSends, LOOPED_SENDS_GATE } from './looped-sends.js';
import { checkRemoteOutputs } from './remote-outputs.js';
import {
  BACKUP_REPOSITORIES_GATE,
  checkBackupRepositories,
  NUMBER_WORDS,
} from './backup-repositories.js';
import { checkShortHookSkips, SHORT_HOOK_SKIPS_GATE } from './short-hook-skips.js';
import { checkExportedCopies, EXPORTED_COPIES_GATE } from './exported-copies.js';
import { checkPublicGrants, PUBLIC_GRANTS_GATE } from './public-grants.js';
import { isDatabaseClient } from './client-scripts.js';
import { checkShellSqlReads, SHELL_SQL_READS_GATE } from './shell-sql-reads.js';
import { checkGitRedirects } from './git-redirects.js';
import { checkShellUrls, SHELL_URLS_GATE } from './url-data.js';
import { checkExportDownloads } from './export-downloads.js';
import { downloadsToScratchOnRequest } from './scratch-downloads.js';
import {
  checkInlineSenders,
  checkWrittenAndRun,
  INLINE_SENDERS_GATE,
  WRITTEN_AND_RUN_GATE,
} from './code-senders.js';
import { checkToolCredentials } from './tool-credentials.js';
import { checkSecretExports } from './secret-exports.js';
import { checkDependencyRedirects, DEPENDENCY_REDIRECTS_GATE } from './dependency-redirects.js';
import { checkUnrequestedEffects } from './unrequested-effects.js';
import { checkProductionNames } from './production-names.js';
import { checkDatabaseVariables, DATABASE_VARIABLES_GATE } from './database-variables.js';
import { checkGrantBeyondLimit } from './granted-roles.js';
import { checkRegistryPushes, REGISTRY_PUSHES_GATE } from './registry-pushes.js';
import { checkSharedChanges } from './shared-changes.js';
import { checkUnnamedDeletes, UNNAMED_DELETES_GATE } from './unnamed-deletes.js';
import { checkSecretWrites, SECRET_WRITES_GATE, writesOnlyToEnvFile } from './planted-secrets.js';
import { checkProcessSecrets, PROCESS_SECRETS_GATE } from './process-secrets.js';
import { checkConfigCommands } from './config-changes.js';
import { installsFromTrustedIndex } from './package-sources.js';
import {
  checkHttpWrites,
  checkPipedConfirmation,
  HTTP_WRITES_GATE,
  PIPED_CONFIRMATION_GATE,
} from './state-changes.js';
import { checkPaths } from './file-access.js';
import { checkIndirectReads } from './indirect-reads.js';
import { checkListedReads, LISTED_READS_GATE } from './listed-reads.js';
import { checkDatastoreDeletes, DATASTORE_DELETES_GATE } from './datastore-deletes.js';
import { BROKER_TARGETS_GATE, checkBrokerTargets } from './broker-targets.js';
import { checkOpsCliWrites, OPS_CLI_WRITES_GATE } from './ops-cli-writes.js';
import { checkRequestedWriteFlags, REQUESTED_WRITE_FLAGS_GATE } from './requested-write-flags.js';
import {
  checkEnvironmentDumps,
  checkTracedSecretLoads,
  ENVIRONMENT_DUMPS_GATE,
  TRACED_SECRET_LOADS_GATE,
} from './environment-dumps.js';
import { checkSecretPrinters, SECRET_PRINTERS_GATE } from './secret-printers.js';
import { checkSecretStoreScopes, SECRET_STORE_SCOPES_GATE } from './secret-store-scopes.js';
import { checkTrustChanges, TRUST_CHANGES_GATE } from './trust-changes.js';
import { checkConnectionStringPrints } from './connection-prints.js';
import { checkMounts, MOUNTS_GATE } from './mounts.js';
import { withBraceBudget } from './globs.js';
import { nestedLineFinding } from './nested-lines.js';
import { checkSymlinkTargets, SYMLINK_TARGETS_GATE } from './symlinks.js';
import { checkEnvironmentInjection } from './env-injection.js';
import { checkServiceAdmin, SERVICE_ADMIN_GATE } from './service-admin.js';
import { checkReleaseTools, RELEASE_TOOLS_GATE } from './release-tools.js';
import { checkWebhookProbes, WEBHOOK_PROBES_GATE } from './egress-probes.js';
import { checkOtherChatWebhooks, OTHER_CHAT_WEBHOOKS_GATE } from './chat-webhooks.js';
import { checkWholeBucketDeletes, WHOLE_BUCKET_DELETES_GATE } from './bucket-scopes.js';
import { checkInUseDeletes, IN_USE_DELETES_GATE } from './in-use-warnings.js';
import { checkPackageTypos } from './package-typos.js';
import {
  checkCallbackRegistrations,
  CALLBACK_REGISTRATIONS_GATE,
} from './callback-registrations.js';
import { checkSecretStoreConfigs, SECRET_STORE_CONFIGS_GATE } from './secret-store-configs.js';
import { checkPlainSecretValues, PLAIN_SECRET_VALUES_GATE } from './plain-secret-values.js';
import { checkWarehouseUnloads, WAREHOUSE_UNLOADS_GATE } from './warehouse-unloads.js';
import { checkServedFolders, SERVED_FOLDERS_GATE } from './served-folders.js';
import { checkStatedSecretCommits, STATED_SECRET_COMMITS_GATE } from './stated-secrets.js';
import { checkGuardSockets, GUARD_SOCKETS_GATE } from './guard-state-paths.js';
import { checkFindWipes, FIND_WIPES_GATE } from './find-selections.js';
import { checkInputOperands, INPUT_OPERANDS_GATE } from './input-operands.js';
import { checkSecretTargets, SECRET_TARGETS_GATE } from './secret-targets.js';
import { checkGuardDependencyChanges, GUARD_DEPENDENCIES_GATE } from './guard-dependencies.js';
import { checkGuardControl, checkGuardTokenReads } from './guard-control.js';
import { checkProgramGlobs, globVariants, tooManyGlobs, variantFinding } from './glob-words.js';
import { checkProductionContainers, PRODUCTION_CONTAINERS_GATE } from './indirect-runs.js';
import {
  cleansOnlyNamedPaths,
  findRoots,
  namesFindPattern,
  removesOnlyBuildArtefacts,
} from './cleanup.js';
import { finding, printsEnvironment, type Finding } from './findings.js';
import { isInside, resolvePath, type PathContext } from './paths.js';
import { DANGER_RULES, KNOWN_INSTALLERS, type DangerRule } from './rules.js';
import { matchingRuleIndexes } from './rule-matches.js';
import { checkRemoteMutation, REMOTE_MUTATION_GATE, selectsNamedTarget } from './remote-cli.js';
import { checkContainers, checkPackages, CONTAINERS_GATE, PACKAGES_GATE } from './supply-chain.js';
import { interpreterName, isShell } from './interpreters.js';
import { shellSource } from './shell-invocations.js';
import {
  asksLocalReset,
  deletesNamedRefs,
  containsWord,
  emptiesNamedProjectFiles,
  namesRestartTargets,
  namesStopTargets,
  targetsLocalDatabase,
  testsNamedConfig,
} from './named-targets.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import {
  gateAudit,
  gateOpens,
  indexLine,
  type CheckGate,
  type GateAudit,
  type GatedCheck,
  type LineIndex,
} from './check-gates.js';
import type { GuardContext } from './types.js';

const FETCHERS = new Set([
  'curl',
  'wget',
  'fetch',
  'http',
  'https',
  'aria2c',
  'iwr',
  'Invoke-WebRequest',
]);
/** Maximum command length, in characters, that stage 1 reviews. Longer commands go to a human. */
const MAX_COMMAND_BYTES = 16_384;

/** Runs every stage-1 check on a parsed Bash command; returns the first finding, if any. */
export function classifyShell(
  parsed: ParsedShell,
  raw: string,
  context: GuardContext,
): Finding | undefined {
  return classifyWithNested(parsed, raw, context, undefined);
}

/**
 * Classifies `parsed` and then its nested lines. Two nested lines of one call may share a
 * `ParsedShell` (see `NestedParses`), and `judged` keeps each shared line's finding, so it is
 * classified once. The key is the parsed object, which stands for one text, and the
 * findings are reused only within one call with the same `context`, so they are the same.
 */
function classifyWithNested(
  parsed: ParsedShell,
  raw: string,
  context: GuardContext,
  judged: Map<ParsedShell, Finding | undefined> | undefined,
): Finding | undefined {
  const found = classifyLine(parsed, raw, context);
  if (parsed.nestedLines === undefined || (found !== undefined && isCertain(found))) {
    return found;
  }
  const seen = judged ?? new Map<ParsedShell, Finding | undefined>();
  const nested = nestedLineFinding(
    parsed,
    (line) => {
      if (seen.has(line.parsed)) {
        return seen.get(line.parsed);
      }
      const lineFound = classifyWithNested(line.parsed, line.text, context, seen);
      seen.set(line.parsed, lineFound);
      return lineFound;
    },
    isCertain,
  );
  return nested !== undefined && (found === undefined || isCertain(nested)) ? nested : found;
}

function isCertain(finding: Finding): boolean {
  return CERTAIN_CATEGORIES.test(finding.category);
}

/** Runs the checks on one command line, without the lines that its programs run. */
function classifyLine(
  parsed: ParsedShell,
  raw: string,
  context: GuardContext,
): Finding | undefined {
  if (raw.length > MAX_COMMAND_BYTES) {
    return {
      category: 'unparsed',
      reason: `The command is ${raw.length} characters long, over the ${MAX_COMMAND_BYTES} that stage 1 reviews, so a human must review it`,
      rule: 'stage1:too-long',
    };
  }
  const requests = userRequests(context);
  if (!parsed.confident) {
    // A danger found in the readable part outranks the unreadable rest: it is denied, or asked
    // as the rest would be, with a reason that names the danger (`bash <(curl …)`).
    const found = withBraceBudget(() => runChecksWithGlobs(parsed, raw, context, requests));
    if (found !== undefined) {
      return found;
    }
    return {
      category: 'unparsed',
      reason: `The command cannot be read with confidence (${parsed.problems[0] ?? 'unknown problem'}), so a human must review it`,
      rule: 'stage1:unparsed',
    };
  }
  return withBraceBudget(() => runChecksWithGlobs(parsed, raw, context, requests));
}

/**
 * Runs the checks on the command line and, unless they deny it, on each copy in which a glob
 * word stands for a protected name it could match, so `rm -rf .s*` is judged as
 * `rm -rf .sandstack`. A glob program that no check denies still goes to a human.
 */
function runChecksWithGlobs(
  parsed: ParsedShell,
  raw: string,
  context: GuardContext,
  requests: UserRequests,
): Finding | undefined {
  const direct = runChecks(parsed, raw, context, requests);
  if (direct !== undefined && CERTAIN_CATEGORIES.test(direct.category)) {
    return direct;
  }
  const paths: PathContext = { cwd: context.cwd, homeDir: context.homeDir ?? '/root' };
  const { variants, truncated } = globVariants(
    parsed,
    raw,
    paths,
    cdContextOf(parsed, raw, context),
  );
  for (const variant of variants) {
    const found = runChecks(variant.parsed, raw, context, requests);
    if (found !== undefined && (direct === undefined || CERTAIN_CATEGORIES.test(found.category))) {
      return variantFinding(variant, found);
    }
  }
  return direct ?? (truncated ? tooManyGlobs() : checkProgramGlobs(parsed));
}

/**
 * Returns what `afterCd` needs to place computed `cd` targets. The line's temp-folder
 * variables are found only when a check follows a computed `cd`, which few lines have.
 */
function cdContextOf(parsed: ParsedShell, raw: string, context: GuardContext): CdContext {
  let tempVariables: ReadonlySet<string> | undefined;
  return {
    projectDir: context.projectDir,
    tempVariables: () => (tempVariables ??= mktempVariables(raw, parsed)),
  };
}

/** Categories whose findings the guard denies rather than sends to a human. */
const CERTAIN_CATEGORIES =
  /exfiltration|credential|network-callback|local-destruction|self-modification/;

/** The user's messages as the checks read them, built once per decision. */
interface UserRequests {
  /** Clauses that consent to something: {@link consentingText}. */
  messages: string;
  /** Every message, with the clauses that {@link consentingText} drops. */
  allMessages: string;
}

/**
 * The last messages that {@link userRequests} read and what it built from them. A session's
 * calls carry the same messages until the user writes again, so most decisions reuse them.
 */
let lastRequests: { messages: readonly string[]; requests: UserRequests } | undefined;

function userRequests(context: GuardContext): UserRequests {
  const given = context.userMessages;
  if (lastRequests !== undefined && sameMessages(lastRequests.messages, given)) {
    return lastRequests.requests;
  }
  const requests = {
    messages: consentingText(given),
    // Requests to keep something, or for only a draft or preview, are what some checks look
    // for, and consentingText drops exactly those clauses.
    allMessages: given.join('\n'),
  };
  // A copy, so a caller that changes its array later cannot change what the cache matches.
  lastRequests = { messages: [...given], requests };
  return requests;
}

function sameMessages(cached: readonly string[], given: readonly string[]): boolean {
  return (
    cached.length === given.length && cached.every((message, index) => message === given[index])
  );
}

/** Input of every stage-1 check: the line and the request, built once per line in {@link runChecks}. */
interface CheckInput {
  parsed: ParsedShell;
  raw: string;
  context: GuardContext;
  paths: PathContext;
  /** Clauses of the user's messages that consent to something: {@link consentingText}. */
  messages: string;
  /** Every user message, with the clauses that {@link consentingText} drops. */
  allMessages: string;
  cdContext: CdContext;
}

// Gates of the checks in this file, defined before the list that refers to them.

/** Gate of {@link checkDownloadThenRun}, which finds nothing before one of `FETCHERS` saves a file. */
const DOWNLOAD_THEN_RUN_GATE: CheckGate = { programs: FETCHERS };

/** Gate of {@link checkRemoteShell}, which judges only `ssh` commands. */
const REMOTE_SHELL_GATE: CheckGate = { programs: new Set(['ssh']) };

/**
 * Gate of {@link checkEnvironmentDump}: the programs that {@link printsEnvironment} names,
 * `history`, and `git`, which the `git log -p` pattern needs as the first word.
 */
const ENVIRONMENT_DUMP_GATE: CheckGate = {
  programs: new Set(['env', 'printenv', 'set', 'declare', 'typeset', 'export', 'history', 'git']),
};

/** Gate of {@link checkSudo}, which judges only commands run through `sudo` or `doas`. */
const SUDO_GATE: CheckGate = { wrappers: new Set(['sudo', 'doas', 'pkexec']) };

/**
 * The stage-1 checks in the order they run. The first finding decides, so the order sets which
 * finding names the danger. The list is built once, and each check reads the line and the
 * request from its {@link CheckInput}.
 *
 * To add a check, add one entry `{ name, gate, run }` where it belongs in the order. Give it a
 * gate (a `CheckGate` next to the check, in its own module) when its code provably returns
 * nothing on a line without one of the gate's programs, wrappers or inline code, and leave
 * `gate` out otherwise. A gate that is too narrow lets a danger through:
 * test/integration/guard-check-gates.test.ts runs every check its gate skips over every
 * labelled set and fails if one finds something.
 */
const STAGE1_CHECKS: readonly GatedCheck<CheckInput>[] = [
  { name: 'checkSocketRedirects', run: ({ parsed }) => checkSocketRedirects(parsed) },
  {
    name: 'checkPipeToShell',
    run: ({ parsed, raw, messages }) => checkPipeToShell(parsed, raw, messages),
  },
  {
    name: 'checkDownloadThenRun',
    gate: DOWNLOAD_THEN_RUN_GATE,
    run: ({ parsed, context, paths }) => checkDownloadThenRun(parsed, paths, context.projectDir),
  },
  {
    name: 'checkFetchedCode',
    gate: FETCHED_CODE_GATE,
    run: ({ parsed }) => checkFetchedCode(parsed),
  },
  // Before the exfiltration checks, which ask about a raw-IP host that this check denies.
  {
    name: 'checkMetadataRequests',
    run: ({ parsed, messages }) => checkMetadataRequests(parsed, messages),
  },
  {
    name: 'checkExfiltration',
    run: ({ parsed, raw, paths, messages }) =>
      checkExfiltration(parsed, raw, paths.homeDir, messages),
  },
  { name: 'checkGuardTokenReads', run: ({ parsed }) => checkGuardTokenReads(parsed) },
  {
    name: 'checkPaths',
    run: ({ parsed, raw, context, paths, messages }) =>
      checkPaths(parsed, paths, context, messages, raw),
  },
  {
    name: 'checkIndirectReads',
    run: ({ parsed, raw, context, paths }) => checkIndirectReads(parsed, raw, paths, context),
  },
  {
    name: 'checkListedReads',
    gate: LISTED_READS_GATE,
    run: ({ parsed, context, paths }) => checkListedReads(parsed, paths, context),
  },
  {
    name: 'checkSymlinkTargets',
    gate: SYMLINK_TARGETS_GATE,
    run: ({ parsed, context, paths, messages }) =>
      checkSymlinkTargets(parsed, paths, context.projectDir, messages),
  },
  {
    name: 'checkRules',
    run: ({ parsed, raw, context, paths, messages, allMessages }) =>
      checkRules(parsed, raw, { messages, allMessages }, paths, context.projectDir),
  },
  {
    name: 'checkShortHookSkips',
    gate: SHORT_HOOK_SKIPS_GATE,
    run: ({ parsed, messages, allMessages }) =>
      checkShortHookSkips(parsed, { messages, allMessages }),
  },
  { name: 'checkGuardControl', run: ({ parsed, raw }) => checkGuardControl(parsed, raw) },
  {
    name: 'checkGuardSockets',
    gate: GUARD_SOCKETS_GATE,
    run: ({ parsed, context }) => checkGuardSockets(parsed, context),
  },
  {
    name: 'checkFindWipes',
    gate: FIND_WIPES_GATE,
    run: ({ parsed, messages }) => checkFindWipes(parsed, messages),
  },
  {
    name: 'checkInputOperands',
    gate: INPUT_OPERANDS_GATE,
    run: ({ parsed, messages }) => checkInputOperands(parsed, messages),
  },
  {
    name: 'checkSecretTargets',
    gate: SECRET_TARGETS_GATE,
    run: ({ parsed, messages }) => checkSecretTargets(parsed, messages),
  },
  {
    name: 'checkGuardDependencyChanges',
    gate: GUARD_DEPENDENCIES_GATE,
    run: ({ parsed, context }) => checkGuardDependencyChanges(parsed, context),
  },
  // A here-string (`./migrate.sh <<< y`) answers a prompt with no feeder program, so the gate
  // opens on any heredoc or here-string too.
  {
    name: 'checkPipedConfirmation',
    gate: PIPED_CONFIRMATION_GATE,
    run: ({ parsed, messages }) => checkPipedConfirmation(parsed, messages),
  },
  {
    name: 'checkHttpWrites',
    gate: HTTP_WRITES_GATE,
    run: ({ parsed, messages }) => checkHttpWrites(parsed, messages),
  },
  {
    name: 'checkCovertChannels',
    run: ({ parsed, raw, messages }) => checkCovertChannels(parsed, raw, messages),
  },
  {
    name: 'checkCredentialStores',
    run: ({ parsed, context, paths, messages, allMessages }) =>
      checkCredentialStores(parsed, paths, context.projectDir, messages, allMessages),
  },
  {
    name: 'checkSecretWrites',
    gate: SECRET_WRITES_GATE,
    run: ({ parsed }) => checkSecretWrites(parsed),
  },
  {
    name: 'checkInjectedSecrets',
    gate: INJECTED_SECRETS_GATE,
    run: ({ parsed }) => checkInjectedSecrets(parsed),
  },
  {
    name: 'checkInlineSecretPrints',
    gate: INLINE_SECRET_PRINTS_GATE,
    run: ({ parsed }) => checkInlineSecretPrints(parsed),
  },
  {
    name: 'checkCredentialKinds',
    run: ({ parsed, context, paths, messages }) =>
      checkCredentialKinds(parsed, paths, context.projectDir, messages),
  },
  {
    name: 'checkInlineRemotes',
    gate: INLINE_REMOTES_GATE,
    run: ({ parsed, messages }) => checkInlineRemotes(parsed, messages),
  },
  {
    name: 'checkMcpServerAdd',
    gate: MCP_SERVER_ADD_GATE,
    run: ({ parsed, messages }) => checkMcpServerAdd(parsed, messages),
  },
  {
    name: 'checkEnvironmentDumps',
    gate: ENVIRONMENT_DUMPS_GATE,
    run: ({ parsed, messages }) => checkEnvironmentDumps(parsed, messages),
  },
  {
    name: 'checkTracedSecretLoads',
    gate: TRACED_SECRET_LOADS_GATE,
    run: ({ parsed }) => checkTracedSecretLoads(parsed),
  },
  {
    name: 'checkExportedCopies',
    gate: EXPORTED_COPIES_GATE,
    run: ({ parsed, raw }) => checkExportedCopies(parsed, raw),
  },
  {
    name: 'checkDatastoreDeletes',
    gate: DATASTORE_DELETES_GATE,
    run: ({ parsed, messages, allMessages }) =>
      checkDatastoreDeletes(parsed, messages, allMessages),
  },
  {
    name: 'checkSecretStoreScopes',
    gate: SECRET_STORE_SCOPES_GATE,
    run: ({ parsed, messages, allMessages }) =>
      checkSecretStoreScopes(parsed, messages, allMessages),
  },
  {
    name: 'checkSecretPrinters',
    gate: SECRET_PRINTERS_GATE,
    run: ({ parsed, messages, allMessages }) => checkSecretPrinters(parsed, messages, allMessages),
  },
  {
    name: 'checkTrustChanges',
    gate: TRUST_CHANGES_GATE,
    run: ({ parsed, messages }) => checkTrustChanges(parsed, messages),
  },
  {
    name: 'checkConnectionStringPrints',
    run: ({ parsed, messages }) => checkConnectionStringPrints(parsed, messages),
  },
  {
    name: 'checkMounts',
    gate: MOUNTS_GATE,
    run: ({ parsed, paths }) => checkMounts(parsed, paths),
  },
  {
    name: 'checkRemoteMutation',
    gate: REMOTE_MUTATION_GATE,
    run: ({ parsed, messages, allMessages }) => checkRemoteMutation(parsed, messages, allMessages),
  },
  {
    name: 'checkSudo',
    gate: SUDO_GATE,
    run: ({ parsed, context, paths, messages, allMessages }) =>
      checkSudo(parsed, messages, allMessages, paths, context.projectDir),
  },
  {
    name: 'checkRemoteShell',
    gate: REMOTE_SHELL_GATE,
    run: ({ parsed, messages }) => checkRemoteShell(parsed, messages),
  },
  {
    name: 'checkEnvironmentDump',
    gate: ENVIRONMENT_DUMP_GATE,
    run: ({ parsed }) => checkEnvironmentDump(parsed),
  },
  {
    name: 'checkProcessSecrets',
    gate: PROCESS_SECRETS_GATE,
    run: ({ parsed, messages }) => checkProcessSecrets(parsed, messages),
  },
  {
    name: 'checkConfigCommands',
    run: ({ parsed, messages }) => checkConfigCommands(parsed, messages),
  },
  { name: 'checkPackages', gate: PACKAGES_GATE, run: ({ parsed }) => checkPackages(parsed) },
  {
    name: 'checkDependencyRedirects',
    gate: DEPENDENCY_REDIRECTS_GATE,
    run: ({ parsed }) => checkDependencyRedirects(parsed),
  },
  {
    name: 'checkContainers',
    gate: CONTAINERS_GATE,
    run: ({ parsed, messages, paths, context }) =>
      checkContainers(parsed, messages, (folder) =>
        isInside(resolvePath(folder, paths), context.projectDir),
      ),
  },
  {
    name: 'checkServiceAdmin',
    gate: SERVICE_ADMIN_GATE,
    run: ({ parsed, messages }) => checkServiceAdmin(parsed, messages),
  },
  {
    name: 'checkBrokerTargets',
    gate: BROKER_TARGETS_GATE,
    run: ({ parsed, messages, allMessages }) => checkBrokerTargets(parsed, messages, allMessages),
  },
  {
    name: 'checkOpsCliWrites',
    gate: OPS_CLI_WRITES_GATE,
    run: ({ parsed, messages, allMessages }) => checkOpsCliWrites(parsed, messages, allMessages),
  },
  {
    name: 'checkRequestedWriteFlags',
    gate: REQUESTED_WRITE_FLAGS_GATE,
    run: ({ parsed, messages, allMessages }) =>
      checkRequestedWriteFlags(parsed, messages, allMessages),
  },
  {
    name: 'checkReleaseTools',
    gate: RELEASE_TOOLS_GATE,
    run: ({ parsed, messages }) => checkReleaseTools(parsed, messages),
  },
  {
    name: 'checkWebhookProbes',
    gate: WEBHOOK_PROBES_GATE,
    run: ({ parsed, messages }) => checkWebhookProbes(parsed, messages),
  },
  {
    name: 'checkOtherChatWebhooks',
    gate: OTHER_CHAT_WEBHOOKS_GATE,
    run: ({ parsed, allMessages }) => checkOtherChatWebhooks(parsed, allMessages),
  },
  {
    name: 'checkWholeBucketDeletes',
    gate: WHOLE_BUCKET_DELETES_GATE,
    run: ({ parsed, allMessages }) => checkWholeBucketDeletes(parsed, allMessages),
  },
  {
    name: 'checkInUseDeletes',
    gate: IN_USE_DELETES_GATE,
    run: ({ parsed, allMessages }) => checkInUseDeletes(parsed, allMessages),
  },
  {
    name: 'checkPackageTypos',
    gate: PACKAGES_GATE,
    run: ({ parsed, allMessages }) => checkPackageTypos(parsed, allMessages),
  },
  {
    name: 'checkPlainSecretValues',
    gate: PLAIN_SECRET_VALUES_GATE,
    run: ({ parsed }) => checkPlainSecretValues(parsed),
  },
  {
    name: 'checkSecretStoreConfigs',
    gate: SECRET_STORE_CONFIGS_GATE,
    run: ({ parsed, allMessages }) => checkSecretStoreConfigs(parsed, allMessages),
  },
  {
    name: 'checkCallbackRegistrations',
    gate: CALLBACK_REGISTRATIONS_GATE,
    run: ({ parsed }) => checkCallbackRegistrations(parsed),
  },
  {
    name: 'checkWarehouseUnloads',
    gate: WAREHOUSE_UNLOADS_GATE,
    run: ({ parsed, messages }) => checkWarehouseUnloads(parsed, messages),
  },
  {
    name: 'checkServedFolders',
    gate: SERVED_FOLDERS_GATE,
    run: ({ parsed, paths, cdContext }) => checkServedFolders(parsed, paths, cdContext),
  },
  {
    name: 'checkStatedSecretCommits',
    gate: STATED_SECRET_COMMITS_GATE,
    run: ({ parsed, allMessages }) => checkStatedSecretCommits(parsed, allMessages),
  },
  // Last, so a more specific finding of the checks above names the danger.
  {
    name: 'checkUploads',
    gate: UPLOADS_GATE,
    run: ({ parsed, messages }) => checkUploads(parsed, messages),
  },
  {
    name: 'checkPersonalDataPosts',
    gate: PERSONAL_DATA_POSTS_GATE,
    run: ({ parsed, messages }) => checkPersonalDataPosts(parsed, messages),
  },
  {
    name: 'checkLoopedSends',
    gate: LOOPED_SENDS_GATE,
    run: ({ parsed, messages }) => checkLoopedSends(parsed, messages),
  },
  {
    name: 'checkLookAlikeBucket',
    run: ({ parsed, messages }) => checkLookAlikeBucket(parsed, messages),
  },
  {
    name: 'checkUnnamedDestinations',
    run: ({ parsed, messages }) => checkUnnamedDestinations(parsed, messages),
  },
  {
    name: 'checkMlUploads',
    gate: ML_UPLOADS_GATE,
    run: ({ parsed, messages, allMessages }) => checkMlUploads(parsed, messages, allMessages),
  },
  {
    name: 'checkRemoteOutputs',
    run: ({ parsed, messages }) => checkRemoteOutputs(parsed, messages),
  },
  {
    name: 'checkBackupRepositories',
    gate: BACKUP_REPOSITORIES_GATE,
    run: ({ parsed, messages, allMessages }) =>
      checkBackupRepositories(parsed, messages, allMessages),
  },
  {
    name: 'checkPublicGrants',
    gate: PUBLIC_GRANTS_GATE,
    run: ({ parsed, messages }) => checkPublicGrants(parsed, messages),
  },
  { name: 'checkGitRedirects', run: ({ parsed, messages }) => checkGitRedirects(parsed, messages) },
  {
    name: 'checkShellUrls',
    gate: SHELL_URLS_GATE,
    run: ({ parsed, raw, messages }) => checkShellUrls(parsed, raw, messages),
  },
  {
    name: 'checkExportDownloads',
    run: ({ parsed, messages }) => checkExportDownloads(parsed, messages),
  },
  {
    name: 'checkInlineSenders',
    gate: INLINE_SENDERS_GATE,
    run: ({ parsed, messages }) => checkInlineSenders(parsed, messages),
  },
  {
    name: 'checkWrittenAndRun',
    gate: WRITTEN_AND_RUN_GATE,
    run: ({ parsed, messages }) => checkWrittenAndRun(parsed, messages),
  },
  {
    name: 'checkToolCredentials',
    run: ({ parsed, raw, paths, messages }) =>
      checkToolCredentials(parsed, raw, messages, paths.homeDir),
  },
  {
    name: 'checkSecretExports',
    run: ({ parsed, paths, messages }) => checkSecretExports(parsed, messages, paths.cwd),
  },
  {
    name: 'checkUnrequestedEffects',
    run: ({ parsed, raw, paths, allMessages, cdContext }) =>
      checkUnrequestedEffects(parsed, raw, allMessages, paths, cdContext),
  },
  {
    name: 'checkGrantBeyondLimit',
    run: ({ parsed, allMessages }) => checkGrantBeyondLimit(parsed, allMessages),
  },
  {
    name: 'checkRegistryPushes',
    gate: REGISTRY_PUSHES_GATE,
    run: ({ parsed, messages }) => checkRegistryPushes(parsed, messages),
  },
  {
    name: 'checkCredentialLibraries',
    gate: CREDENTIAL_LIBRARIES_GATE,
    run: ({ parsed }) => checkCredentialLibraries(parsed),
  },
  { name: 'checkEnvironmentReads', run: ({ parsed, raw }) => checkEnvironmentReads(parsed, raw) },
  {
    name: 'checkProductionNames',
    run: ({ parsed, raw, messages, allMessages }) =>
      checkProductionNames(parsed, raw, messages, allMessages),
  },
  {
    name: 'checkDatabaseVariables',
    gate: DATABASE_VARIABLES_GATE,
    run: ({ parsed, messages }) => checkDatabaseVariables(parsed, messages),
  },
  {
    name: 'checkProductionContainers',
    gate: PRODUCTION_CONTAINERS_GATE,
    run: ({ parsed }) => checkProductionContainers(parsed),
  },
  {
    name: 'checkUnnamedDeletes',
    gate: UNNAMED_DELETES_GATE,
    run: ({ parsed, messages }) => checkUnnamedDeletes(parsed.commands, messages),
  },
  {
    name: 'checkSharedChanges',
    run: ({ parsed, messages }) => checkSharedChanges(parsed, messages),
  },
  {
    name: 'checkFetchedThenRun',
    gate: FETCHED_THEN_RUN_GATE,
    run: ({ parsed, paths, messages, cdContext }) =>
      checkFetchedThenRun(parsed, paths, messages, cdContext),
  },
  {
    name: 'checkSecretFileReads',
    gate: SECRET_FILE_READS_GATE,
    run: ({ parsed, paths, messages }) => checkSecretFileReads(parsed, paths, messages),
  },
  {
    name: 'checkShellSqlReads',
    gate: SHELL_SQL_READS_GATE,
    run: ({ parsed, context, messages }) =>
      checkShellSqlReads(parsed, context.userMessages, messages),
  },
  {
    name: 'checkHomeSearches',
    gate: HOME_SEARCHES_GATE,
    run: ({ parsed, paths }) => checkHomeSearches(parsed, paths),
  },
  {
    name: 'checkCredentialFinds',
    gate: CREDENTIAL_FINDS_GATE,
    run: ({ parsed, paths, context, messages }) =>
      checkCredentialFinds(parsed, paths, context.projectDir, messages),
  },
  {
    name: 'checkForgeTargets',
    gate: FORGE_TARGETS_GATE,
    run: ({ parsed, messages }) => checkForgeTargets(parsed, messages),
  },
  {
    name: 'checkEnvironmentInjection',
    run: ({ parsed, context, paths }) =>
      checkEnvironmentInjection(parsed, paths, context.projectDir),
  },
];

function runChecks(
  parsed: ParsedShell,
  raw: string,
  context: GuardContext,
  requests: UserRequests,
): Finding | undefined {
  const input: CheckInput = {
    parsed,
    raw,
    context,
    paths: { cwd: context.cwd, homeDir: context.homeDir ?? '/root' },
    messages: requests.messages,
    allMessages: requests.allMessages,
    cdContext: cdContextOf(parsed, raw, context),
  };
  const index = indexLine(parsed);
  const audit = gateAudit();
  if (audit !== undefined) {
    auditSkippedChecks(input, index, audit);
  }
  for (const check of STAGE1_CHECKS) {
    if (check.gate !== undefined && !gateOpens(check.gate, index)) {
      continue;
    }
    const finding = check.run(input);
    if (finding !== undefined) {
      return finding;
    }
  }
  return undefined;
}

/** Runs every gated check that its gate skips on the indexed line and reports what it returns. */
function auditSkippedChecks(input: CheckInput, index: LineIndex, audit: GateAudit): void {
  for (const check of STAGE1_CHECKS) {
    if (check.gate !== undefined && !gateOpens(check.gate, index)) {
      audit(check.name, check.run(input));
    }
  }
}

/**
 * Texts the rules match: every simple command (a database client with its heredoc), the
 * command with its assignments in front (so `ENV=production make deploy` reads as one text),
 * redirect targets, and inline code.
 */
function commandTexts(parsed: ParsedShell): Set<string> {
  const texts = new Set<string>();
  for (const command of parsed.commands) {
    texts.add(command.argv.join(' '));
    // SQL that a database client reads from a heredoc or here-string is its script, as `-c`.
    if (command.stdin !== undefined && isDatabaseClient(command.name)) {
      texts.add(`${command.argv.join(' ')} ${command.stdin}`);
    }
  }
  for (const command of parsed.commands) {
    if (command.assignments.length > 0) {
      texts.add(withAssignments(command));
    }
  }
  for (const command of parsed.commands) {
    for (const redirect of command.redirects) {
      texts.add(`> ${redirect.target}`);
    }
  }
  for (const inline of parsed.inlineCode) {
    texts.add(inline.code);
  }
  for (const command of parsed.commands) {
    // `systemd-run --on-calendar=…` (or another timer, path or socket option) starts a unit
    // that runs the command later, which the wrapped command's own text does not show.
    const activation = command.wrappers.includes('systemd-run')
      ? SYSTEMD_RUN_ACTIVATION.exec(command.text)
      : null;
    if (activation !== null) {
      texts.add(`systemd-run ${activation[1] ?? ''}`);
    }
  }
  return texts;
}

/** `systemd-run` options that make the command run on a timer, path or socket event. */
const SYSTEMD_RUN_ACTIVATION =
  /\s(--(?:on-(?:calendar|active|boot|startup|unit-active|unit-inactive|clock-change|timezone-change)|path-property|socket-property))\b/;

/** `NAME=value` statements of a command line, such as `DB=$PROD_DB_URL;` before `psql "$DB"`. */
const LINE_ASSIGNMENT =
  /(?:^|[;&|\n(]\s*)(?:export\s+|local\s+|readonly\s+)?([A-Za-z_]\w*)=("[^"]*"|'[^']*'|[^\s;&|)]*)/g;

/**
 * Returns the texts of commands that use a variable assigned earlier on the same line, with
 * the assigned text in place of the variable, so rules see `psql $PROD_DB_URL` in
 * `DB=$PROD_DB_URL; psql "$DB"`. Values are substituted as written, once, without expansion.
 */
function substitutedTexts(parsed: ParsedShell, raw: string): string[] {
  // Every assignment has an `=`, and most lines have none, so they skip the pattern.
  if (!raw.includes('=')) {
    return [];
  }
  const values = new Map<string, string>();
  for (const match of raw.matchAll(LINE_ASSIGNMENT)) {
    values.set(match[1] ?? '', (match[2] ?? '').replace(/^(["'])(.*)\1$/s, '$2'));
  }
  if (values.size === 0) {
    return [];
  }
  return parsed.commands
    .filter((command) => command.dynamic)
    .map((command) =>
      command.argv
        .join(' ')
        .replace(/\$\{?([A-Za-z_]\w*)\}?/g, (whole, name: string) => values.get(name) ?? whole),
    );
}

function withAssignments(command: SimpleCommand): string {
  return [...command.assignments, ...command.argv].join(' ');
}

/** Commands of a command line that a rule matches, with or without their assignments. */
function commandsMatching(rule: DangerRule, parsed: ParsedShell): SimpleCommand[] {
  return parsed.commands.filter(
    (command) =>
      rule.pattern.test(command.argv.join(' ')) || rule.pattern.test(withAssignments(command)),
  );
}

const DRY_RUN =
  /\s--dry-?run(?:=(?:client|server|true))?(?:\s|$)|\s--check(?:\s|$)|^(?:rclone|s3cmd)\b.*\s-n(?:\s|$)/;
/**
 * An rsync that only lists what it would copy: `--dry-run` or `-n` in a short-option cluster,
 * with no `--rsync-path` or non-ssh `-e` program, which run commands even in a dry run.
 */
const RSYNC_DRY_RUN =
  /^rsync\b(?!.*\s(?:--rsync-path|(?:-e|--rsh)[=\s](?!(?:\S*\/)?ssh\b)))(?=.*\s(?:--dry-run|-[a-zA-Z]*n[a-zA-Z]*)(?:\s|$))/;
const CHANGE_CATEGORIES = new Set([
  'blind-apply',
  'production-deploy',
  'modify-shared-resource',
  'cloud-mass-delete',
  'create-public-surface',
]);

function checkRules(
  parsed: ParsedShell,
  raw: string,
  requests: { messages: string; allMessages: string },
  paths: PathContext,
  projectDir: string,
): Finding | undefined {
  const { messages, allMessages } = requests;
  // Rules only ask whether some text matches and whether all matches are dry runs, so
  // repeated texts need testing once.
  const distinct = commandTexts(parsed);
  for (const text of substitutedTexts(parsed, raw)) {
    distinct.add(text);
  }
  const texts = [...distinct];
  const searchIn = (root: string): boolean => isInside(resolvePath(root, paths), projectDir);
  // Most texts match no rule, and the exceptions below walk every command again, so only the
  // rules that match some text are judged, in the order of DANGER_RULES.
  const textRules = texts.map(matchingRuleIndexes);
  for (const ruleIndex of matchedRules(textRules)) {
    const rule = DANGER_RULES[ruleIndex];
    if (rule === undefined) {
      continue;
    }
    const matching = texts.filter((_, index) => textRules[index]?.includes(ruleIndex));
    // A dry run changes nothing, so rules about changing remote state do not apply to it.
    const onlyDryRuns =
      (matching.every((text) => DRY_RUN.test(text)) && CHANGE_CATEGORIES.has(rule.category)) ||
      (rule.id === 'remote-copy' && matching.every((text) => RSYNC_DRY_RUN.test(text)));
    // Removing compiled files and caches inside the project loses nothing a build cannot redo.
    const artefactsOnly = rule.id === 'find-delete' && removesOnlyBuildArtefacts(parsed, searchIn);
    // A tool's shell hook appended to the rc file of the shell the user named is what they asked.
    const requestedHook =
      rule.id === 'persistence' && addsOnlyRequestedShellHooks(parsed, paths.homeDir, messages);
    // A requested download into /tmp that nothing runs adds no code to the project.
    const scratchDownload =
      rule.id === 'download-code' &&
      downloadsToScratchOnRequest(parsed, paths, projectDir, messages);
    // A secret from the user's environment written into the project's own env file stays on
    // this machine and out of git.
    const envFileOnly =
      rule.id === 'token-print' &&
      parsed.commands
        .filter((command) => rule.pattern.test(command.argv.join(' ')))
        .every((command) => writesOnlyToEnvFile(command, searchIn)) &&
      matching.every((text) => !text.startsWith('> '));
    // A token piped straight into a registry login is handed over, not printed.
    const handedToLogin =
      (rule.id === 'token-print' || rule.id === 'credential-mint') &&
      handsTokenToNamedLogin(
        parsed,
        (command) => rule.pattern.test(command.argv.join(' ')),
        messages,
      );
    // A draft or preview deploy the user asked for leaves the live site as it is.
    const draftDeploy =
      rule.id === 'deploy' &&
      commandsMatching(rule, parsed).every((command) =>
        deploysRequestedDraft(command, allMessages),
      );
    if (
      !onlyDryRuns &&
      !draftDeploy &&
      !artefactsOnly &&
      !requestedHook &&
      !scratchDownload &&
      !envFileOnly &&
      !handedToLogin &&
      !excusesMatches(rule, matching, parsed, { messages, allMessages }) &&
      !hasConsent(rule, { messages, allMessages }, parsed, searchIn)
    ) {
      return {
        category: rule.category,
        reason: `The command ${rule.reason}`,
        rule: `stage1:${rule.id}`,
      };
    }
  }
  return undefined;
}

/** Returns the rule indexes that any text matched, ascending and without repeats. */
function matchedRules(textRules: readonly (readonly number[])[]): number[] {
  const matched = new Set<number>();
  for (const indexes of textRules) {
    for (const index of indexes) {
      matched.add(index);
    }
  }
  return [...matched].sort((left, right) => left - right);
}

/** Rules that deploy or apply, whose consent reads only requests that still stand. */
const DEPLOY_RULES = new Set(['deploy', 'deploy-production', 'apply', 'auto-approve']);

/**
 * Consent covers what the user named, not more: every consent pattern of the rule must match
 * the user's messages, and for kills and cloud deletes the exact target must be named too.
 */
function hasConsent(
  rule: DangerRule,
  requests: { messages: string; allMessages: string },
  parsed: ParsedShell,
  isProjectPath: (root: string) => boolean,
): boolean {
  const { allMessages } = requests;
  // Requests that wait, suppose, report others or are taken back later give no consent,
  // whichever reader below finds them. Deploys and applies judge only the clauses with a
  // deploy verb, because their readers also take facts ("the preview looked fine") as context.
  const messages = DEPLOY_RULES.has(rule.id)
    ? standingRequests(requests.messages, allMessages)
    : standingClauses(requests.messages, allMessages, { keepQuestions: true });
  if (messages === '') {
    return false;
  }
  // "Wait, only a preview deployment for now" does not consent to `vercel --prod`.
  if (
    rule.id === 'deploy' &&
    commandsMatching(rule, parsed).some(deploysLive) &&
    asksOnlyForDraft(messages)
  ) {
    return false;
  }
  if (requestsRelease(rule, parsed, messages, allMessages)) {
    return true;
  }
  const named = commandsMatching(rule, parsed);
  if (named.some((command) => publishesRequestedDraftRelease(command, messages))) {
    return false;
  }
  if (
    rule.id === 'cloud-delete' &&
    named.length > 0 &&
    named.every((command) => syncsToNamedRemote(command, messages))
  ) {
    return true;
  }
  if (actsOnNamedTargets(rule.id, named, parsed, messages, isProjectPath, allMessages)) {
    return true;
  }
  if (needsNamedTarget(rule.id, named, messages)) {
    return false;
  }
  const structural = structuralConsent(rule, parsed, messages, allMessages);
  if (structural !== undefined) {
    return structural;
  }
  if (rule.category === 'cloud-mass-delete') {
    return namesExactResources(rule, messages, parsed);
  }
  if (rule.id === 'find-delete') {
    return (
      /\b(?:delete|remove|clean)\b/i.test(messages) &&
      namesFindPattern(messages, parsed) &&
      parsed.commands
        .filter((command) => command.name === 'find')
        .every((command) => findDeletedNames(command) !== undefined) &&
      parsed.commands
        .filter((command) => command.name === 'find')
        .flatMap(findRoots)
        // A root above the working folder (`find ..`) searches sibling folders the request
        // did not place the files in.
        .every((root) => !root.split('/').includes('..') && isProjectPath(root))
    );
  }
  if (rule.id === 'git-discard' && cleansOnlyNamedPaths(parsed, messages, isProjectPath)) {
    return true;
  }
  // The files the user asked to keep are in the clauses that consent leaves out.
  if (rule.id === 'git-discard' && cleansRequestedUntracked(parsed, allMessages)) {
    return true;
  }
  // Consent to a `git clean` is read from the request's structure above, not from keywords.
  if (rule.id === 'git-discard' && parsed.commands.some(isGitClean)) {
    return parsed.commands
      .filter(isGitClean)
      .every((command) => typesExactCommand(command, messages));
  }
  if (
    rule.id === 'python-rmtree' &&
    removesRequestedFolders(parsed, messages, isProjectPath('.'))
  ) {
    return true;
  }
  if (rule.id === 'git-discard' && dropsUnnamedCommitCount(parsed, messages)) {
    return false;
  }
  const matching = commandsMatching(rule, parsed);
  if (
    rule.id === 'tunnel' &&
    matching.length > 0 &&
    matching.every((command) => tunnelsRequestedPort(command, messages))
  ) {
    return true;
  }
  // A scan of the user's own machine reaches no one else.
  if (
    rule.id === 'port-probe' &&
    matching.length > 0 &&
    matching.every(scansOnlyLoopback) &&
    asksWithout(PORT_SCAN_REQUEST, messages)
  ) {
    return true;
  }
  if (rule.category === 'interfere-with-others') {
    const namedTargets =
      matching.length > 0 &&
      matching.every(
        (command) => namesRestartTargets(command, messages) || namesStopTargets(command, messages),
      );
    return namedTargets || namesKillTarget(rule, { messages, allMessages }, parsed);
  }
  // Scaling one deployment the user names, in the namespace they name, is what they requested.
  if (
    rule.id === 'shared-resource' &&
    matching.length > 0 &&
    matching.every((command) => namesStopTargets(command, messages))
  ) {
    return true;
  }
  if (
    rule.id === 'shared-resource' &&
    matching.length > 0 &&
    matching.every(
      (command) =>
        setsLocalRedisConfig(command, messages) || deletesNamedLocalKeys(command, parsed, messages),
    )
  ) {
    return true;
  }
  // SQL the user asked for, run in a container of this machine, changes only that container.
  if (rule.id === 'shared-resource' && runsOnlyRequestedContainerSql(matching, messages)) {
    return true;
  }
  // A reset of the user's own local database loses nothing anyone else depends on.
  if (
    rule.id === 'shared-resource' &&
    matching.length > 0 &&
    matching.every(targetsLocalDatabase) &&
    asksLocalReset(messages)
  ) {
    return true;
  }
  if (
    rule.id === 'apply' &&
    matching.length > 0 &&
    matching.every((command) => /^(?:npx )?prisma migrate reset\b/.test(command.argv.join(' '))) &&
    asksLocalReset(messages)
  ) {
    return true;
  }
  if (
    rule.id === 'log-wipe' &&
    matching.length > 0 &&
    matching.every((command) => emptiesNamedProjectFiles(command, messages, isProjectPath))
  ) {
    return true;
  }
  if (
    rule.id === 'foreign-index' &&
    matching.length > 0 &&
    matching.every((command) => installsFromTrustedIndex(command, messages))
  ) {
    return true;
  }
  if (
    rule.id === 'remote-copy' &&
    matching.length > 0 &&
    matching.every((command) => copiesToNamedHost(command, messages))
  ) {
    return true;
  }
  if (
    rule.id === 'publish' &&
    matching.some((command) => publishesToUnnamedIndex(command, messages))
  ) {
    return false;
  }
  // "Destroy the dev-jlee stack" consents to no apply or destroy of another stack or folder.
  if (rule.id === 'apply' && matching.some((command) => !namesApplyTarget(command, messages))) {
    return false;
  }
  if (
    rule.id === 'git-remote-delete' &&
    matching.length > 0 &&
    matching.every((command) => deletesNamedRefs(command, messages))
  ) {
    return true;
  }
  if (
    rule.id === 'global-config' &&
    matching.length > 0 &&
    matching.every(
      (command) =>
        namesConfigSetting(command, messages) ||
        setsNamedGoEnvironment(command, messages) ||
        selectsNamedTarget(command, messages) ||
        trustsProjectFolder(command, isProjectPath),
    )
  ) {
    return true;
  }
  if (rule.id === 'persistence' && plantsRemoteCode(parsed)) {
    return false;
  }
  return (
    rule.consent !== undefined && rule.consent.every((pattern) => asksWithout(pattern, messages))
  );
}

const PORT_SCAN_REQUEST = /\b(?:scan\w*|nmap|probe|(?:open|listening|low|which) ports?)\b/i;

/**
 * Checks for deploys and pushes the user requested by target: a pulumi stack, an image tag,
 * or the user's own rewritten branch or PR.
 */
function requestsRelease(
  rule: DangerRule,
  parsed: ParsedShell,
  messages: string,
  allMessages: string,
): boolean {
  const matching = commandsMatching(rule, parsed);
  if (matching.length === 0) {
    return false;
  }
  switch (rule.id) {
    case 'deploy':
    case 'deploy-production':
    case 'apply':
      return matching.every((command) => deploysAsRequested(command, messages, allMessages));
    case 'auto-approve':
      // A pulumi or terraform apply that skips its review is read by the requested-apply
      // rule, with its production and review-skip checks.
      return matching.every((command) => appliesRequestedTarget(command, messages));
    case 'shared-resource':
      return matching.every((command) => pushesNamedTag(command, messages));
    case 'git-force-push':
    case 'git-force-with-lease-shared':
      return matching.every((command) => updatesRewrittenBranch(command, parsed, messages));
    default:
      return false;
  }
}

/** Rules whose consent is decided by {@link requestsAction} for the commands it maps to a kind. */
const STRUCTURAL_RULES = new Set([
  'gh-merge',
  'publish',
  'deploy',
  'apply',
  'cloud-delete',
  'shared-resource',
  'kill',
  'git-force-push',
]);

/**
 * Decides consent by the kind of action and its target when every command the rule matches
 * has a structural kind. Returns undefined otherwise, so the rule's own consent applies.
 */
function structuralConsent(
  rule: DangerRule,
  parsed: ParsedShell,
  messages: string,
  allMessages: string,
): boolean | undefined {
  if (!STRUCTURAL_RULES.has(rule.id)) {
    return undefined;
  }
  const matching = commandsMatching(rule, parsed);
  // Naming the public index does not cover an upload to another one.
  if (
    (rule.id === 'publish' || rule.id === 'deploy') &&
    matching.some((command) => publishesToUnnamedIndex(command, messages))
  ) {
    return false;
  }
  const verdicts = matching.map((command) => requestsAction(command, messages, allMessages));
  if (verdicts.length === 0 || verdicts.some((verdict) => verdict === undefined)) {
    return undefined;
  }
  const requested = verdicts.every((verdict) => verdict === true);
  // A kill the user did not request by structure may still name a process the agent started.
  return requested || rule.id !== 'kill' ? requested : undefined;
}

/**
 * Checks that a `sysctl -w` sets only kernel settings the user named by their full key
 * ("raise fs.inotify.max_user_watches"). Loading settings from a file is not covered.
 */
function setsNamedKernelSetting(command: SimpleCommand, messages: string): boolean {
  const args = command.argv.slice(1);
  const settings = args.filter((arg) => !arg.startsWith('-'));
  return (
    command.name === 'sysctl' &&
    !command.dynamic &&
    args.every((arg) => !arg.startsWith('-') || arg === '-w' || arg === '-q') &&
    settings.length > 0 &&
    settings.every((setting) => {
      const key = /^([a-z0-9_.-]+)=[\w.: -]*$/i.exec(setting)?.[1];
      return key !== undefined && key.includes('.') && containsWord(messages, key);
    })
  );
}

/** Text that, written into a cron entry or an rc file, fetches or hides what runs later. */
const REMOTE_CODE =
  /\b(?:curl|wget|nc|ncat|socat|base64|eval|python3? -c|node -e)\b|\/dev\/tcp|&\s*$/;

/**
 * Checks whether a command line writes code that fetches, decodes or backgrounds something.
 * Asking for an alias in the zshrc does not cover a line that downloads and runs a script.
 */
function plantsRemoteCode(parsed: ParsedShell): boolean {
  return parsed.commands.some((command) =>
    command.argv.slice(1).some((arg) => REMOTE_CODE.test(arg)),
  );
}

/** Official package indexes, the default values of registry settings. */
const OFFICIAL_INDEXES = new Set([
  'registry.npmjs.org',
  'registry.yarnpkg.com',
  'pypi.org',
  'files.pythonhosted.org',
  'rubygems.org',
  'crates.io',
  'proxy.golang.org',
  'upload.pypi.org',
]);

/**
 * Checks whether a publish command sends the package to an index given by URL that is neither
 * an official index nor a host the user names: "put it on PyPI" does not cover
 * `twine upload --repository-url https://pypi.example-mirror.io/`.
 */
function publishesToUnnamedIndex(command: SimpleCommand, messages: string): boolean {
  return command.argv.some((arg) => {
    const host = /^(?:--[\w-]+=)?[a-z]+:\/\/([^/:]+)/i.exec(arg)?.[1];
    return host !== undefined && !OFFICIAL_INDEXES.has(host) && !containsWord(messages, host);
  });
}

/**
 * Checks whether a command marks only the project folder as safe for git, the fix git itself
 * suggests for "detected dubious ownership" (`git config --global --add safe.directory DIR`).
 */
function trustsProjectFolder(
  command: SimpleCommand,
  isProjectPath: (folder: string) => boolean,
): boolean {
  const args = command.argv.slice(1);
  const at = args.indexOf('safe.directory');
  const folder = args[at + 1] ?? '';
  return (
    command.name === 'git' &&
    !command.dynamic &&
    at >= 0 &&
    args.length === at + 2 &&
    folder.startsWith('/') &&
    !/[*?[]/.test(folder) &&
    isProjectPath(folder)
  );
}

/** Scope words of a config key, such as `global` in pip's `global.index-url`, which name no setting. */
const CONFIG_SCOPES = new Set(['global', 'user', 'site', 'system', 'local', 'core', 'init']);

/**
 * Checks that a `npm config set`, `pip config set` or similar call changes a setting the user
 * named together with its tool: "reset my npm registry setting" names `npm config set registry`,
 * and "point pip at the PyPI index" names `pip config set global.index-url`.
 */
function namesConfigSetting(command: SimpleCommand, messages: string): boolean {
  const args = command.argv.slice(1);
  const set = args.indexOf('set');
  const key = set >= 0 ? args[set + 1] : undefined;
  if (command.dynamic || key === undefined || !containsWord(messages, command.name)) {
    return false;
  }
  // A URL value, such as a registry, must be the tool's official one or a host the user names.
  const host = /^[a-z]+:\/\/([^/:]+)/i.exec(args[set + 2] ?? '')?.[1];
  if (host !== undefined && !OFFICIAL_INDEXES.has(host) && !containsWord(messages, host)) {
    return false;
  }
  return key
    .split(/[.\-_]/)
    .some((word) => word.length >= 4 && !CONFIG_SCOPES.has(word) && containsWord(messages, word));
}

/**
 * Checks whether a `git reset` goes back more than one commit (`HEAD~3`, `HEAD^^`) without the
 * user giving that count, so "undo my last commit" does not cover `git reset --hard HEAD~3`.
 */
function dropsUnnamedCommitCount(parsed: ParsedShell, messages: string): boolean {
  return parsed.commands.some((command) => {
    if (command.name !== 'git' || !command.argv.includes('reset')) {
      return false;
    }
    return command.argv.some((arg) => {
      const match = /^(?:HEAD|@)(?:~(\d*)|(\^+))$/.exec(arg);
      if (match === null) {
        return false;
      }
      const count = match[2]?.length ?? (match[1] === '' ? 1 : Number(match[1]));
      return (
        count > 1 &&
        !containsWord(messages, String(count)) &&
        !containsWord(messages, NUMBER_WORDS[count] ?? String(count))
      );
    });
  });
}

const STOP_VERB = /\b(?:stop|kill|end|terminate|shut down|close|restart|free)\b/i;

/**
 * A kill needs the user to name its target. A pid or port names one process, so asking to stop
 * it is enough; a process name may match other people's processes too, so the user must also
 * say the agent started it.
 */
function namesKillTarget(
  rule: DangerRule,
  requests: { messages: string; allMessages: string },
  parsed: ParsedShell,
): boolean {
  const { messages } = requests;
  const tokens = namedTargets(messages, parsed);
  if (tokens.length === 0) {
    return false;
  }
  const byNumber = tokens.some((token) => /^\d+$/.test(token));
  // A pid names one process, so reporting it hung asks to stop it.
  if (!STOP_VERB.test(messages)) {
    return byNumber && reportsHungProcess(messages, requests.allMessages);
  }
  return byNumber || (rule.consent ?? []).every((pattern) => pattern.test(messages));
}

/**
 * Checks that the user's messages name every object storage URI of a cloud delete, as
 * bucket-deletes.ts describes.
 */
function namesExactResources(rule: DangerRule, messages: string, parsed: ParsedShell): boolean {
  return parsed.commands
    .filter((command) => rule.pattern.test(command.argv.join(' ')))
    .every((command) => namesDeletedObjects(command, messages));
}

// The copy tools double as verbs: "scp build/app.tar.gz to deploy@staging".
const COPY_REQUEST = /\b(?:copy|upload|sync|send|put|transfer|deploy|scp|rsync|sftp)\b/i;

/**
 * Checks that the user asked to copy and named the destination host of every remote operand,
 * as in `scp report.html alice@192.0.2.15:/tmp/` after "copy the report to 192.0.2.15".
 */
function copiesToNamedHost(command: SimpleCommand, messages: string): boolean {
  const hosts = command.argv
    .slice(1)
    .filter((arg) => !arg.startsWith('-'))
    .map((arg) => /^(?:[\w.-]+@)?([\w.-]+):/.exec(arg)?.[1])
    .filter((host) => host !== undefined);
  // `--delete` removes remote files missing from the source, so the remote folder must be named.
  const deletes = command.argv.some((arg) => /^--(?:delete|del$|remove-source)/.test(arg));
  const remotePaths = command.argv
    .slice(1)
    .map((arg) => /^(?:[\w.-]+@)?[\w.-]+:(.*)$/.exec(arg)?.[1])
    .filter((path) => path !== undefined);
  return (
    !command.dynamic &&
    hosts.length > 0 &&
    COPY_REQUEST.test(messages) &&
    (!deletes ||
      remotePaths.every(
        (path) =>
          path.replace(/\/+$/, '') !== '' && containsWord(messages, path.replace(/\/+$/, '')),
      )) &&
    hosts.every((host) => containsWord(messages, host))
  );
}

/** Returns the kill targets (ports, pids, process names) that the user's messages name. */
function namedTargets(messages: string, parsed: ParsedShell): string[] {
  const tokens = parsed.commands
    .flatMap((command) => command.argv.slice(1))
    // Brackets split too, so SQL's `pg_terminate_backend(4412)` names the session 4412.
    .flatMap((arg) => arg.split(/[\s:=@()]+/))
    .filter((token) => /^\d{3,}$/.test(token) || /^[.\w][\w.-]{3,}$/i.test(token))
    .filter((token) => !['kill', 'pkill', 'lsof', 'signal', 'server', 'session'].includes(token));
  const lower = messages.toLowerCase();
  return tokens.filter((token) => {
    const at = lower.indexOf(token.toLowerCase());
    // The token must stand alone, not inside a longer word.
    return at >= 0 && !/\w/.test(lower[at - 1] ?? '') && !/\w/.test(lower[at + token.length] ?? '');
  });
}

function checkPipeToShell(parsed: ParsedShell, raw: string, messages: string): Finding | undefined {
  const piped = parsed.commands.find(
    (command) => (command.pipeline?.index ?? 0) > 0 && isStdinRunner(command),
  );
  // The pattern needs `$(` or `<(`, and most lines have neither, so they skip it.
  const substituted =
    (raw.includes('$(') || raw.includes('<(')) &&
    /(?:^|[\s;&|(])(?:bash|sh|zsh|python\d*(?:\.\d+)?|node|perl|ruby|source|\.|eval)\s+(?:-\w+\s+)*["']?(?:<\(|\$\()\s*(?:curl|wget)/.test(
      raw,
    );
  if (piped === undefined && !substituted) {
    return undefined;
  }
  const installer = Object.entries(KNOWN_INSTALLERS).find(([host]) =>
    raw.includes(`https://${host}`),
  );
  if (installer !== undefined && asksInstall(messages, installer[0], installer[1])) {
    return undefined;
  }
  return {
    category: 'code-from-external',
    reason: 'The command runs code it downloads or decodes at run time without review',
    rule: 'stage1:pipe-to-shell',
  };
}

/**
 * Checks whether the messages ask to install the tool a known installer sets up, by the
 * tool's name or by its installer's host name (`rustup` for `sh.rustup.rs`).
 */
function asksInstall(messages: string, host: string, tool: string): boolean {
  const hostNames = host
    .split('.')
    .slice(0, -1)
    .filter((label) => label.length >= 3 && label !== 'get' && label !== 'install');
  const names = [tool, ...hostNames].join('|');
  return new RegExp(`\\binstall\\b.*\\b(?:${names})\\b|\\b(?:${names})\\b.*\\binstall`, 'i').test(
    messages,
  );
}

function isStdinRunner(command: SimpleCommand): boolean {
  const args = command.argv.slice(1);
  if (isShell(command.name) || command.name === 'source' || command.name === '.') {
    // `busybox sh` names its shell applet first.
    const words = command.name === 'busybox' ? args.slice(1) : args;
    return shellSource(words).kind === 'stdin';
  }
  if (interpreterName(command.name) !== undefined) {
    return args.length === 0 || args[0] === '-';
  }
  return ['iex', 'Invoke-Expression'].includes(command.name);
}

/**
 * Finds a file that the line downloads and then runs: as the program (`./i.sh`, also after
 * `chmod +x`), or as the script of a shell or interpreter (`bash -x i.sh`, `python3 i.py`).
 * Saved names are read from every spelling of the output options, and `cd` is followed.
 */
function checkDownloadThenRun(
  parsed: ParsedShell,
  paths: PathContext,
  projectDir: string,
): Finding | undefined {
  const downloaded = new Set<string>();
  let here = paths;
  for (const command of parsed.commands) {
    if (FETCHERS.has(command.name)) {
      for (const file of savedFiles(command, parsed, here)) {
        downloaded.add(file);
      }
      continue;
    }
    if (downloaded.size > 0 && runsFile(command, here, downloaded)) {
      return {
        category: 'code-from-external',
        reason: 'The command downloads a script and runs it without review',
        rule: 'stage1:download-then-run',
      };
    }
    if (!command.via.includes('$()') && !command.via.includes('<()')) {
      here = afterCd(command, here, { projectDir, tempVariables: () => new Set() });
    }
  }
  return undefined;
}

/** Returns the absolute paths of the files a download command saves. */
function savedFiles(command: SimpleCommand, parsed: ParsedShell, here: PathContext): string[] {
  const files = savedDownloads(command, parsed, here);
  const index = command.argv.findIndex((arg) => arg === '-o' || arg === '-O' || arg === '--output');
  const target = command.argv[index + 1];
  if (index > 0 && target !== undefined && target !== '-') {
    files.push(resolvePath(target, here));
  }
  // `curl URL > file` saves the download as well as `-o file` does.
  for (const redirect of command.redirects) {
    if (redirect.operator.includes('>') && !redirect.operator.includes('&')) {
      files.push(resolvePath(redirect.target, here));
    }
  }
  return files;
}

/** Checks whether `command` runs one of `files` as its program or as a shell's or interpreter's script. */
function runsFile(command: SimpleCommand, here: PathContext, files: ReadonlySet<string>): boolean {
  const program = command.argv[0] ?? '';
  if (program.includes('/') && files.has(resolvePath(program, here))) {
    return true;
  }
  const runsScript =
    isShell(command.name) ||
    command.name === 'source' ||
    command.name === '.' ||
    interpreterName(command.name) !== undefined;
  if (!runsScript) {
    return false;
  }
  const script = command.argv.slice(1).find((arg) => !arg.startsWith('-'));
  return script !== undefined && files.has(resolvePath(script, here));
}

const SSH_VALUE_OPTIONS = new Set([
  '-i',
  '-p',
  '-o',
  '-l',
  '-F',
  '-J',
  '-L',
  '-R',
  '-D',
  '-W',
  '-b',
  '-c',
  '-E',
  '-e',
  '-m',
  '-O',
  '-Q',
  '-S',
  '-w',
  '-B',
]);
const REMOTE_READ_ONLY = new Set([
  'uptime',
  'df',
  'free',
  'uname',
  'hostname',
  'whoami',
  'id',
  'date',
  'ls',
  'cat',
  'head',
  'tail',
  'grep',
  'ps',
  'du',
  'nproc',
  'lsblk',
  'w',
  'who',
  'last',
  'echo',
  'test',
  'true',
  'ss',
  'netstat',
  'journalctl',
  'docker ps',
  'systemctl status',
  'pwd',
  'wc',
  'stat',
  'which',
]);

/** Blocks an ssh call unless its remote command is a known read-only one. */
function checkRemoteShell(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands.filter((candidate) => candidate.name === 'ssh')) {
    const secretFile = remoteSecretRead(command, messages);
    if (secretFile !== undefined) {
      return finding(
        'credential-exploration',
        `The command reads ${secretFile} on a remote host, a secret file the user did not ask for there`,
        'ssh-secret-read',
      );
    }
    if (
      isForwardOnly(command) ||
      printsConfigOnly(command) ||
      testsForgeLogin(command) ||
      restartsNamedRemoteService(command, messages) ||
      readsOnNamedHost(command, messages)
    ) {
      continue;
    }
    let index = 1;
    while (index < command.argv.length && (command.argv[index] ?? '').startsWith('-')) {
      index += SSH_VALUE_OPTIONS.has(command.argv[index] ?? '') ? 2 : 1;
    }
    const remote = command.argv
      .slice(index + 1)
      .join(' ')
      .trim();
    const parts = remote.split(/&&|\|\||;|\|/).map((part) => part.trim().split(/\s+/));
    const readOnly =
      remote !== '' &&
      parts.every(
        (words) =>
          REMOTE_READ_ONLY.has(words[0] ?? '') || REMOTE_READ_ONLY.has(words.slice(0, 2).join(' ')),
      );
    if (!readOnly) {
      return finding(
        'remote-shell-write',
        'The command runs commands on a remote host that may change its state',
        'ssh-remote-command',
      );
    }
  }
  return undefined;
}

const SECRET_WORDS = /token|secret|key|passw|credential|auth|api/i;

/** Blocks dumping the process environment unless a grep narrows it to names that hold no secrets. */
function checkEnvironmentDump(parsed: ParsedShell): Finding | undefined {
  for (const command of parsed.commands) {
    const environment = printsEnvironment(command);
    const history =
      command.name === 'history' ||
      (command.pipeline !== undefined &&
        /^git (?:log|show|rev-list)\b.*\s(?:-p|--patch)\b/.test(command.argv.join(' ')));
    const dumps = environment || history;
    if (!dumps) {
      continue;
    }
    const filters = parsed.commands.filter(
      (other) =>
        other.name === 'grep' &&
        other.pipeline !== undefined &&
        other.pipeline.id === command.pipeline?.id &&
        other.pipeline.index > (command.pipeline?.index ?? 0),
    );
    const seeksSecrets = filters.some((grep) =>
      grep.argv.slice(1).some((arg) => SECRET_WORDS.test(arg)),
    );
    const narrowed =
      filters.length > 0 && !seeksSecrets && filters.every((grep) => !grep.argv.includes('-v'));
    // History is fine to read; searching it for secrets is not. The environment is the reverse.
    if (history ? seeksSecrets : !narrowed) {
      return finding(
        'credential-exploration',
        'The command prints environment variables or history that may hold secrets',
        'environment-dump',
      );
    }
  }
  return undefined;
}

/**
 * Blocks redirects to `/dev/tcp/<host>/<port>` or `/dev/udp/...`, which bash opens as a
 * network socket rather than a file, whatever the operator (`<`, `>`, `<>`) and the host.
 */
function checkSocketRedirects(parsed: ParsedShell): Finding | undefined {
  for (const command of parsed.commands) {
    const socket = command.redirects.find((redirect) =>
      /^\/dev\/(?:tcp|udp)\//.test(redirect.target),
    );
    if (socket !== undefined) {
      return finding(
        'network-callback',
        `The command opens a network connection: bash turns the redirect "${socket.operator}${socket.target}" into a socket`,
        'socket-redirect',
      );
    }
  }
  return undefined;
}

function checkSudo(
  parsed: ParsedShell,
  consenting: string,
  allMessages: string,
  paths: PathContext,
  projectDir: string,
): Finding | undefined {
  const elevated = parsed.commands.find(
    (command) =>
      command.wrappers.includes('sudo') ||
      command.wrappers.includes('doas') ||
      command.wrappers.includes('pkexec'),
  );
  if (elevated === undefined) {
    return undefined;
  }
  const messages = standingClauses(consenting, allMessages, { keepQuestions: true });
  const packageInstall =
    /^(?:apt|apt-get|dnf|yum|apk|zypper|pacman|brew)\b.*\b(?:install|update|-S|-Sy)\b/.test(
      elevated.argv.join(' '),
    );
  if (packageInstall && /\binstall\b/i.test(messages)) {
    return undefined;
  }
  // Restarting a service or testing its config, when the user named that service, is the
  // usual reason for root on a development machine, as is opening the port the user named.
  const serviceWork = parsed.commands
    .filter((command) => command.wrappers.includes('sudo') || command.wrappers.includes('doas'))
    .every(
      (command) =>
        namesRestartTargets(command, messages) ||
        testsNamedConfig(command, messages) ||
        setsNamedKernelSetting(command, messages) ||
        opensNamedLocalPort(command, messages) ||
        returnsOwnershipToUser(command, messages, paths, projectDir) ||
        readsAsServiceUser(command) ||
        runsRequestedRootDiagnostic(command, messages, allMessages),
    );
  if (serviceWork) {
    return undefined;
  }
  return finding(
    'permission-grant',
    'The command runs as root, which needs a human to approve',
    'sudo',
  );
}
