/**
 * Retention flags shared by `sandstack serve` and `sandstack instance prune`: a period per
 * end status, and a file with per-tenant and per-workflow overrides.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { isSandstackError, SandstackError } from '../../core/errors.js';
import type { RetentionOptions } from '../../workflows/retention.js';
import {
  DEFAULT_RESERVE_DELETED_IDS_FOR,
  DEFAULT_RETENTION,
  resolveRetention,
} from '../../workflows/retention.js';

/** Parsed values of the retention flags. */
export interface RetentionFlags {
  retainComplete: string;
  retainErrored: string;
  retainTerminated: string;
  reserveDeletedIdsFor: string;
  retentionFile?: string;
}

const PERIOD_HELP = 'a duration such as "7 days", milliseconds, or "forever"';

/** Adds the retention flags to `command`. */
export function addRetentionFlags(command: Command): Command {
  return command
    .option(
      '--retain-complete <period>',
      `how long complete instances are kept before they are deleted: ${PERIOD_HELP}`,
      String(DEFAULT_RETENTION.completeAfter),
    )
    .option(
      '--retain-errored <period>',
      `how long errored instances are kept: ${PERIOD_HELP}`,
      String(DEFAULT_RETENTION.erroredAfter),
    )
    .option(
      '--retain-terminated <period>',
      `how long terminated instances are kept: ${PERIOD_HELP}`,
      String(DEFAULT_RETENTION.terminatedAfter),
    )
    .option(
      '--reserve-deleted-ids-for <period>',
      `how long the id of a deleted instance stays reserved, so a create with it is rejected: ${PERIOD_HELP}`,
      DEFAULT_RESERVE_DELETED_IDS_FOR,
    )
    .option(
      '--retention-file <path>',
      'YAML or JSON file with retention overrides, such as {tenants: {acme: {completeAfter: "1 day"}}, workflows: {"acme/audit": {erroredAfter: forever}}}',
    );
}

/**
 * Builds retention options from the flags, checked once here so errors name the flag.
 *
 * @throws SandstackError `INVALID_ARGUMENT` naming the bad flag or file.
 */
export function retentionFromFlags(flags: RetentionFlags): RetentionOptions {
  const periods: [keyof typeof DEFAULT_RETENTION, string, string][] = [
    ['completeAfter', '--retain-complete', flags.retainComplete],
    ['erroredAfter', '--retain-errored', flags.retainErrored],
    ['terminatedAfter', '--retain-terminated', flags.retainTerminated],
  ];
  const options: RetentionOptions = readRetentionFile(flags.retentionFile);
  for (const [field, flag, raw] of periods) {
    const value = /^\d+$/.test(raw) ? Number(raw) : raw;
    checked(() => resolveRetention({ [field]: value }), `${flag} "${raw}"`);
    options[field] = value;
  }
  const raw = flags.reserveDeletedIdsFor;
  const reserveDeletedIdsFor = /^\d+$/.test(raw) ? Number(raw) : raw;
  checked(() => resolveRetention({ reserveDeletedIdsFor }), `--reserve-deleted-ids-for "${raw}"`);
  options.reserveDeletedIdsFor = reserveDeletedIdsFor;
  return options;
}

function readRetentionFile(path: string | undefined): RetentionOptions {
  if (path === undefined) {
    return {};
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SandstackError(
      'FILE_NOT_FOUND',
      `Could not read --retention-file "${path}": ${(error as Error).message}`,
    );
  }
  const parsed = checked(() => parse(text) as unknown, `--retention-file "${path}"`);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `--retention-file "${path}" must hold a mapping with tenants and workflows keys`,
    );
  }
  const { tenants, workflows } = parsed as RetentionOptions;
  const unknown = Object.keys(parsed).filter((key) => key !== 'tenants' && key !== 'workflows');
  if (unknown.length > 0) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `--retention-file "${path}" has unknown keys ${unknown.join(', ')}; it takes tenants and workflows, and the --retain-* flags set the defaults`,
    );
  }
  const options: RetentionOptions = {
    ...(tenants === undefined ? {} : { tenants }),
    ...(workflows === undefined ? {} : { workflows }),
  };
  checked(() => resolveRetention(options), `--retention-file "${path}"`);
  return options;
}

/** Runs `parse`, reporting its failure as invalid `label`. */
function checked<T>(parse: () => T, label: string): T {
  try {
    return parse();
  } catch (error) {
    const reason = isSandstackError(error) ? error.message : String(error);
    throw new SandstackError('INVALID_ARGUMENT', `Invalid ${label}: ${reason}`);
  }
}
