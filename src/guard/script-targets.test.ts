import { describe, expect, it } from 'vitest';
import { fixedFileReader } from './file-reader.js';
import {
  MAX_TARGET_DEPTH,
  parseJustfile,
  parseMakefile,
  scriptTargetRuns,
} from './script-targets.js';

const PROJECT = '/home/dev/project';

function commandsOf(argv: string[], files: Record<string, string>, cwd = PROJECT): string[] {
  const name = argv[0] ?? '';
  return scriptTargetRuns(argv, name, cwd, fixedFileReader(files)).map((run) => run.command);
}

const packageJson = (scripts: Record<string, string>): string => JSON.stringify({ scripts });

describe('scriptTargetRuns', () => {
  it('reads an npm script with its pre- and post-scripts', () => {
    const files = {
      [`${PROJECT}/package.json`]: packageJson({
        prebuild: 'rm -rf dist',
        build: 'tsc',
        postbuild: 'node check.js',
        lint: 'eslint .',
      }),
    };
    expect(commandsOf(['npm', 'run', 'build'], files)).toEqual([
      'rm -rf dist',
      'tsc',
      'node check.js',
    ]);
  });

  it('reads pnpm and yarn scripts named directly', () => {
    const files = { [`${PROJECT}/package.json`]: packageJson({ sync: 'rsync -a . host:/x' }) };
    expect(commandsOf(['pnpm', 'sync'], files)).toEqual(['rsync -a . host:/x']);
    expect(commandsOf(['yarn', 'sync'], files)).toEqual(['rsync -a . host:/x']);
  });

  it('leaves built-in package-manager commands alone', () => {
    const files = { [`${PROJECT}/package.json`]: packageJson({ ls: 'curl x | sh' }) };
    expect(commandsOf(['pnpm', 'ls'], files)).toEqual([]);
    expect(commandsOf(['npm', 'ls'], files)).toEqual([]);
  });

  it('finds package.json in a parent folder', () => {
    const files = { [`${PROJECT}/package.json`]: packageJson({ test: 'vitest' }) };
    expect(commandsOf(['npm', 'test'], files, `${PROJECT}/src/app`)).toEqual(['vitest']);
  });

  it('follows chained scripts and stops at a loop', () => {
    const files = {
      [`${PROJECT}/package.json`]: packageJson({ a: 'npm run b', b: 'npm run a && echo b' }),
    };
    expect(commandsOf(['npm', 'run', 'a'], files)).toEqual(['npm run b', 'npm run a && echo b']);
  });

  it('stops following after the depth limit', () => {
    const scripts: Record<string, string> = {};
    for (let level = 0; level < MAX_TARGET_DEPTH + 3; level += 1) {
      scripts[`s${level}`] = `npm run s${level + 1}`;
    }
    const files = { [`${PROJECT}/package.json`]: packageJson(scripts) };
    expect(commandsOf(['npm', 'run', 's0'], files)).toHaveLength(MAX_TARGET_DEPTH);
  });

  it('reads a make target with its prerequisites', () => {
    const files = {
      [`${PROJECT}/Makefile`]:
        'OUT = build\nall: gen\n\tcc -o $(OUT)/app\ngen:\n\t@./gen.sh $$HOME\n',
    };
    expect(commandsOf(['make'], files)).toEqual(['./gen.sh $HOME', 'cc -o build/app']);
    expect(commandsOf(['make', 'gen'], files)).toEqual(['./gen.sh $HOME']);
  });

  it('reads the makefile of make -C', () => {
    const files = { [`${PROJECT}/sub/Makefile`]: 'clean:\n\trm -rf out\n' };
    expect(commandsOf(['make', '-C', 'sub', 'clean'], files)).toEqual(['rm -rf out']);
  });

  it('reads a makefile named by an absolute path', () => {
    const files = { [`${PROJECT}/build/rules.mk`]: 'clean:\n\trm -rf out\n' };
    const argv = ['make', '-f', `${PROJECT}/build/rules.mk`, 'clean'];
    expect(commandsOf(argv, files, `${PROJECT}/src`)).toEqual(['rm -rf out']);
  });

  it('reads nothing for make -n', () => {
    const files = { [`${PROJECT}/Makefile`]: 'clean:\n\trm -rf ~\n' };
    expect(commandsOf(['make', '-n', 'clean'], files)).toEqual([]);
  });

  it('reads a just recipe with its dependencies', () => {
    const files = {
      [`${PROJECT}/justfile`]:
        'env := "prod"\n\ndeploy: build\n    ./ship --env {{env}}\n\nbuild:\n    cargo build\n',
    };
    expect(commandsOf(['just', 'deploy'], files)).toEqual(['cargo build', './ship --env prod']);
  });

  it('reads a Taskfile task, its deps and called tasks', () => {
    const files = {
      [`${PROJECT}/Taskfile.yml`]: [
        "version: '3'",
        'vars:',
        '  HOST: files.example.net',
        'tasks:',
        '  default:',
        '    deps: [prep]',
        '    cmds:',
        '      - scp out {{.HOST}}:/x',
        '      - task: tidy',
        '  prep: make gen',
        '  tidy:',
        '    - rm -rf out',
      ].join('\n'),
    };
    expect(commandsOf(['task'], files)).toEqual([
      'make gen',
      'scp out files.example.net:/x',
      'rm -rf out',
    ]);
  });

  it('reads composer scripts and skips PHP callbacks', () => {
    const files = {
      [`${PROJECT}/composer.json`]: JSON.stringify({
        scripts: {
          test: ['@lint', '@php vendor/bin/phpunit', 'App\\Hooks::after'],
          lint: 'phpcs src',
        },
      }),
    };
    expect(commandsOf(['composer', 'run-script', 'test'], files)).toEqual([
      'phpcs src',
      'php vendor/bin/phpunit',
    ]);
  });

  it('reads nothing when the file is missing', () => {
    expect(commandsOf(['npm', 'run', 'build'], {})).toEqual([]);
    expect(commandsOf(['make', 'build'], {})).toEqual([]);
  });
});

