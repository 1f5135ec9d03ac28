/**
 * The consenting clauses of the user's messages that still stand, for consent readers beyond
 * deploys and applies: root commands, remote CLI changes. A clause that waits for a condition
 * ("give it back once the build container stops"), supposes, reports someone else's words
 * or is taken back later gives no consent to them either. Questions are kept, because a
 * question consents to reading what it asks about.
 *
 * NOTE: `standingClauses` of standing-requests.ts, which the MCP tier uses, has the same name
 * and reads a later sentence differently (it takes a clause back only for the same action, and
 * knows the pause rule). The grant and requested-shell readers use neither; attack-17.jsonl
 * holds withdrawals they miss. One reader for every kind is still to be made.
 */
import { requestStands } from './standing-requests.js';

let lastStanding: { messages: string; allMessages: string; standing: string } | undefined;

/**
 * Returns the clauses of `messages` (consenting text, one clause a line) that stand by
 * `requestStands`, read against `allMessages`. Unlike `standingRequests`, which judges only
 * clauses with a deploy verb, every clause is judged, so a statement with "when" or "if" is
 * dropped too. The result for the last input is kept, because several checks of one call
 * read the same messages.
 */
export function standingClauses(messages: string, allMessages: string): string {
  if (lastStanding?.messages === messages && lastStanding.allMessages === allMessages) {
    return lastStanding.standing;
  }
  const standing = messages
    .split('\n')
    .filter((clause) => clause.endsWith('?') || requestStands(clause, allMessages))
    .join('\n');
  lastStanding = { messages, allMessages, standing };
  return standing;
}
