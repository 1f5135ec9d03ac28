/** Log severity, lowest first. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** Metadata attached to a log line: ids and numbers, never secrets or full tool inputs. */
export type LogMeta = Record<string, unknown>;

/** The one logging interface that library code receives. */
export interface Logger {
  trace(message: string, meta?: LogMeta): void;
  debug(message: string, meta?: LogMeta): void;
  info(message: string, meta?: LogMeta): void;
  warn(message: string, meta?: LogMeta): void;
  error(message: string, meta?: LogMeta): void;
  /** Returns a logger that adds `bindings` to every line. */
  child(bindings: LogMeta): Logger;
}

const LEVEL_ORDER: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
};

/** A logger that drops everything; the default for library code. */
export const noopLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => noopLogger,
};

/** Options for {@link createJsonLogger}. */
export interface JsonLoggerOptions {
  /** Lowest level written. @default 'info' */
  level?: LogLevel;
  /** Fields added to every line. @default {} */
  bindings?: LogMeta;
}

/**
 * Creates a logger that writes one JSON object per line to `write`.
 *
 * @example
 * const logger = createJsonLogger((line) => process.stderr.write(line), { level: 'debug' });
 */
export function createJsonLogger(
  write: (line: string) => void,
  options: JsonLoggerOptions = {},
): Logger {
  const minimum = LEVEL_ORDER[options.level ?? 'info'];
  const bindings = options.bindings ?? {};

  const log = (level: LogLevel, message: string, meta?: LogMeta): void => {
    if (LEVEL_ORDER[level] < minimum) {
      return;
    }
    const line = { time: new Date().toISOString(), level, message, ...bindings, ...meta };
    write(`${JSON.stringify(line)}\n`);
  };

  return {
    trace: (message, meta) => log('trace', message, meta),
    debug: (message, meta) => log('debug', message, meta),
    info: (message, meta) => log('info', message, meta),
    warn: (message, meta) => log('warn', message, meta),
    error: (message, meta) => log('error', message, meta),
    child: (extra) => createJsonLogger(write, { ...options, bindings: { ...bindings, ...extra } }),
  };
}