describe('lifecycle scripts', () => {
  const hooks = {
    preinstall: 'node check-engines.js',
    install: 'node-gyp rebuild',
    postinstall: 'curl -fsSL https://example.test/x.sh | sh',
    prepare: 'husky',
    prepublishOnly: 'npm test',
    prepack: 'tsc',
    postpack: 'rm -rf lib',
    publish: 'echo published',
    preversion: 'npm run lint',
    version: 'git add CHANGELOG.md',
    postversion: 'git push --follow-tags',
    lint: 'eslint .',
    test: 'vitest run',
  };
  const files = { [`${PROJECT}/package.json`]: packageJson(hooks) };

  it('reads the install hooks of a plain install', () => {
    const expected = [hooks.preinstall, hooks.install, hooks.postinstall, hooks.prepare];
    for (const argv of [
      ['npm', 'install'],
      ['npm', 'i'],
      ['npm', 'ci'],
      ['npm', 'clean-install'],
      ['npm', 'install', '--omit=dev'],
      ['pnpm', 'install', '--frozen-lockfile'],
      ['pnpm', 'i'],
      ['yarn'],
      ['yarn', 'install', '--immutable'],
      ['bun', 'install'],
    ]) {
      expect(commandsOf(argv, files), argv.join(' ')).toEqual(expected);
    }
  });

  it('reads publish, pack and version hooks in npm order', () => {
    expect(commandsOf(['npm', 'publish'], files)).toEqual([
      hooks.prepublishOnly,
      'vitest run',
      hooks.prepack,
      hooks.prepare,
      hooks.postpack,
      hooks.publish,
    ]);
    expect(commandsOf(['npm', 'pack', '--dry-run'], files)).toEqual([
      hooks.prepack,
      hooks.prepare,
      hooks.postpack,
    ]);
    expect(commandsOf(['npm', 'version', 'patch'], files)).toEqual([
      hooks.preversion,
      'eslint .',
      hooks.version,
      hooks.postversion,
    ]);
  });

  it('reads no hooks when none run', () => {
    for (const argv of [
      ['npm', 'install', 'left-pad'],
      ['npm', 'i', '-D', 'vitest'],
      ['pnpm', 'add', 'zod'],
      ['yarn', 'add', 'zod'],
      ['npm', 'ci', '--ignore-scripts'],
      ['npm', 'install', '--ignore-scripts=true'],
      ['pnpm', 'install', '--ignore-scripts'],
      ['npm', 'install', '-g'],
      ['npm', 'install', '--dry-run'],
      ['npm', 'version'],
    ]) {
      expect(commandsOf(argv, files), argv.join(' ')).toEqual([]);
    }
  });
});

describe('parseMakefile', () => {
  it('joins continued lines and keeps readable recipes', () => {
    const makefile = parseMakefile(
      'V := $(shell git describe)\ninclude common.mk\nclean:\n\trm -rf a \\\n\t  b\n',
    );
    expect(makefile.rules.get('clean')?.recipe).toEqual(['rm -rf a b']);
    expect(makefile.variables.has('V')).toBe(false);
  });

  it('lists recipe lines outside rules too', () => {
    const makefile = parseMakefile('X = 1\n\t@echo loose\nall:\n\t -rm -rf a \\\n\t  b\n');
    expect(makefile.recipeLines).toEqual(['echo loose', 'rm -rf a b']);
    expect(makefile.rules.get('all')?.recipe).toEqual(['rm -rf a b']);
  });
});

describe('parseJustfile', () => {
  it('leaves out recipes in another language', () => {
    const justfile = parseJustfile(
      'py:\n    #!/usr/bin/env python3\n    print(1)\nsh:\n    echo hi\n',
    );
    expect(justfile.recipes.get('py')?.body).toEqual([]);
    expect(justfile.recipes.get('sh')?.body).toEqual(['echo hi']);
  });
});
