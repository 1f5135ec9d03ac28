/**
 * One run: its status, the requests waiting for approval, its steps, every sandbox action
 * with the guard decision on it, its output and its trace waterfall.
 */
import { html } from 'htm/preact';
import { ApprovalCard } from './approvals.js';
import { formatDuration, formatInput, formatTime } from './format.js';
import { runDurationMs } from './runs.js';
import type { Action, Approval, InstanceDetail, Span } from './types.js';
import {
  Badge,
  Empty,
  ErrorBanner,
  Loading,
  PageHeader,
  routeHref,
  usePoll,
  useSession,
} from './ui.js';
import { Waterfall } from './waterfall.js';

interface RunData {
  instance: InstanceDetail;
  actions: Action[];
  spans: Span[];
  approvals: Approval[];
}

/** Renders the page of one run. */
export function RunPage(props: { id: string }) {
  const { call, session } = useSession();
  const base = `/v1/instances/${encodeURIComponent(props.id)}`;
  const poll = usePoll(async (): Promise<RunData> => {
    const [instance, actions, trace, approvals] = await Promise.all([
      call<InstanceDetail>('GET', base),
      call<{ actions: Action[] }>('GET', `${base}/actions`),
      call<{ spans: Span[] }>('GET', `${base}/trace`),
      call<Approval[]>('GET', '/v1/approvals?status=pending'),
    ]);
    const sessionId = `${session.tenant ?? ''}/${props.id}`;
    return {
      instance,
      actions: actions.actions,
      spans: trace.spans,
      approvals: approvals.filter((approval) => approval.sessionId === sessionId),
    };
  }, [props.id]);

  const data = poll.data;
  let body: unknown = null;
  if (data !== undefined) {
    body = RunBody(data, poll.reload);
  } else if (poll.error === undefined) {
    body = html`<${Loading} />`;
  }
  return html`<section>
    <div class="breadcrumb"><a href=${routeHref('runs')}>Runs</a> / ${props.id}</div>
    <${PageHeader} title=${props.id} updatedAtMs=${poll.updatedAtMs}>
      ${data === undefined ? null : html`<${Badge} value=${data.instance.status} />`}
    </${PageHeader}>
    <${ErrorBanner} error=${poll.error} action="Could not load the run" />
    ${body}
  </section>`;
}

function RunBody(data: RunData, reload: () => void) {
  const { instance } = data;
  return html`
    <dl class="facts">
      <div>
        <dt>Workflow</dt>
        <dd>${instance.workflow}</dd>
      </div>
      <div>
        <dt>Version</dt>
        <dd><code>${instance.version.slice(0, 12)}</code></dd>
      </div>
      <div>
        <dt>Started</dt>
        <dd>${formatTime(instance.createdAtMs)}</dd>
      </div>
      <div>
        <dt>Duration</dt>
        <dd>${formatDuration(runDurationMs(instance))}</dd>
      </div>
      <div>
        <dt>Trace</dt>
        <dd><code>${instance.traceId ?? '–'}</code></dd>
      </div>
    </dl>
    ${
      data.approvals.length === 0
        ? null
        : html`<div class="panel panel-warn" data-testid="run-approvals">
            <h2>Waiting for approval</h2>
            ${data.approvals.map(
              (approval) =>
                html`<${ApprovalCard}
                  key=${approval.id}
                  approval=${approval}
                  onDecided=${reload}
                />`,
            )}
          </div>`
    }
    ${
      instance.error === null
        ? null
        : html`<div class="banner banner-error">
            <strong>${instance.error.code}:</strong> ${instance.error.message}
          </div>`
    }
    <h2>Steps</h2>
    ${StepsTable(instance)}
    <h2>Sandbox actions and guard decisions</h2>
    ${ActionsTable(data.actions)}
    ${
      instance.output === null || instance.output === undefined
        ? null
        : html`<h2>Output</h2>
            <pre class="code output" data-testid="run-output">
${JSON.stringify(instance.output, null, 2)}</pre>`
    }
    <h2>Trace</h2>
    <${Waterfall} spans=${data.spans} />
  `;
}

function StepsTable(instance: InstanceDetail) {
  if (instance.steps.length === 0) {
    return html`<${Empty} title="No steps yet" hint="Steps appear as the run reaches them." />`;
  }
  return html`<table class="table" data-testid="steps">
    <thead>
      <tr>
        <th>Step</th>
        <th>Kind</th>
        <th>Status</th>
        <th class="num">Attempt</th>
        <th class="num">Duration</th>
      </tr>
    </thead>
    <tbody>
      ${instance.steps.map(
        (step) =>
          html`<tr key=${step.key}>
            <td>${step.key}</td>
            <td>${step.kind}</td>
            <td><${Badge} value=${step.status} /></td>
            <td class="num">${step.attempt}</td>
            <td class="num">${formatDuration(step.durationMs)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function ActionsTable(actions: readonly Action[]) {
  if (actions.length === 0) {
    return html`<${Empty}
      title="No sandbox actions yet"
      hint="Each claim, command and file upload of the run is listed here with the guard's decision."
    />`;
  }
  return html`<table class="table" data-testid="actions">
    <thead>
      <tr>
        <th>Step</th>
        <th>Action</th>
        <th>Input</th>
        <th>Decision</th>
        <th>Reason</th>
        <th class="num">Exit</th>
        <th class="num">Duration</th>
      </tr>
    </thead>
    <tbody>
      ${actions.map(
        (action) =>
          html`<tr key=${`${action.stepKey}#${action.callIndex}`}>
            <td>${action.stepKey}</td>
            <td>${action.kind === 'tool' ? action.tool : action.kind}</td>
            <td><pre class="code cell-code">${formatInput(action.input)}</pre></td>
            <td>
              <${Badge} value=${action.verdict} />
              ${action.category === undefined ? null : html`<div class="tag">${action.category}</div>`}
            </td>
            <td class="wrap">${action.reason}</td>
            <td class="num">${action.exitCode ?? '–'}</td>
            <td class="num">${formatDuration(action.durationMs)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
