/**
 * The client side of `POST /v1/sandboxes/{id}/exec/stream`: reads the NDJSON lines as they
 * arrive and hands them out as an async iterable of output, with the final line as a promise.
 */
import { SandstackApiError } from './errors.js';
import type { ExecEnd, ExecOutput } from './types.js';

/**
 * A command running in a sandbox, with its output streamed. Iterate it to get each piece of
 * output as the command writes it, and await `result` for the exit code. Output is kept
 * until it is read, up to the server's per-stream limits.
 *
 * @example
 * const run = client.sandboxes.execStream(id, 'npm test');
 * for await (const chunk of run) {
 *   process[chunk.stream].write(chunk.data);
 * }
 * const { exitCode } = await run.result;
 */
export class ExecStream implements AsyncIterable<ExecOutput> {
  /**
   * The final line: exit code, duration and whether output was cut. Rejects with the abort
   * reason after `cancel()`, with a {@link SandstackApiError} when the server rejects the
   * request or the sandbox fails during the command, and with an Error when the connection
   * ends before the final line.
   */
  readonly result: Promise<ExecEnd>;
  readonly #abort = new AbortController();
  readonly #pending: ExecOutput[] = [];
  #wake: (() => void) | undefined;
  #finished = false;
  #failure: unknown;

  /** @internal Use `SandboxesApi.execStream`. */
  constructor(options: {
    send: (signal: AbortSignal) => Promise<Response>;
    label: string;
    signal?: AbortSignal;
  }) {
    const { signal } = options;
    if (signal !== undefined) {
      const forward = (): void => this.#abort.abort(signal.reason);
      signal.addEventListener('abort', forward, { once: true });
      if (signal.aborted) {
        forward();
      }
    }
    this.result = this.#read(options);
    // Callers that only iterate still see a failure there, so it is not an unhandled one.
    this.result.catch(() => undefined);
  }

  /** Closes the connection, which makes the server kill the command. */
  cancel(reason?: unknown): void {
    this.#abort.abort(reason ?? new Error('The streamed command was cancelled'));
  }

  /**
   * Yields each piece of output in the order the server sent it. Leaving the loop early
   * (`break`, `return` or a throw) cancels the command.
   * @throws the same error `result` rejects with
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<ExecOutput, void, undefined> {
    let complete = false;
    try {
      for (;;) {
        const next = this.#pending.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (this.#finished) {
          complete = true;
          break;
        }
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
      if (this.#failure !== undefined) {
        throw this.#failure;
      }
    } finally {
      if (!complete) {
        this.cancel(new Error('The output loop ended before the command did'));
      }
    }
  }

  async #read(options: {
    send: (signal: AbortSignal) => Promise<Response>;
    label: string;
  }): Promise<ExecEnd> {
    try {
      const response = await options.send(this.#abort.signal);
      const end = await this.#readLines(response, options.label);
      this.#finish(undefined);
      return end;
    } catch (error) {
      const failure = this.#abort.signal.aborted ? (this.#abort.signal.reason as unknown) : error;
      this.#finish(failure ?? error);
      throw failure ?? error;
    }
  }

  async #readLines(response: Response, label: string): Promise<ExecEnd> {
    const reader = response.body?.getReader();
    if (reader === undefined) {
      throw new Error(`${label} returned no body; check that the server runs this version`);
    }
    const decoder = new TextDecoder();
    let buffered = '';
    for (;;) {
      const { done, value } = await reader.read();
      buffered += done ? decoder.decode() : decoder.decode(value, { stream: true });
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const end = this.#onLine(line, { status: response.status, label });
        if (end !== undefined) {
          await reader.cancel();
          return end;
        }
      }
      if (done) {
        throw new Error(
          `${label} ended before the command's final line; the server stopped or the connection broke, so the command was killed or is still running`,
        );
      }
    }
  }

  /** Queues an output line, or returns the final line. @throws SandstackApiError for an error line */
  #onLine(line: string, context: { status: number; label: string }): ExecEnd | undefined {
    if (line.trim() === '') {
      return undefined;
    }
    const parsed = JSON.parse(line) as
      ExecOutput | ExecEnd | { error: { code: string; message: string } };
    if ('error' in parsed) {
      throw new SandstackApiError({
        ...parsed.error,
        status: context.status,
        request: context.label,
      });
    }
    if ('stream' in parsed) {
      this.#pending.push(parsed);
      this.#wake?.();
      return undefined;
    }
    return parsed;
  }

  #finish(failure: unknown): void {
    this.#finished = true;
    this.#failure = failure;
    this.#wake?.();
  }
}
