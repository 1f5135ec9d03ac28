/**
 * Service settings that switch authentication off: trust or empty-password modes of database
 * images, anonymous access, no-auth flags, an open Jupyter token and a plain Docker API port.
 * A change that adds one, or drops `requirepass`/`--auth`, lets anyone who reaches the port
 * in. The user may ask for it, unless the same change also binds the service to every
 * network interface. CI service containers live only as long as the job, so CI files pass.
 */
import path from 'node:path';
import { asksWithout } from './consent.js';
import { finding, type Finding } from './findings.js';
import { optionValue } from './options.js';
import { shellWrites } from './shell-writes.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Settings that turn authentication off, by the name of the setting and its value. */
const NO_AUTH_SETTINGS: readonly RegExp[] = [
  /POSTGRES_HOST_AUTH_METHOD\W+trust\b/i,
  /--auth(?:-host|-local)?=trust\b/,
  /^\s*(?:host\w*\s+\S+\s+\S+\s+\S+|local\s+\S+\s+\S+)\s+trust\s*$/m,
  /(?:MYSQL|MARIADB)_ALLOW_EMPTY(?:_ROOT)?_PASSWORD\W+(?:yes|true|1)\b/i,
  /\bALLOW_(?:EMPTY_PASSWORD|ANONYMOUS_LOGIN|NONE_AUTHENTICATION)\W+(?:yes|true)\b/i,
  /(?<![-\w])--noauth\b/,
  /\[auth\.anonymous\][^[]*?\benabled\s*=\s*true/i,
  /GF_AUTH_ANONYMOUS_ENABLED\W+true\b/i,
  /\banonymous_enable\s*=\s*YES\b/i,
  /--allow-anonymous\b|--anonymous-auth=true\b|--authorization-mode=AlwaysAllow\b/,
  /(?:NotebookApp|ServerApp|IdentityProvider)\.(?:token|password)(?:\s*=\s*(?:''|""|\\"\\")|=(?=["',\]\s]|$))/m,
  /\bDISABLE_SECURITY_PLUGIN\W+true\b|plugins\.security\.disabled\W+true\b/i,
  /\b(?:authenticator|authorizer):\s*(?:\S*\.)?AllowAll(?:Authenticator|Authorizer)\b/,
  /\bloopback_users(?:\.guest)?\s*=\s*(?:none|false)\b/,
  /\ballow\.everyone\.if\.no\.acl\.found\W+true\b/i,
  /\bNEO4J_AUTH\W+none\b/i,
  /ME_CONFIG_BASICAUTH\W+false\b/i,
  /\bapi\.insecure\W+true\b/,
  /(?:management\.security|security\.basic)\.enabled\W+false\b/,
  // The Docker API on its plain port has no authentication at all.
  /tcp:\/\/(?:0\.0\.0\.0|\[?::\]?)?:2375\b/,
];

/** Options and lines that turn authentication on, so a change that drops one removes it. */
const AUTH_ON = /(?<![-\w])--requirepass\b|(?<![-\w])--auth(?![-\w=])|^\s*requirepass\b/m;

/** A port published or a service bound on every interface: `0.0.0.0`, `::` or no host. */
const EVERY_INTERFACE =
  /\b0\.0\.0\.0\b|\[::\]|--bind_ip_all\b|^\s*-\s*["']?\d+:\d+(?:\/\w+)?["']?\s*$|(?:^|\s)ports:\s*\[\s*["']?\d+:\d+/m;

/** Files of CI systems, whose service containers exist only for the job. */
const CI_FILE =
  /^\.github\/workflows\/|^\.gitlab-ci\.ya?ml$|^\.circleci\/|^azure-pipelines\.ya?ml$|^bitbucket-pipelines\.ya?ml$|^\.drone\.ya?ml$|^\.woodpecker\//;
/** Prose, which may quote a setting to warn against it. */
const DOCUMENT = /\.(?:md|mdx|markdown|rst|txt|adoc)$/i;

/** Requests to drop authentication, such as "use trust auth" or "no password locally". */
const AUTH_OFF_REQUEST =
  /\b(?:trust auth\w*|(?:auth\w* )?method trust|no password|without (?:a )?password|passwordless|empty (?:root )?password|(?:disable|turn off|remove|drop|skip) (?:the )?(?:auth\w*|password|login)|no auth\w*|anonymous (?:access|login)|allow anonymous)\b/i;

/** Returns the first setting in `text` that turns authentication off, as written. */
export function noAuthSetting(text: string): string | undefined {
  for (const pattern of NO_AUTH_SETTINGS) {
    const match = pattern.exec(text);
    if (match !== null) {
      return match[0].trim();
    }
  }
  return undefined;
}

/**
 * Judges a change of the project file `relative` that removes `removed` and adds `added`.
 * Returns a finding when the change adds a no-auth setting or drops one that turned
 * authentication on, and the user did not ask for that, or it also binds to every interface.
 */
export function checkAuthChange(
  relative: string,
  removed: string,
  added: string,
  messages: string,
): Finding | undefined {
  if (CI_FILE.test(relative) || DOCUMENT.test(relative)) {
    return undefined;
  }
  const setting = newSetting(removed, added) ?? droppedAuth(removed, added);
  if (setting === undefined) {
    return undefined;
  }
  const widened = newSetting(removed, added, EVERY_INTERFACE);
  if (widened === undefined && asksWithout(AUTH_OFF_REQUEST, messages)) {
    return undefined;
  }
  return {
    category: 'tls-auth-weaken',
    reason:
      widened === undefined
        ? `The change to "${relative}" switches authentication off (${setting}), which the user did not ask for`
        : `The change to "${relative}" switches authentication off (${setting}) and listens on every interface (${widened})`,
    rule: 'auth-switched-off',
  };
}

/** Returns a match of `patterns` in `added` that `removed` does not contain. */
function newSetting(removed: string, added: string, pattern?: RegExp): string | undefined {
  const found = pattern === undefined ? noAuthSetting(added) : pattern.exec(added)?.[0].trim();
  return found !== undefined && !removed.includes(found) ? found : undefined;
}

/** Returns an option that turned authentication on and that `added` no longer has. */
function droppedAuth(removed: string, added: string): string | undefined {
  const option = AUTH_ON.exec(removed)?.[0].trim();
  return option !== undefined && !added.includes(option) ? option : undefined;
}

/**
 * Finds a shell command that switches authentication off: a `docker run` or `podman run`
 * of a service with a no-auth setting that publishes its port on every interface, or a write
 * or in-place edit of a file (`sed -i 's/md5/trust/' pg_hba.conf`) that adds such a setting.
 */
export function checkAuthCommands(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    const published = publishedOnEveryInterface(command);
    const setting = published === undefined ? undefined : noAuthSetting(command.argv.join('\n'));
    if (setting !== undefined) {
      return finding(
        'tls-auth-weaken',
        `The container runs with authentication off (${setting}) and publishes port ${published} on every interface`,
        'auth-switched-off',
      );
    }
  }
  for (const write of shellWrites(parsed)) {
    const text = write.inPlace ? replacements(write.text) : write.text;
    const pgHbaTrust =
      write.inPlace &&
      path.posix.basename(write.target) === 'pg_hba.conf' &&
      /\btrust\b/.test(text);
    const setting = pgHbaTrust ? 'trust' : noAuthSetting(text);
    if (setting !== undefined && !CI_FILE.test(write.target) && !DOCUMENT.test(write.target)) {
      if (asksWithout(AUTH_OFF_REQUEST, messages)) {
        continue;
      }
      return finding(
        'tls-auth-weaken',
        `The command writes a setting that switches authentication off (${setting}) into "${write.target}"`,
        'auth-switched-off',
      );
    }
  }
  return undefined;
}

/** Returns the port a container run publishes on every interface, if any. */
function publishedOnEveryInterface(command: SimpleCommand): string | undefined {
  if (!/^(?:docker|podman|nerdctl)$/.test(command.name) || !command.argv.includes('run', 1)) {
    return undefined;
  }
  const args = command.argv.slice(1);
  if (args.some((arg) => arg === '-P' || arg === '--publish-all')) {
    return 'every exposed port';
  }
  if (/^host$/.test(optionValue(args, ['--network', '--net']) ?? '')) {
    return 'every port (host network)';
  }
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const value =
      arg === '-p' || arg === '--publish'
        ? args[index + 1]
        : /^(?:-p|--publish=)(.+)$/.exec(arg)?.[1];
    // `HOST:CONTAINER` or `CONTAINER` listens everywhere; `IP:HOST:CONTAINER` only on IP.
    if (
      value !== undefined &&
      (/^\d[\d-]*(?::\d[\d-]*)?(?:\/\w+)?$/.test(value) || value.startsWith('0.0.0.0:'))
    ) {
      return value;
    }
  }
  return undefined;
}

/** Returns the replacement parts of the `s` commands in a sed or perl script, joined. */
export function replacements(script: string): string {
  const parts: string[] = [];
  for (const match of script.matchAll(/(?:^|[;\s])s(.)(?:(?!\1).|\\.)*\1((?:(?!\1).|\\.)*)\1/g)) {
    parts.push(match[2] ?? '');
  }
  return parts.length === 0 ? script : parts.join('\n');
}
