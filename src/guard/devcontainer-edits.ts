/**
 * Checks of edits to dev container and Compose files that give a container the host: privileged
 * mode, the host's network or the host's process namespace. A container with them can reach
 * every port and device of the host, and a server it starts on the host network is open to the
 * LAN. Dev containers and Compose services start on their own when the folder is opened or the
 * stack comes up, so such an edit takes effect without another command.
 */
import type { Finding } from './findings.js';

/** Dev container and Compose files. */
const CONTAINER_FILE =
  /(?:^|\/)(?:\.devcontainer\/(?:[\w.-]+\/)?devcontainer\.json|\.devcontainer\.json|(?:docker-)?compose(?:\.[\w-]+)?\.ya?ml)$/;
/** Settings that hand a container the host, each as its JSON, YAML or CLI form. */
const HOST_ACCESS =
  /--privileged\b|"privileged"\s*:\s*true|\bprivileged:\s*true\b|--net(?:work)?[= ]host\b|\bnetwork_mode:\s*["']?host\b|--pid[= ]host\b|\bpid:\s*["']?host\b|--cap-add[= ](?:SYS_ADMIN|ALL)\b/;
/** Requests that name such a setting. */
const HOST_ACCESS_REQUEST =
  /\b(?:privileged|host network\w*|network[= ]host|net=host|host networking|docker-in-docker|dind|pid[= ]host|sys_admin)\b/i;

/**
 * Returns a finding when an edit of a dev container or Compose file adds host access that
 * `messages` do not name.
 */
export function checkDevcontainerEdit(
  target: string,
  removed: string,
  added: string,
  messages: string,
): Finding | undefined {
  if (!CONTAINER_FILE.test(target)) {
    return undefined;
  }
  const setting = HOST_ACCESS.exec(added)?.[0];
  if (setting === undefined || removed.includes(setting) || HOST_ACCESS_REQUEST.test(messages)) {
    return undefined;
  }
  return {
    category: 'security-weaken',
    reason: `The change to "${target}" gives the container the host (${setting}), which the request does not ask for`,
    rule: 'tier:container-host-access',
  };
}
