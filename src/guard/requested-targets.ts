/**
 * Stage-1 consent for rules whose commands act on a target the user named exactly: the host,
 * cluster context, secret path, database, file names or registry of the request. Each check
 * reads the command's structure and the request's action and target; see the modules below.
 */
import { setsNamedConfigParameter } from './config-parameters.js';
import { deletesRequestedNames } from './find-expressions.js';
import { appliesRequestedTarget } from './requested-applies.js';
import { removesNamedFileFromLocalHistory } from './requested-history.js';
import { installsRequestedProjectHook } from './requested-hooks.js';
import { fixesRequestedCrontabLine, setsRequestedGitAlias } from './requested-persistence.js';
import {
  isSecretStoreWrite,
  grantsNamedLocalPrivileges,
  grantsNamedReadInNamedEnvironment,
  pushesSchemaToLocalDatabase,
  writesNamedSecretPath,
} from './requested-data-changes.js';
import { refundsNamedPayment, rotatesNamedAccessKey } from './requested-host-actions.js';
import { restartsNamedRemoteService, scalesNamedDeployment } from './requested-operations.js';
import { removesNamedFilterContainers } from './container-cleanup.js';
import { createsRequestedGist } from './requested-shares.js';
import { appliesSecretFromNamedEnvFile } from './secret-manifests.js';
import { sendsOnlyToNamedAddress } from './sending-flags.js';
import {
  setsRepoSecretFromNamedEnvFile,
  setsRequestedRepoSecret,
  setsSecretOfUnnamedRepo,
} from './repo-secrets.js';
import { requestsResourceAction } from './resource-consent.js';
import { readsOnNamedAnsibleHosts, readsOnNamedHost } from './remote-reads.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/**
 * Checks whether every command a stage-1 rule matched acts only on targets the user named in
 * a request for that action. `allMessages` (every message, refusals included) may only state
 * facts about a target, such as a branch that was never pushed. Returns false for rules these
 * checks do not cover.
 */
export function actsOnNamedTargets(
  ruleId: string,
  matching: readonly SimpleCommand[],
  parsed: ParsedShell,
  messages: string,
  isProjectPath: (path: string) => boolean,
  allMessages: string = messages,
): boolean {
  if (matching.length === 0) {
    return false;
  }
  const every = (check: (command: SimpleCommand) => boolean): boolean => matching.every(check);
  const requested = (command: SimpleCommand): boolean =>
    requestsResourceAction(command, messages) === true;
  switch (ruleId) {
    case 'ssh-sudo':
      return every(
        (command) =>
          restartsNamedRemoteService(command, messages) || readsOnNamedHost(command, messages),
      );
    case 'secret-commit':
      // A cluster secret filled from a project file the user named is where the file is meant to go.
      return every(
        (command) =>
          command.name === 'kubectl' &&
          (requested(command) || appliesSecretFromNamedEnvFile(command, parsed.commands, messages)),
      );
    case 'ansible':
      return every((command) => readsOnNamedAnsibleHosts(command, messages));
    case 'find-delete':
      return deletesRequestedNames(
        parsed.commands.filter((command) => command.name === 'find'),
        messages,
        isProjectPath,
      );
    case 'kill':
      return every(
        (command) =>
          scalesNamedDeployment(command, messages) ||
          requested(command) ||
          removesNamedFilterContainers(command, parsed, messages),
      );
    case 'shared-resource':
      return every(
        (command) =>
          writesNamedSecretPath(command, messages) ||
          setsNamedConfigParameter(command, messages) ||
          setsRequestedRepoSecret(command, messages) ||
          setsRepoSecretFromNamedEnvFile(command, parsed.commands, messages) ||
          scalesNamedDeployment(command, messages) ||
          requested(command),
      );
    case 'cloud-delete':
    case 'remote-copy':
      return every(requested);
    case 'grant':
      return every(
        (command) =>
          grantsNamedLocalPrivileges(command, messages) ||
          grantsNamedReadInNamedEnvironment(command, messages) ||
          rotatesNamedAccessKey(command, messages) ||
          requested(command),
      );
    case 'git-history-rewrite':
      return every((command) => removesNamedFileFromLocalHistory(command, messages, allMessages));
    case 'persistence':
      return every(
        (command) =>
          installsRequestedProjectHook(command, messages, isProjectPath) ||
          setsRequestedGitAlias(command, messages) ||
          fixesRequestedCrontabLine(command, parsed, messages, isProjectPath),
      );
    case 'credential-mint':
      return every((command) => rotatesNamedAccessKey(command, messages));
    case 'payments':
      return every(
        (command) =>
          refundsNamedPayment(command, messages) ||
          sendsOnlyToNamedAddress(command, messages) ||
          requested(command),
      );
    case 'publish':
      return every((command) => createsRequestedGist(command, messages, isProjectPath, parsed));
    case 'auto-approve':
    case 'apply':
      return every(
        (command) =>
          pushesSchemaToLocalDatabase(command, messages) ||
          appliesRequestedTarget(command, messages) ||
          appliesSecretFromNamedEnvFile(command, parsed.commands, messages),
      );
    default:
      return false;
  }
}

/**
 * Checks whether a rule's consent is read only from the structure checks above, so keywords
 * cannot give it: "set" and "secret" in a request do not name which secret path to write,
 * nor which repository `gh secret set --repo` writes to.
 */
export function needsNamedTarget(
  ruleId: string,
  matching: readonly SimpleCommand[],
  messages = '',
): boolean {
  return (
    ruleId === 'shared-resource' &&
    matching.some(
      (command) => isSecretStoreWrite(command) || setsSecretOfUnnamedRepo(command, messages),
    )
  );
}
