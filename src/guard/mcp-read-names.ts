/**
 * Names of MCP tools that read. Servers spell their tools in snake case (`list_issues`), kebab
 * case (`get-file`) or Pascal case (`SearchIndexTool`), so a name is also read in snake case.
 */

/** Verbs of a Pascal case tool name that write, whatever read verb the name also has. */
const WRITE_WORD =
  /^(?:create|update|delete|remove|set|put|post|send|add|write|apply|run|exec|execute|start|stop|kill|restart|scale|patch|edit|clear|purge|upload|push|publish|rotate|flush|reset|truncate|drop|reindex|bulk|move|copy|close|open|merge|import)$/i;

/**
 * Tool names that read: a read verb ("get", "list"), `resolve` of a name or address
 * (`resolve-library-id`, `dns_resolve`) but not of an item (`resolve_incident`), or a noun that
 * reads after the resource it belongs to (`pods_log`, `node_metrics`) with no write verb.
 */
export const MCP_READ =
  /(?:^|_|-)(?:get|list|search|read|view|fetch|query|find|describe|show|snapshot|navigate|screenshot|docs|lookup|status|count|summari[sz]e|retrieve|inspect)(?:$|_|-)|(?:^|_|-)resolve[-_](?:library|id|host\w*|name|address|dns|symbol|path|url|ref\w*|module|package|import|alias|version)(?:$|_|-)|(?:dns|name|host)[-_]resolve(?:$|_|-)|^(?!.*(?:^|_|-)(?:create|update|delete|remove|set|put|post|send|add|write|apply|run|exec|start|stop|kill|restart|scale|patch|edit|clear|purge|upload|push|publish|log|rotate|flush|reset|truncate)[-_]).+[-_](?:logs?|top|events|metrics|history|stats|usage|health|info|version|diff)$/i;

/**
 * Checks whether an MCP tool's name reads, as {@link MCP_READ} describes, in the name's own
 * spelling or after a Pascal or camel case name is put in snake case (`search_index_tool`).
 */
export function namesRead(tool: string): boolean {
  if (MCP_READ.test(tool)) {
    return true;
  }
  if (!/[a-z][A-Z]/.test(tool)) {
    return false;
  }
  const snake = tool.replace(/([a-z0-9])([A-Z])/g, '$1_$2');
  return MCP_READ.test(snake) && !snake.split('_').some((word) => WRITE_WORD.test(word));
}
