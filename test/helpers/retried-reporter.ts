import { relative } from 'node:path';
import type { Reporter, TestCase } from 'vitest/node';

/**
 * Lists, after the run, every test that failed at first and passed when run again, so a
 * flaky test stays visible in CI's log although the run passes.
 */
export default class RetriedReporter implements Reporter {
  readonly #retried: string[] = [];

  onTestCaseResult(testCase: TestCase): void {
    const { retryCount } = testCase.diagnostic() ?? {};
    if (retryCount !== undefined && retryCount > 0 && testCase.result().state === 'passed') {
      this.#retried.push(
        `${relative(process.cwd(), testCase.module.moduleId)} > ${testCase.fullName}`,
      );
    }
  }

  onTestRunEnd(): void {
    if (this.#retried.length === 0) {
      return;
    }
    process.stdout.write(`\nPassed only when run again (${this.#retried.length}); find out why:\n`);
    for (const name of this.#retried) {
      process.stdout.write(`  ${name}\n`);
    }
  }
}
