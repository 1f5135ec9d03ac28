/**
 * The form on the runs page that starts a run: a deployed workflow, its params as JSON,
 * then `POST /v1/instances`. On success the page moves to the new run, which follows its
 * progress.
 */
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { Instance, WorkflowVersion } from './types.js';
import { routeHref, usePoll, useSession } from './ui.js';

/** Parses the params text; an empty box sends no params. @throws Error naming the JSON problem */
export function parseParams(text: string): unknown {
  if (text.trim() === '') {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(
      `Params are not valid JSON (${(error as Error).message}); write an object such as {"branch": "main"}, or leave the box empty`,
    );
  }
}

/** Renders the start-a-run form. */
export function StartRunForm() {
  const { call } = useSession();
  const workflows = usePoll(
    async () => (await call<{ workflows: WorkflowVersion[] }>('GET', '/v1/workflows')).workflows,
    [],
    10_000,
  );
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const [paramsText, setParamsText] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const names = (workflows.data ?? []).map((item) => item.workflow);
  const workflow = chosen ?? names[0];

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setError(undefined);
    if (workflow === undefined) {
      setError('No workflow is deployed; deploy one with sandstack workflow deploy first');
      return;
    }
    let params: unknown;
    try {
      params = parseParams(paramsText);
    } catch (parseError) {
      setError((parseError as Error).message);
      return;
    }
    setBusy(true);
    try {
      const created = await call<Instance>('POST', '/v1/instances', {
        workflow,
        ...(params === undefined ? {} : { params }),
      });
      location.hash = routeHref('runs', created.id);
    } catch (callError) {
      setError(`Could not start the run: ${(callError as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  if (workflows.data !== undefined && names.length === 0) {
    return null;
  }
  return html`<form
    class="start-run"
    data-testid="start-run"
    onSubmit=${(event: Event) => void submit(event)}
  >
    <div class="start-run-fields">
      <label>
        Workflow
        <select
          name="workflow"
          value=${workflow ?? ''}
          onChange=${(event: Event) => setChosen((event.currentTarget as HTMLSelectElement).value)}
        >
          ${names.map((name) => html`<option key=${name} value=${name}>${name}</option>`)}
        </select>
      </label>
      <label class="start-run-params">
        Params (JSON)
        <textarea
          name="params"
          rows="3"
          spellcheck="false"
          placeholder='{"branch": "main"}'
          value=${paramsText}
          onInput=${(event: Event) =>
            setParamsText((event.currentTarget as HTMLTextAreaElement).value)}
        ></textarea>
      </label>
      <button
        class="button button-primary"
        type="submit"
        disabled=${busy || workflow === undefined}
      >
        ${busy ? 'Starting…' : 'Start run'}
      </button>
    </div>
    ${error === undefined ? null : html`<div class="banner banner-error" role="alert">${error}</div>`}
  </form>`;
}
