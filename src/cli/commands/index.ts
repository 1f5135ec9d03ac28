import type { Command } from 'commander';
import { register as registerRun } from './run.js';
import { register as registerTrace } from './trace.js';
import { register as registerCost } from './cost.js';
import { register as registerMetrics } from './metrics.js';
import { register as registerWorkflow } from './workflow.js';
import { register as registerInstance } from './instance.js';
import { register as registerLogin } from './login.js';
import { register as registerGuard } from './guard.js';
import { register as registerSandbox } from './sandbox.js';
import { register as registerPool } from './pool.js';
import { register as registerTemplate } from './template.js';
import { register as registerDoctor } from './doctor.js';
import { register as registerApply } from './apply.js';
import { register as registerGet } from './get.js';
import { register as registerServe } from './serve.js';

/** Registers one noun (or top-level verb) and its subcommands on the program. */
export type RegisterCommand = (program: Command) => void;

/** Every command group, in the order `--help` lists them. */
export const COMMANDS: RegisterCommand[] = [
  registerRun,
  registerTrace,
  registerCost,
  registerMetrics,
  registerWorkflow,
  registerInstance,
  registerGuard,
  registerSandbox,
  registerTemplate,
  registerPool,
  registerDoctor,
  registerApply,
  registerGet,
  registerServe,
  registerLogin,
];
