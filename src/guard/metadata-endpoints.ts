/**
 * Requests to cloud instance metadata services, which hand out the machine's cloud
 * credentials to any process that asks: AWS IMDS (169.254.169.254, fd00:ec2::254), ECS task
 * credentials (169.254.170.2), EKS Pod Identity (169.254.170.23, fd00:ec2::23), GCP
 * (`metadata.google.internal`), Azure IMDS and most other clouds (169.254.169.254), and
 * Alibaba Cloud (100.100.100.200). The address may be spelled in any form the URL parser
 * accepts (decimal `2852039166`, hex, octal, IPv4-mapped IPv6), or hidden in a wildcard DNS
 * name such as `169.254.169.254.nip.io` or a `curl --resolve` mapping.
 *
 * The guard only reads the call: nothing here resolves a name or opens a connection.
 */
import { BlockList, isIP } from 'node:net';
import { isMetadataAddress } from '../core/addresses.js';
import { asksWithout } from './consent.js';
import { finding, type Finding } from './findings.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** Metadata addresses beyond those the sandbox egress rules list. */
const MORE_METADATA = new BlockList();
MORE_METADATA.addAddress('100.100.100.200');
MORE_METADATA.addAddress('169.254.170.23');
MORE_METADATA.addAddress('fd00:ec2::23', 'ipv6');

/** Host names of metadata services. `metadata` alone is GCP's short name inside a VM. */
const METADATA_NAMES = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
]);

/** DNS services that resolve any name to the address written in it (`1.2.3.4.nip.io`). */
const WILDCARD_DNS = /\.(?:nip\.io|sslip\.io|xip\.io|nip\.direct)$/;

/**
 * Text that every spelling of a metadata host contains, checked before any URL parsing:
 * the dotted prefixes, the names, IPv6 forms, hex, octal and long decimal numbers.
 */
const METADATA_HINT =
  /_URI\b|ENDPOINT|169\.254|100\.100\.100\.200|metadata|instance-data|fd00:ec2|::ffff:|0x[0-9a-f]|\d{8,}|(?:^|[^\w.])0\d+\.|\.(?:nip|sslip|xip)\.io|nip\.direct/i;

/** URLs with a scheme inside a word or code. */
const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s'"`<>()\\$]+/gi;

/**
 * Environment variables that hold the URL of a credential endpoint: the ECS and EKS
 * container credential URIs, the ECS task metadata URI, Azure's managed-identity endpoints
 * and the AWS SDK's IMDS endpoint setting.
 */
const ENDPOINT_VARIABLE =
  /\b(?:AWS_CONTAINER_CREDENTIALS_(?:FULL|RELATIVE)_URI|ECS_CONTAINER_METADATA_URI(?:_V4)?|IDENTITY_ENDPOINT|MSI_ENDPOINT|IMDS_ENDPOINT|AWS_EC2_METADATA_SERVICE_ENDPOINT)\b/;

/** Programs that open network connections to a host given as an argument. */
const NETWORK_CLIENTS = new Set([
  'curl',
  'wget',
  'http',
  'https',
  'xh',
  'xhs',
  'httpie',
  'aria2c',
  'fetch',
  'lynx',
  'w3m',
  'links',
  'elinks',
  'nc',
  'ncat',
  'netcat',
  'socat',
  'telnet',
  'openssl',
  'grpcurl',
  'websocat',
  'ab',
  'hey',
  'wrk',
  'siege',
  'iwr',
  'Invoke-WebRequest',
  'Invoke-RestMethod',
]);

/** Programs that only search or print text, so a metadata URL among their arguments is data. */
const TEXT_PROGRAMS = new Set(['grep', 'egrep', 'fgrep', 'rg', 'ag', 'ack', 'git', 'sed', 'awk']);

/** URL paths that return credentials, tokens, keys or start-up data that often contains secrets. */
const CREDENTIAL_PATH =
  /credential|token|identity|service-accounts|user-data|\/iam\b|\/keys?\b|attested|\/v\d\/(?:credentials|auth)|secret/i;

/** Requests that name the metadata service itself. */
const METADATA_REQUEST =
  /\b(?:instance metadata|metadata (?:service|server|endpoint|api)|imds(?:v[12])?)\b/i;

/** Returns the address or name of a metadata service that `host` stands for, if any. */
function metadataHost(host: string): string | undefined {
  const bare = host
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (METADATA_NAMES.has(bare)) {
    return bare;
  }
  const family = isIP(bare);
  if (family !== 0) {
    const type = family === 6 ? 'ipv6' : 'ipv4';
    return isMetadataAddress(bare) || MORE_METADATA.check(bare, type) ? bare : undefined;
  }
  if (WILDCARD_DNS.test(bare)) {
    return embeddedMetadataAddress(bare.replace(WILDCARD_DNS, ''));
  }
  return undefined;
}

/**
 * Returns the metadata address written in the labels of a wildcard DNS name: dotted
 * (`169.254.169.254`), dashed (`169-254-169-254`) or eight hex digits (`a9fea9fe`).
 */
function embeddedMetadataAddress(labels: string): string | undefined {
  const parts = labels.split('.');
  const candidates = [
    parts.slice(-4).join('.'),
    ...parts.map((label) => label.replace(/^.*?(\d+-\d+-\d+-\d+)$/, '$1').replace(/-/g, '.')),
    ...parts
      .filter((label) => /^[0-9a-f]{8}$/.test(label))
      .map((label) => (label.match(/../g) ?? []).map((pair) => parseInt(pair, 16)).join('.')),
  ];
  return candidates
    .map(normalizedHost)
    .find((host) => host !== undefined && isIP(host) !== 0 && metadataHost(host) !== undefined);
}

