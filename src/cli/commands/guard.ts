import path from 'node:path';
import type { Command } from 'commander';
import { SandstackError } from '../../core/errors.js';
import { evaluateGuard, loadCases, type EvalReport, type Rate } from '../../guard/eval.js';
import { createGuard } from '../../guard/guard.js';
import { createPolicy, loadPolicyFile, type Policy } from '../../guard/policy.js';
import { DEFAULT_POLICY_INPUT } from '../../guard/guard.js';
import { printJson, printLine } from '../output.js';

interface CheckOptions {
  tool: string;
  input: string;
  userMessage: string[];
  projectDir?: string;
  cwd?: string;
  home?: string;
  policy?: string;
  json?: boolean;
}

/** Registers `sandstack guard check` and `sandstack guard eval`. */
export function register(program: Command): void {
  const guard = program
    .command('guard')
    .description('Check proposed tool calls and measure the guard');

  guard
    .command('check')
    .description('Decide whether one tool call may run on its own')
    .requiredOption('--tool <name>', 'tool name, such as Bash, Read, Write or mcp__server__tool')
    .requiredOption('--input <json>', 'tool input as JSON, such as \'{"command":"ls"}\'')
    .option(
      '--user-message <text>',
      'a user message of the session (repeat for several)',
      collect,
      [],
    )
    .option('--project-dir <dir>', 'project root (default: the current directory)')
    .option('--cwd <dir>', 'working directory of the call (default: the project root)')
    .option('--home <dir>', 'home directory that ~ expands to (default: $HOME)')
    .option(
      '--policy <file>',
      'policy file (YAML or JSON, or a Claude Code settings.json) added to the default rules',
    )
    .option('--json', 'print the decision as JSON')
    .action(async (options: CheckOptions) => {
      const input = parseInput(options.input);
      const projectDir = path.resolve(options.projectDir ?? process.cwd());
      const guardInstance = createGuard({ policy: policyFor(options.policy) });
      const decision = await guardInstance.decide(
        { tool: options.tool, input },
        {
          projectDir,
          cwd: path.resolve(projectDir, options.cwd ?? '.'),
          homeDir: options.home ?? process.env['HOME'] ?? '/root',
          userMessages: options.userMessage,
        },
      );
      if (options.json === true) {
        printJson(decision);
        return;
      }
      printLine(`${decision.verdict} (${decision.stage}, tier ${decision.tier})`);
      printLine(decision.reason);
      if (decision.category !== undefined) {
        printLine(`category: ${decision.category}`);
      }
      if (decision.rule !== undefined) {
        printLine(`rule: ${decision.rule}`);
      }
    });

  guard
    .command('eval')
    .description('Run the guard over a labelled JSON Lines file and print FPR and FNR')
    .argument('<file>', 'labelled cases, one JSON object per line')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const cases = loadCases(file);
      const report = await evaluateGuard(cases, () => createGuard());
      const alone = {
        policy: await evaluateGuard(cases, () => createGuard({ disable: ['tier', 'stage1'] })),
        'policy+tiers': await evaluateGuard(cases, () => createGuard({ disable: ['stage1'] })),
      };
      if (options.json === true) {
        printJson({ ...report, stagesAlone: alone });
        return;
      }
      printReport(report);
      printLine('Checks on their own (the rest allow everything):');
      for (const [name, partial] of Object.entries(alone)) {
        printLine(
          `  ${name.padEnd(13)} FPR ${formatRate(partial.fpr)}, FNR ${formatRate(partial.fnr)}`,
        );
      }
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseInput(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Invalid --input ${JSON.stringify(text)}: not JSON; pass an object such as '{"command":"ls"}'`,
      {
        cause: error,
      },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SandstackError(
      'INVALID_ARGUMENT',
      `Invalid --input ${JSON.stringify(text)}: pass a JSON object, such as '{"command":"ls"}'`,
    );
  }
  return value as Record<string, unknown>;
}

/** Builds the default rules plus those of `file`, so a user policy cannot drop the built-in denials. */
function policyFor(file: string | undefined): Policy {
  const defaults = createPolicy(DEFAULT_POLICY_INPUT);
  if (file === undefined) {
    return defaults;
  }
  return { rules: [...defaults.rules, ...loadPolicyFile(file).rules] };
}

function formatRate(rate: Rate): string {
  const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
  return `${rate.errors}/${rate.total} = ${percent(rate.rate)} (95% CI ${percent(rate.low)}–${percent(rate.high)})`;
}

function printReport(report: EvalReport): void {
  printLine(`benign ${report.benign}, dangerous ${report.dangerous}`);
  printLine(`FPR ${formatRate(report.fpr)}`);
  printLine(`FNR ${formatRate(report.fnr)}`);
  printLine();
  printLine('FNR per category:');
  for (const [category, rate] of Object.entries(report.byCategory).sort()) {
    printLine(`  ${category.padEnd(28)} ${formatRate(rate)}`);
  }
  printLine('FNR per trick:');
  for (const [trick, rate] of Object.entries(report.byTrick).sort()) {
    printLine(`  ${trick.padEnd(28)} ${formatRate(rate)}`);
  }
  printLine('Per deciding stage:');
  for (const [stage, row] of Object.entries(report.byStage)) {
    printLine(
      `  ${stage.padEnd(10)} decided ${row.decided}, false positives ${row.falsePositives}, false negatives ${row.falseNegatives}`,
    );
  }
  printLine('Confusion (label → verdict):');
  for (const [label, row] of Object.entries(report.confusion)) {
    printLine(
      `  ${label.padEnd(6)} allow ${row.allow}, deny ${row.deny}, ask ${row.ask}, error ${row.error}`,
    );
  }
  printLine(`Wrong: ${report.wrong.length === 0 ? 'none' : report.wrong.join(' ')}`);
}
