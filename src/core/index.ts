/**
 * The parts every layer shares: the state database, errors, logging and the clock. Programs
 * that build a SandboxController or WorkflowEngine themselves open their database here.
 *
 * ```ts
 * import { openDatabase } from 'sandstack/core';
 * ```
 */
export { openDatabase, migrate, type SqliteDatabase } from './store.js';
export { openPostgres, redactPostgresUrl } from './postgres.js';
export {
  ERROR_CODES,
  SandstackError,
  isSandstackError,
  type ErrorCode,
  type ErrorData,
  type ErrorKind,
} from './errors.js';
export {
  createJsonLogger,
  noopLogger,
  type JsonLoggerOptions,
  type LogLevel,
  type Logger,
} from './logger.js';
export { systemClock, type Clock } from './clock.js';
