/**
 * The working folders that a relative script path resolves against, followed through `cd`,
 * `pushd` and `popd` earlier on the same line: `cd sub && bash w.sh` runs `sub/w.sh`.
 */
import { afterCd, isInUnknownFolder } from './working-folders.js';
import type { SimpleCommand } from './shell.js';

/** The folders a command may run in; more than this many count as unknown. */
const MAX_FOLDERS = 4;

/** Facts about the line that the folders are followed with. */
export interface FolderContext {
  cwd: string;
  homeDir: string;
  projectDir: string;
  /**
   * The command line's text. A `(` that opens a subshell in it means a `cd` may have run in a
   * subshell that ended, so such a `cd` adds its folder rather than replacing the old one.
   */
  line: string;
}

/** A `(` that is not part of `$(`, `<(` or `>(`, and so may open a subshell. */
const SUBSHELL_PAREN = /(?:^|[^$<>\w])\(/;

/**
 * Follows the working folder through the commands of a line. `folders` is undefined once a
 * `cd` went to a folder computed at run time (`cd "$X"`), or a `popd` or `cd -` left to a
 * folder of the session the guard does not see.
 */
export class RunFolders {
  /** Folders the next command may run in; undefined when unknown. */
  folders: string[] | undefined;
  private readonly stack: (string[] | undefined)[] = [];
  private previous: string[] | undefined;
  private readonly mayEndSubshell: boolean;
  /** Folders inside the substitutions met since the last command of the line itself. */
  private readonly inner = new Map<string, string[] | undefined>();

  constructor(private readonly context: FolderContext) {
    this.folders = [context.cwd];
    this.mayEndSubshell = context.line.includes('(') && SUBSHELL_PAREN.test(context.line);
  }

  /** Moves past `command`: a `cd`, `pushd` or `popd` changes the folders of later commands. */
  follow(command: SimpleCommand): void {
    const name = command.name;
    if (name !== 'cd' && name !== 'pushd' && name !== 'popd') {
      return;
    }
    // A `cd` in a container or on another host moves in that machine's folders.
    if (runsElsewhere(command)) {
      return;
    }
    const key = substitutionKey(command.via);
    const before = this.foldersOf(command);
    const after = this.moved(command, before);
    // A `cd` in a nested shell (`bash -c`, `eval`) or maybe in a subshell may have ended
    // before the next command runs, so both the old and the new folder stay possible.
    const depth = key === '' ? 0 : key.split('\u0000').length;
    const maybe = this.mayEndSubshell || command.via.length > depth;
    const next = maybe ? union(before, after) : after;
    this.previous = before;
    if (key === '') {
      this.folders = next;
    } else {
      // A `cd` inside `$(…)` or `<(…)` moves only the rest of that substitution.
      this.inner.set(key, next);
    }
  }

  /**
   * Returns the folders `command` may run in: those of the line, or inside a substitution
   * those its own earlier `cd` moved to. A command of the line itself ends the substitutions
   * before it.
   */
  foldersOf(command: SimpleCommand): string[] | undefined {
    const key = substitutionKey(command.via);
    if (key === '') {
      this.inner.clear();
      return this.folders;
    }
    return this.inner.has(key) ? this.inner.get(key) : this.folders;
  }

  private moved(command: SimpleCommand, before: string[] | undefined): string[] | undefined {
    if (command.name === 'popd') {
      return this.stack.pop();
    }
    const operands = command.argv.slice(1).filter((arg) => !/^-[PLe@]+$/.test(arg));
    if (command.name === 'pushd') {
      this.stack.push(before);
    }
    if (operands[0] === '-') {
      return this.previous;
    }
    if (before === undefined) {
      return operands[0]?.startsWith('/') === true && !command.dynamic ? [operands[0]] : undefined;
    }
    const after: string[] = [];
    for (const cwd of before) {
      const next = afterCd(
        command,
        { cwd, homeDir: this.context.homeDir },
        { projectDir: this.context.projectDir, tempVariables: () => new Set() },
      ).cwd;
      if (isInUnknownFolder(next)) {
        return undefined;
      }
      after.push(next);
    }
    return after;
  }
}

/**
 * Checks whether `command` runs in a container (`docker exec`, `kubectl exec`) or on another
 * host (`ssh`), where its paths name that machine's files, not the project's.
 */
/**
 * Returns the nesting path of `via` up to its innermost `$()` or `<()`, which names the
 * substitution a command runs in, or '' for a command outside substitutions.
 */
export function substitutionKey(via: readonly string[]): string {
  let last = -1;
  via.forEach((step, index) => {
    if (step === '$()' || step === '<()') {
      last = index;
    }
  });
  return last === -1 ? '' : via.slice(0, last + 1).join('\u0000');
}

export function runsElsewhere(command: SimpleCommand): boolean {
  return command.via.some((step) =>
    /^(?:(?:docker|podman)(?: compose)? exec|kubectl exec|ssh) /.test(step),
  );
}

function union(first: string[] | undefined, second: string[] | undefined): string[] | undefined {
  if (first === undefined || second === undefined) {
    return undefined;
  }
  const all = [...new Set([...first, ...second])];
  return all.length > MAX_FOLDERS ? undefined : all;
}
