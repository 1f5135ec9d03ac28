/**
 * Reports of a hung process. "My terraform plan is hanging, pid 48211" asks to stop the
 * process that the pid names, unless some message keeps it running ("don't kill it").
 */

/** Words that report a process as hung or runaway. */
const HUNG_PROCESS =
  /\b(?:hang(?:s|ing)?|hung|stuck|frozen|froze|freez(?:es|ing)|unresponsive|not responding|runaway)\b/i;

/** Words that keep a process running: "don't kill it", "leave it running", "let it finish". */
const KEEPS_RUNNING =
  /\b(?:don'?t|do not|never|not)\s+(?:\w+\s+){0,2}?(?:stop|kill|end|terminate|touch|restart|interrupt)\w*\b|\bleave\s+(?:it|them|that|this|\S+)\s+(?:running|alone)\b|\blet\s+(?:it|them)\s+(?:run|finish)\b/i;

/**
 * Checks whether the consenting clauses `messages` report a hung process and no message of
 * `allMessages` keeps it running. Callers must check that the user named the process by pid.
 */
export function reportsHungProcess(messages: string, allMessages: string): boolean {
  return HUNG_PROCESS.test(messages) && !KEEPS_RUNNING.test(allMessages);
}
