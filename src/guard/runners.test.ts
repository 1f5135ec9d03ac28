import { describe, expect, it } from 'vitest';
import { nestedRuns } from './runners.js';

describe('make with a makefile on standard input', () => {
  it('reads every recipe line', () => {
    const input = 'all: gen\n\t@cc -o app\ngen:\n\t-./gen.sh \\\n\t  --all\nX = 1\n\trm -rf ~\n';
    expect(nestedRuns(['make', '-f', '-'], 'make', input)?.scripts).toEqual([
      'cc -o app',
      './gen.sh --all',
      'rm -rf ~',
    ]);
  });

  it('reports a makefile it cannot read', () => {
    expect(nestedRuns(['make', '-f', '/dev/stdin'], 'make', undefined)?.unreadable).toEqual([
      'make reads its makefile from standard input',
    ]);
    const input = 'include extra.mk\nall:\n\techo hi\n';
    expect(nestedRuns(['make', '-f-'], 'make', input)?.unreadable).toEqual([
      'make reads makefile text it builds at run time',
    ]);
  });

  it('reads nothing from a makefile named on disk', () => {
    expect(nestedRuns(['make', '-f', 'build.mk', 'all'], 'make', 'all:\n\trm -rf ~\n')).toBe(
      undefined,
    );
  });
});
