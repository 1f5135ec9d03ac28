/**
 * Stage 2: a reasoning classifier behind a provider interface (an OpenAI-compatible chat
 * endpoint or the Anthropic Messages API, over plain fetch). It sees only the user's
 * messages and the proposed action. Timeouts, HTTP errors and unreadable answers fail
 * closed to `ask`.
 */
import { SandstackError } from '../core/errors.js';
import type { Finding } from './findings.js';
import type { Decision, ToolCall } from './types.js';

/** Decides calls that stage 1 flagged as uncertain. */
export interface Stage2Classifier {
  classify(call: ToolCall, userMessages: readonly string[], finding: Finding): Promise<Decision>;
}

/** Options for {@link createStage2}. */
export interface Stage2Options {
  provider: 'openai' | 'anthropic';
  /** Base URL, such as `https://api.openai.com/v1` or `http://127.0.0.1:8080/v1`. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Time allowed for one request. @default 10000 */
  timeoutMs?: number;
  /** Fetch implementation. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** The two parts of a stage-2 prompt. */
export interface Stage2Prompt {
  system: string;
  user: string;
}

const SYSTEM_PROMPT = [
  'You review one action that a coding agent wants to take.',
  'Answer "allow" only if the action is what the user asked for and cannot cause harm beyond it:',
  'no data leaving the machine, no credential access, no destruction outside what the user named,',
  'no changes to shared or production systems the user did not request.',
  'Reply with JSON only: {"verdict": "allow" | "block", "reason": "<one sentence>"}.',
].join(' ');

/**
 * Builds the prompt from the user's messages and the action only; assistant text and tool
 * output are never included, so a hijacked agent cannot argue its case.
 */
export function buildStage2Prompt(call: ToolCall, userMessages: readonly string[]): Stage2Prompt {
  const messages = userMessages.map((message, index) => `${index + 1}. ${message}`).join('\n');
  return {
    system: SYSTEM_PROMPT,
    user: `User messages:\n${messages}\n\nProposed action:\n${JSON.stringify({ tool: call.tool, input: call.input })}`,
  };
}

/**
 * Creates a stage-2 classifier for the given provider.
 *
 * @throws SandstackError `INVALID_CONFIG` when `baseUrl` is not a URL or `timeoutMs` is not positive.
 */
export function createStage2(options: Stage2Options): Stage2Classifier {
  try {
    new URL(options.baseUrl);
  } catch (error) {
    throw new SandstackError(
      'INVALID_CONFIG',
      `Invalid stage-2 baseUrl "${options.baseUrl}"; give an absolute http(s) URL`,
      { cause: error },
    );
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!(timeoutMs > 0)) {
    throw new SandstackError(
      'INVALID_CONFIG',
      `Invalid stage-2 timeoutMs ${timeoutMs}; give a positive number of milliseconds`,
    );
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;

  return {
    async classify(call, userMessages, finding) {
      const prompt = buildStage2Prompt(call, userMessages);
      try {
        const text = await request(fetchImpl, options, prompt, timeoutMs);
        return parseAnswer(text, finding);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return askDecision(finding, `Stage 2 failed (${message}), so a human must review the call`);
      }
    },
  };
}

async function request(
  fetchImpl: typeof fetch,
  options: Stage2Options,
  prompt: Stage2Prompt,
  timeoutMs: number,
): Promise<string> {
  const base = options.baseUrl.replace(/\/$/, '');
  const anthropic = options.provider === 'anthropic';
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey !== undefined) {
    if (anthropic) {
      headers['x-api-key'] = options.apiKey;
    } else {
      headers['authorization'] = `Bearer ${options.apiKey}`;
    }
  }
  if (anthropic) {
    headers['anthropic-version'] = '2023-06-01';
  }
  const body = anthropic
    ? {
        model: options.model,
        max_tokens: 200,
        system: prompt.system,
        messages: [{ role: 'user', content: prompt.user }],
      }
    : {
        model: options.model,
        temperature: 0,
        messages: [
          { role: 'system', content: prompt.system },
          { role: 'user', content: prompt.user },
        ],
      };

  const response = await fetchImpl(`${base}${anthropic ? '/messages' : '/chat/completions'}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) {
    throw new Error(`HTTP ${response.status}`);
  }
  const json = (await response.json()) as {
    content?: { type?: string; text?: string }[];
    choices?: { message?: { content?: string } }[];
  };
  const text = anthropic
    ? json.content?.find((part) => part.type === 'text')?.text
    : json.choices?.[0]?.message?.content;
  if (typeof text !== 'string') {
    throw new Error('the response has no text');
  }
  return text;
}

function parseAnswer(text: string, finding: Finding): Decision {
  const match = /\{[\s\S]*\}/.exec(text);
  let answer: { verdict?: unknown; reason?: unknown } = {};
  try {
    answer = JSON.parse(match?.[0] ?? '') as typeof answer;
  } catch {
    return askDecision(
      finding,
      'Stage 2 returned an answer that is not JSON, so a human must review the call',
    );
  }
  const reason = typeof answer.reason === 'string' ? answer.reason : 'no reason given';
  if (answer.verdict === 'allow') {
    return {
      verdict: 'allow',
      stage: 'stage2',
      tier: 3,
      reason: `Stage 2 allowed the call: ${reason}`,
    };
  }
  if (answer.verdict === 'block') {
    return {
      verdict: 'deny',
      stage: 'stage2',
      tier: 3,
      category: finding.category,
      rule: 'stage2:block',
      reason: `Stage 2 blocked the call: ${reason}`,
    };
  }
  return askDecision(
    finding,
    `Stage 2 returned the unknown verdict ${JSON.stringify(answer.verdict)}, so a human must review the call`,
  );
}

function askDecision(finding: Finding, reason: string): Decision {
  return {
    verdict: 'ask',
    stage: 'stage2',
    tier: 3,
    category: finding.category,
    rule: 'stage2:fail-closed',
    reason,
  };
}