/** Returns the host a URL parser makes of `text`, with any scheme, port and path, if valid. */
function normalizedHost(text: string): string | undefined {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/** A metadata request found in a call: the host as written and the path asked for. */
interface MetadataTarget {
  host: string;
  path: string;
}

/** Returns the metadata target that a URL with a scheme names, if any. */
function urlTarget(text: string): MetadataTarget | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  // `metadata` alone is an ordinary word unless a URL names it.
  const host = metadataHost(url.hostname);
  return host === undefined ? undefined : { host, path: url.pathname };
}

/** Returns the metadata target in words that may be bare hosts, `host/path` or `name:port:addr`. */
function bareTarget(word: string): MetadataTarget | undefined {
  const pieces = word.split(/[=,@\s]+/).filter((piece) => piece !== '');
  for (const piece of pieces) {
    const forms = [piece];
    if (/^[0-9a-f:.]+$/i.test(piece) && piece.includes('::')) {
      forms.push(`[${piece}]`);
    }
    if (!piece.includes('[') && (piece.match(/:/g) ?? []).length >= 2) {
      // `curl --resolve name:80:ADDRESS` and `--connect-to ::ADDRESS:80` map a name to it.
      forms.push(...piece.split(':'));
    }
    for (const form of forms) {
      const slash = form.indexOf('/');
      const hostPart = slash >= 0 ? form.slice(0, slash) : form;
      const host = hostPart === 'metadata' ? undefined : normalizedHost(hostPart);
      const found = host === undefined ? undefined : metadataHost(host);
      if (found !== undefined) {
        return { host: found, path: slash >= 0 ? form.slice(slash) : '/' };
      }
    }
  }
  return undefined;
}

/** Returns a target for a credential endpoint given by its environment variable. */
function variableTarget(text: string): MetadataTarget | undefined {
  const name = ENDPOINT_VARIABLE.exec(text)?.[0];
  return name === undefined ? undefined : { host: `$${name}`, path: '/credentials' };
}

/** Returns the metadata target that any URL in `text` names, if `text` may hold one. */
export function metadataUrl(text: string): MetadataTarget | undefined {
  if (!METADATA_HINT.test(text)) {
    return undefined;
  }
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const target = urlTarget(match[0]);
    if (target !== undefined) {
      return target;
    }
  }
  return undefined;
}

/** Returns the metadata target a shell command reaches through its arguments or redirects. */
function commandTarget(command: SimpleCommand): MetadataTarget | undefined {
  if (TEXT_PROGRAMS.has(command.name)) {
    return undefined;
  }
  const client = NETWORK_CLIENTS.has(command.name);
  for (const arg of command.argv.slice(1)) {
    if (!METADATA_HINT.test(arg)) {
      continue;
    }
    const target =
      metadataUrl(arg) ?? (client ? (bareTarget(arg) ?? variableTarget(arg)) : undefined);
    if (target !== undefined) {
      return target;
    }
  }
  for (const redirect of command.redirects) {
    const socket = /^\/dev\/(?:tcp|udp)\/([^/]+)\//.exec(redirect.target)?.[1];
    const host = socket === undefined ? undefined : metadataHost(normalizedHost(socket) ?? socket);
    if (host !== undefined) {
      return { host, path: '/' };
    }
  }
  return undefined;
}

/** Returns the metadata target that inline code names in a URL or a quoted host. */
function codeTarget(code: string): MetadataTarget | undefined {
  if (!METADATA_HINT.test(code)) {
    return undefined;
  }
  const url = metadataUrl(code) ?? variableTarget(code);
  if (url !== undefined) {
    return url;
  }
  for (const quoted of code.matchAll(/["']([^"'\s]{1,100})["']/g)) {
    const target = bareTarget(quoted[1] ?? '');
    if (target !== undefined) {
      return target;
    }
  }
  return undefined;
}

/**
 * Checks whether the user asked about the metadata service itself and the request reads
 * something other than credentials, such as the instance type or region.
 */
function requestedMetadata(target: MetadataTarget, messages: string): boolean {
  return (
    target.host !== '169.254.170.2' &&
    target.host !== '169.254.170.23' &&
    !CREDENTIAL_PATH.test(target.path) &&
    asksWithout(METADATA_REQUEST, messages)
  );
}

function metadataFinding(target: MetadataTarget, tool: string): Finding {
  return finding(
    'credential-exploration',
    `The ${tool} reaches the cloud instance metadata service (${target.host}), which hands out the machine's cloud credentials`,
    'cloud-metadata',
  );
}

/**
 * Finds a shell command or inline code that reaches a cloud metadata service, unless the
 * user asked about the metadata service and the path read returns no credentials.
 */
export function checkMetadataRequests(parsed: ParsedShell, messages: string): Finding | undefined {
  for (const command of parsed.commands) {
    const target = commandTarget(command);
    if (target !== undefined && !requestedMetadata(target, messages)) {
      return metadataFinding(target, `command ${command.name}`);
    }
  }
  for (const inline of parsed.inlineCode) {
    const target = codeTarget(inline.code);
    if (target !== undefined && !requestedMetadata(target, messages)) {
      return metadataFinding(target, `${inline.interpreter} code`);
    }
  }
  return undefined;
}

/**
 * Finds a URL to a cloud metadata service in the input of a non-shell tool (WebFetch, an MCP
 * fetch), with the same consent as {@link checkMetadataRequests}.
 */
export function checkMetadataInput(
  text: string,
  tool: string,
  messages: string,
): Finding | undefined {
  const target = metadataUrl(text);
  if (target === undefined || requestedMetadata(target, messages)) {
    return undefined;
  }
  return { ...metadataFinding(target, `${tool} call`), rule: 'tier:cloud-metadata' };
}
