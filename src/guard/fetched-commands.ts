/**
 * Code written into a project that fetches commands from a server and runs them: a poll loop
 * that passes a response field to `child_process.exec`, `exec.Command("sh", "-c", body)` in
 * Go, or `eval "$(curl …)"` in a shell script. Such code hands the machine to whoever runs
 * that server. The co-occurrence of a fetch and a run of a computed value in one file is the
 * test, because tracing the response into the call would need a parser per language.
 *
 * These forms add to the ones `RUNS_VARIABLE` in tiers.ts already covers. A shell script that
 * pipes a download into `sh` (an installer in a Dockerfile) is not covered here.
 */

/** Network reads of JavaScript, Python, Go, Ruby, PowerShell and shell. */
const FETCH =
  /\bfetch\(|\baxios\b|\bgot\(|\bhttps?\.(?:get|request)\(|\brequests\.(?:get|post)\(|\bhttpx\.|\burlopen\(|\burllib3\b|\baiohttp\b|\bhttp\.(?:Get|Post|NewRequest)\(|Net::HTTP|open-uri|Invoke-(?:WebRequest|RestMethod)|\b(?:curl|wget)\s/;

/** Runs of a computed command or code in the same languages. */
const RUN_COMPUTED = [
  // Node: `require('child_process').exec(cmd)` and `vm.runInNewContext(code)`.
  /\brequire\(\s*['"](?:node:)?child_process['"]\s*\)\s*\.\s*(?:exec|execSync|spawn|spawnSync|execFile|execFileSync)\(\s*(?![\s'"`[)])/,
  /\bvm\.(?:runInThisContext|runInNewContext|runInContext)\(\s*(?![\s'"`)])|\bnew vm\.Script\(\s*(?![\s'"`)])/,
  // Go: a command whose program is a variable, or a shell given a script.
  /\bexec\.Command(?:Context)?\(\s*(?:ctx\s*,\s*)?(?:[a-zA-Z_][\w.]*\s*[,)]|"(?:sh|bash|zsh|cmd|cmd\.exe|powershell|pwsh)"\s*,\s*"(?:-c|\/[cC]|-Command)"\s*,\s*(?!")[^)\s])/,
  // Shell: eval of a variable or of a download, and `sh -c` of a variable.
  /\beval\s+["']?(?:\$\{?[a-zA-Z_]|\$\(\s*(?:curl|wget)\b)|\b(?:ba|z|da)?sh\s+-c\s+["']?\$\{?[a-zA-Z_(]/,
  // PowerShell: Invoke-Expression of a computed value.
  /\b(?:Invoke-Expression|iex)\s+(?:\$|\()/i,
];

/** Checks whether `content` both fetches from the network and runs a computed command or code. */
export function runsFetchedCommands(content: string): boolean {
  return FETCH.test(content) && RUN_COMPUTED.some((pattern) => pattern.test(content));
}
