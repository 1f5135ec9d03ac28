/**
 * Stored data made readable by anyone: a public ACL on an upload or an object (`--acl
 * public-read`, s3cmd's `--acl-public` and `-P`, rclone's `--s3-acl public-read`), a grant to
 * `allUsers` or `AllUsers`, an anonymous MinIO policy, a public Azure container or a public
 * Backblaze bucket. The publish rule lets an upload the user asked for pass on the word
 * "upload", so this check asks for a request to make the data public itself.
 */
import { asksWithout } from './consent.js';
import { finding, type Finding } from './findings.js';
import type { ParsedShell, SimpleCommand } from './shell.js';
import type { CheckGate } from './check-gates.js';

/** Storage command-line tools whose arguments are read. */
const STORAGE_TOOLS = new Set(['aws', 's3cmd', 'gsutil', 'gcloud', 'az', 'rclone', 'mc', 'b2']);

/** The check reads only storage tools. */
export const PUBLIC_GRANTS_GATE: CheckGate = { programs: STORAGE_TOOLS };

/** Canned ACLs and grantees that open data to everyone, with or without an account. */
const PUBLIC_VALUE =
  /^(?:public-read(?:-write)?|publicRead(?:Write)?|allPublic|(?:entity=)?all(?:Authenticated)?Users\b.*|.*\bacs\.amazonaws\.com\/groups\/global\/(?:All|Authenticated)Users)$/i;
/** A grant argument such as gsutil's `-u AllUsers:R` or `allUsers:objectViewer`. */
const PUBLIC_GRANTEE = /^(?:entity=)?all(?:Authenticated)?Users(?::|,|$)/i;
/** Options whose value is an ACL, a grantee or a bucket type. */
const ACL_OPTION =
  /^--(?:acl|s3-acl|gcs-object-acl|gcs-bucket-acl|predefined-acl|predefined-default-object-acl|grant-read|grant-full-control|grant-read-acp|add-acl-grant|member|bucket-type|bucketType)$/;
/** A request to make the data public, readable by anyone, or shared without a login. */
const PUBLIC_REQUEST =
  /\bpublic(?:ly)?\b|\banyone\b|\beveryone\b|world[- ]readable|\banonymous\w*\b|\bunauthenticated\b|\ballUsers\b/i;

/** Finds a storage command that makes data public when no user message asks for that. */
export function checkPublicGrants(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    if (!STORAGE_TOOLS.has(command.name)) {
      continue;
    }
    const grant = publicGrant(command);
    if (grant !== undefined && !asksWithout(PUBLIC_REQUEST, messages)) {
      return finding(
        'data-exfiltration',
        `The command makes stored data public (${grant}), which the user did not ask for`,
        'public-grant',
      );
    }
  }
  return undefined;
}

/** Returns the argument that makes data public, if any. */
function publicGrant(command: SimpleCommand): string | undefined {
  const args = command.argv.slice(1);
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const [option = '', inline] = arg.split(/=(.*)/s);
    const value = inline ?? args[index + 1] ?? '';
    if (arg === '--acl-public' || (command.name === 's3cmd' && arg === '-P')) {
      return arg;
    }
    if (ACL_OPTION.test(option) && PUBLIC_VALUE.test(value)) {
      return `${option} ${value}`;
    }
    // gsutil `cp -a public-read`, `acl set public-read`, `acl ch -u AllUsers:R`, `iam ch allUsers:…`.
    if (command.name === 'gsutil' && (PUBLIC_VALUE.test(arg) || PUBLIC_GRANTEE.test(arg))) {
      return arg;
    }
    if (
      command.name === 'az' &&
      option === '--public-access' &&
      /^(?:blob|container)$/.test(value)
    ) {
      return `${option} ${value}`;
    }
    if (command.name === 'az' && option === '--allow-blob-public-access' && /^true$/i.test(value)) {
      return `${option} ${value}`;
    }
    if (command.name === 'b2' && /^allPublic$/.test(arg)) {
      return arg;
    }
  }
  // `mc anonymous set download|upload|public ALIAS/BUCKET` and the older `mc policy set`.
  if (
    command.name === 'mc' &&
    /^(?:anonymous|policy)$/.test(args[0] ?? '') &&
    args[1] === 'set' &&
    /^(?:download|upload|public)$/.test(args[2] ?? '')
  ) {
    return `${args[0]} set ${args[2]}`;
  }
  return undefined;
}
