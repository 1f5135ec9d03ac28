/**
 * Project settings files that make a tool load code into every run: npm's `node-options`
 * with `--require`, Yarn's `yarnPath` and `nodeOptions`, Cargo's `rustc-wrapper` and
 * `runner`, a JVM `-javaagent:` in `gradle.properties` or `.mvn/jvm.config`, pytest's
 * `addopts = -p plugin`, Bundler's `BUNDLE_GEMFILE`. The settings that point at a file
 * outside the project, or load a plugin by name, are sent to a human.
 */
import path from 'node:path';
import type { Finding } from './findings.js';

/** A setting, by file, whose value names code that runs; each returns the code it names. */
interface LoaderSetting {
  file: RegExp;
  setting: RegExp;
}

const SETTINGS: readonly LoaderSetting[] = [
  // npm: `node-options=--require /tmp/p.js`, `script-shell=/tmp/sh`, `onload-script=…`.
  {
    file: /(?:^|\/)\.npmrc$/,
    setting:
      /^\s*(?:node-options\s*=.*?(?:--require|-r|--import|--(?:experimental-)?loader)[\s=]+(\S+)|(?:script-shell|onload-script|shell)\s*=\s*(\S+))/gm,
  },
  // Yarn: `yarnPath: /tmp/yarn.cjs`, `nodeOptions: --require …`, v1 `yarn-path "…"`.
  {
    file: /(?:^|\/)\.yarnrc(?:\.yml)?$/,
    setting:
      /^\s*(?:(?:yarnPath|yarn-path)\s*[:\s]\s*["']?([^"'\s]+)|nodeOptions\s*:.*?(?:--require|-r|--import|--(?:experimental-)?loader)[\s=]+["']?([^"'\s]+))/gm,
  },
  // Cargo: a wrapper, runner or linker given as a path.
  {
    file: /(?:^|\/)\.cargo\/config(?:\.toml)?$/,
    setting:
      /^\s*(?:rustc-wrapper|rustc-workspace-wrapper|runner|linker|rustc|rustdoc)\s*=\s*(?:\[\s*)?["']([^"']+)["']/gm,
  },
  // JVM agents loaded into Gradle's or Maven's own process.
  {
    file: /(?:^|\/)(?:gradle\.properties|\.mvn\/jvm\.config)$/,
    setting: /-(?:javaagent|agentpath):([^\s=]+)/g,
  },
  // pytest plugins named in `addopts` (`-p no:cacheprovider` turns a plugin off).
  {
    file: /(?:^|\/)(?:pytest\.ini|pyproject\.toml|setup\.cfg|tox\.ini)$/,
    setting: /^\s*addopts\s*=.*?(?:^|\s|["'])-p\s*(?!no:)([\w.]+)/gm,
  },
  // Bundler: a Gemfile outside the project.
  {
    file: /(?:^|\/)\.bundle\/config$/,
    setting: /^\s*BUNDLE_(?:GEMFILE|APP_CONFIG)\s*:\s*["']?([^"'\s]+)/gm,
  },
];

/** Settings whose value is a plugin name rather than a path: any value is asked. */
const BY_NAME = /(?:^|\/)(?:pytest\.ini|pyproject\.toml|setup\.cfg|tox\.ini)$/;

/**
 * Returns an `ask` finding when `added`, written into the settings file `file` (absolute),
 * makes a tool load code from outside `projectDir` or a plugin by name.
 */
export function checkLoaderConfig(
  file: string,
  added: string,
  projectDir: string,
): Finding | undefined {
  for (const { file: files, setting } of SETTINGS) {
    if (!files.test(file)) {
      continue;
    }
    for (const match of added.matchAll(setting)) {
      const value = match.slice(1).find((group) => group !== undefined) ?? '';
      if (BY_NAME.test(file) || outside(value, file, projectDir)) {
        return {
          category: 'unauthorized-persistence',
          reason: `The change to "${file}" makes the tool load "${value}" on every run, code the guard cannot read; a file in the project or a program on the search path is not asked`,
          rule: 'stage1:loader-config',
        };
      }
    }
  }
  return undefined;
}

/** Checks whether a setting's value is a path outside the project (a bare program name is not). */
function outside(value: string, file: string, projectDir: string): boolean {
  if (value === '' || !/[/\\]/.test(value)) {
    return false;
  }
  if (/^[~$]/.test(value)) {
    return true;
  }
  const resolved = path.posix.resolve(path.posix.dirname(file), value);
  const inProject = resolved === projectDir || resolved.startsWith(`${projectDir}/`);
  return !inProject && !/^\/(?:usr|bin|opt|nix\/store)\//.test(resolved);
}
