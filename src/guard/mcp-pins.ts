/**
 * Tool pins: the fingerprint of each MCP tool definition as first seen, kept in SQLite so
 * that a definition that changes later, even across restarts of the proxy, is caught.
 */
import { migrate, type SqliteDatabase } from '../core/store.js';

const MIGRATIONS = [
  `CREATE TABLE guard_mcp_pins (
     server TEXT NOT NULL,
     tool TEXT NOT NULL,
     fingerprint TEXT NOT NULL,
     first_seen TEXT NOT NULL,
     PRIMARY KEY (server, tool)
   )`,
];

/** A pinned tool definition. */
export interface ToolPin {
  server: string;
  tool: string;
  /** SHA-256 of the definition, from `fingerprintTool`. */
  fingerprint: string;
  /** ISO 8601 time the definition was first seen. */
  firstSeen: string;
}

/** Result of comparing a definition with its pin. */
export type PinCheck =
  | { status: 'new'; pin: ToolPin }
  | { status: 'same'; pin: ToolPin }
  | { status: 'changed'; pin: ToolPin };

/** Pins of tool definitions per MCP server. */
export interface ToolPins {
  /** Pins the definition when the tool is new, otherwise compares it with the pin. */
  check(server: string, tool: string, fingerprint: string): PinCheck;
  list(server?: string): ToolPin[];
  /** Removes pins so that the next definition seen is trusted; returns how many were removed. */
  forget(server: string, tool?: string): number;
}

interface PinRow {
  server: string;
  tool: string;
  fingerprint: string;
  first_seen: string;
}

/**
 * Creates the pin store in `db` (for example the guard's state file).
 *
 * @example
 * const pins = createToolPins(openGuardState('.sandstack/guard.db'));
 * pins.check('fs', 'read_file', fingerprintTool(tool)).status; // 'new', then 'same'
 */
export function createToolPins(db: SqliteDatabase): ToolPins {
  migrate(db, 'guard-mcp', MIGRATIONS);
  const select = db.prepare('SELECT * FROM guard_mcp_pins WHERE server = ? AND tool = ?');
  // INSERT OR IGNORE keeps the first pin when two proxies see a new tool at the same time.
  const insert = db.prepare(
    'INSERT OR IGNORE INTO guard_mcp_pins (server, tool, fingerprint, first_seen) VALUES (?, ?, ?, ?)',
  );

  return {
    check(server, tool, fingerprint) {
      const inserted = insert.run(server, tool, fingerprint, new Date().toISOString()).changes;
      const pin = toPin(select.get(server, tool) as PinRow);
      if (inserted === 1) {
        return { status: 'new', pin };
      }
      return { status: pin.fingerprint === fingerprint ? 'same' : 'changed', pin };
    },
    list(server) {
      const rows =
        server === undefined
          ? db.prepare('SELECT * FROM guard_mcp_pins ORDER BY server, tool').all()
          : db.prepare('SELECT * FROM guard_mcp_pins WHERE server = ? ORDER BY tool').all(server);
      return (rows as PinRow[]).map(toPin);
    },
    forget(server, tool) {
      const result =
        tool === undefined
          ? db.prepare('DELETE FROM guard_mcp_pins WHERE server = ?').run(server)
          : db
              .prepare('DELETE FROM guard_mcp_pins WHERE server = ? AND tool = ?')
              .run(server, tool);
      return result.changes;
    },
  };
}

function toPin(row: PinRow): ToolPin {
  return {
    server: row.server,
    tool: row.tool,
    fingerprint: row.fingerprint,
    firstSeen: row.first_seen,
  };
}
