/**
 * Shell steps of CI files in the syntaxes that are not plain shell: Azure Pipelines macros
 * (`$(npmToken)`), PowerShell steps (`$env:NAME`, `Invoke-WebRequest`, `Write-Host`) and
 * Jenkinsfile strings (`sh """…"""`, `${env.NAME}`). Each step line is rewritten into the
 * shell line that does the same, so the Bash checks judge it. Also finds steps that print a
 * secret variable into the job's log, which anyone who can read the build can see.
 */
import type { ParsedShell, Redirect, SimpleCommand } from './shell.js';

/** An Azure Pipelines macro `$(name)`. Group 1 is the variable's name. */
const AZURE_MACRO = /\$\(([A-Za-z_][\w.]*)\)/g;
/** A Groovy interpolation of a Jenkins environment variable: `${env.NPM_TOKEN}`. */
const GROOVY_ENV = /\$\{env\.(\w+)\}/g;

/**
 * Returns the environment variable that Azure Pipelines maps the variable `name` to: upper
 * case, with `.` and camel-case word breaks as `_` (`npmToken` is `NPM_TOKEN`).
 */
function azureVariable(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replaceAll('.', '_')
    .toUpperCase();
}

/**
 * Rewrites the Azure macros of a YAML step line as shell variables. Only names with an upper
 * case letter or a dot count, because `$(date)` or `$(env)` in a step is shell command
 * substitution, and Azure leaves a macro of an undefined variable as it is.
 */
export function expandAzureMacros(line: string): string {
  if (!line.includes('$(')) {
    return line;
  }
  return line.replace(AZURE_MACRO, (whole, name: string) =>
    /[A-Z.]/.test(name) ? `\${${azureVariable(name)}}` : whole,
  );
}

/** PowerShell cmdlets and aliases that send an HTTP request, as `curl` does. */
const POWERSHELL_REQUEST = /\b(?:Invoke-WebRequest|Invoke-RestMethod|iwr|irm)\b/gi;
/** `Invoke-WebRequest` parameters and the `curl` options that do the same. */
const REQUEST_PARAMETERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\s-Uri\s+/gi, ' '],
  [/\s-Body\s+/gi, ' --data '],
  [/\s-Method\s+/gi, ' -X '],
  [/\s-InFile\s+/gi, ' --upload-file '],
];

/**
 * Rewrites a PowerShell step line as the shell line that does the same: `$env:NAME` is a
 * variable, `Write-Host` and `Write-Output` print like `echo`, `Get-ChildItem env:` lists the
 * environment like `printenv`, and `Invoke-WebRequest` sends like `curl`. Other lines are
 * returned unchanged.
 */
export function powershellAsShell(line: string): string {
  if (
    !/\$env:|-(?:Host|Output|ChildItem|WebRequest|RestMethod)\b|\b(?:iwr|irm|gci)\b/i.test(line)
  ) {
    return line;
  }
  let shell = line
    .replace(/\$env:([A-Za-z_]\w*)/gi, '${$1}')
    .replace(/\b(?:Get-ChildItem|gci|dir|ls)\s+env:\\?(?=\s|$|\|)/gi, 'printenv')
    .replace(/\b(?:Write-Host|Write-Output)\b/gi, 'echo');
  if (POWERSHELL_REQUEST.test(shell)) {
    shell = shell.replace(POWERSHELL_REQUEST, 'curl');
    for (const [parameter, option] of REQUEST_PARAMETERS) {
      shell = shell.replace(parameter, option);
    }
  }
  return shell;
}

/** Rewrites the Groovy `${env.NAME}` interpolations of a Jenkinsfile string as shell variables. */
export function expandGroovyEnvironment(line: string): string {
  return line.includes('${env.') ? line.replace(GROOVY_ENV, '${$1}') : line;
}

/**
 * Returns the lines of the triple-quoted strings (`"""…"""` and `'''…'''`) of Groovy code,
 * which Jenkinsfiles use for multi-line `sh` steps, and the text without those strings.
 */
export function tripleQuotedLines(text: string): { lines: string[]; rest: string } {
  if (!text.includes('"""') && !text.includes("'''")) {
    return { lines: [], rest: text };
  }
  const lines: string[] = [];
  const rest = text.replace(/"""([\s\S]*?)"""|'''([\s\S]*?)'''/g, (_whole, double, single) => {
    const body = String(double ?? single ?? '');
    lines.push(...body.split('\n').map((line) => line.trim()));
    return '""';
  });
  return { lines: lines.filter((line) => line !== ''), rest };
}

/** A variable whose name marks a secret, such as `NPM_TOKEN` or `AZURE_CLIENT_SECRET`. */
export const SECRET_VARIABLE_NAME =
  /\$\{?[A-Z][A-Z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_KEY|PRIVATE_KEY|_KEY|_PAT|CREDENTIALS?)[A-Z0-9_]*\}?/;

/** Checks whether a step line expands a variable whose name marks a secret. */
export function expandsSecretVariable(line: string): boolean {
  return line.includes('$') && SECRET_VARIABLE_NAME.test(line);
}

/** Programs that print their arguments. */
const PRINTERS = new Set(['echo', 'printf']);

/**
 * Returns the argument of a command in `parsed` that prints a secret variable into the job's
 * log: `echo` or `printf` whose output is neither piped (`echo "$PW" | docker login
 * --password-stdin`) nor written to a file (`echo "…=$NPM_TOKEN" > .npmrc`). A GitHub
 * `::add-mask::` command hides the value, so it does not count.
 */
export function secretPrintedToLog(parsed: ParsedShell): string | undefined {
  for (const command of parsed.commands) {
    if (!PRINTERS.has(command.name) || !printsToLog(command)) {
      continue;
    }
    const printed = command.argv
      .slice(1)
      .find((arg) => SECRET_VARIABLE_NAME.test(arg) && !arg.includes('::add-mask::'));
    if (printed !== undefined) {
      return printed;
    }
  }
  return undefined;
}

function printsToLog(command: SimpleCommand): boolean {
  const { pipeline } = command;
  if (pipeline !== undefined && pipeline.index < pipeline.length - 1) {
    return false;
  }
  return !command.redirects.some(writesFile);
}

/** Checks whether a redirect sends standard output to a file, not to the other log stream. */
function writesFile(redirect: Redirect): boolean {
  if (!/^(?:>|>>|>\||&>|&>>)$/.test(redirect.operator)) {
    return false;
  }
  return !/^\/dev\/(?:stdout|stderr|tty)$/.test(redirect.target);
}
