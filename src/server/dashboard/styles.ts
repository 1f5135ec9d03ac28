/**
 * The dashboard's style sheet, served as `/dashboard/app.css`. It lives in a module rather
 * than a `.css` file so that `tsc` puts it into `dist` with the rest of the server.
 */
export const DASHBOARD_CSS = `
:root {
  --bg: #f5f6f8;
  --panel: #ffffff;
  --text: #1d2330;
  --muted: #667085;
  --line: #e3e6eb;
  --accent: #3559e0;
  --accent-soft: #e8edfd;
  --ok: #137a3f;
  --ok-soft: #e3f5ea;
  --info: #1f5fbf;
  --info-soft: #e4eefb;
  --warn: #925d00;
  --warn-soft: #fdf1d8;
  --bad: #b42318;
  --bad-soft: #fde8e6;
  --muted-soft: #eef0f3;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--text);
  background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre { font-family: var(--mono); font-size: 12.5px; }
h1 { font-size: 20px; margin: 0; font-weight: 650; word-break: break-all; }
h2 { font-size: 15px; margin: 28px 0 10px; font-weight: 650; }
.count { display: inline-block; min-width: 22px; padding: 0 7px; margin-left: 4px; border-radius: 11px;
  background: var(--muted-soft); color: var(--muted); font-size: 12px; text-align: center; }

.topbar { display: flex; align-items: center; gap: 28px; padding: 0 28px; height: 54px;
  background: #161b26; color: #e9ecf2; position: sticky; top: 0; z-index: 2; }
.brand { display: flex; align-items: center; gap: 9px; font-weight: 700; font-size: 16px; letter-spacing: 0.2px; }
.brand-mark { width: 18px; height: 18px; border-radius: 5px;
  background: linear-gradient(135deg, #6d8cff 0%, #3559e0 55%, #21b17a 100%); }
.brand-large { font-size: 22px; color: var(--text); margin-bottom: 6px; }
.brand-large .brand-mark { width: 24px; height: 24px; border-radius: 7px; }
.nav { display: flex; gap: 4px; flex: 1; }
.nav-link { color: #b8c0d0; padding: 7px 12px; border-radius: 7px; font-weight: 500; }
.nav-link:hover { color: #fff; background: #232a3a; text-decoration: none; }
.nav-on { color: #fff; background: #2b3447; }
.who { display: flex; align-items: center; gap: 10px; color: #b8c0d0; }
.who strong { color: #fff; }
.who-role { text-transform: uppercase; font-size: 11px; letter-spacing: 0.6px; padding: 2px 7px;
  border: 1px solid #3a4458; border-radius: 5px; }

.content { max-width: 1240px; margin: 0 auto; padding: 24px 28px 64px; }
.page-header { display: flex; align-items: center; justify-content: space-between; gap: 16px; margin-bottom: 14px; }
.page-header-side { display: flex; align-items: center; gap: 12px; }
.live { display: inline-flex; align-items: center; gap: 6px; color: var(--muted); font-size: 12px; white-space: nowrap; }
.live-dot { width: 8px; height: 8px; border-radius: 50%; background: #21b17a; box-shadow: 0 0 0 3px #d3f2e3; }
.breadcrumb { color: var(--muted); font-size: 13px; margin-bottom: 6px; }
.section-head { display: flex; align-items: center; justify-content: space-between; gap: 12px; margin: 28px 0 10px; }
.section-head h2 { margin: 0; }
.note { margin-top: 24px; padding: 12px 14px; border-radius: 8px; background: var(--info-soft); color: #1b3e73; }

.table { width: 100%; border-collapse: separate; border-spacing: 0; background: var(--panel);
  border: 1px solid var(--line); border-radius: 10px; overflow: hidden; }
.table th { text-align: left; font-weight: 600; font-size: 12px; color: var(--muted); text-transform: uppercase;
  letter-spacing: 0.4px; padding: 9px 12px; background: #fafbfc; border-bottom: 1px solid var(--line); white-space: nowrap; }
.table td { padding: 9px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
.table tbody tr:last-child td { border-bottom: 0; }
.table tbody tr:hover td { background: #fafbff; }
.table .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.table .wrap { max-width: 380px; overflow-wrap: anywhere; }
.table .nowrap { white-space: nowrap; }
.table tr.total td { font-weight: 650; background: #fafbfc; }
.clip { display: inline-block; max-width: 320px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: bottom; }
.code { margin: 0; padding: 10px 12px; background: #f3f4f7; border: 1px solid var(--line); border-radius: 7px;
  white-space: pre-wrap; overflow-wrap: anywhere; max-height: 320px; overflow: auto; }
.cell-code { padding: 4px 7px; max-width: 360px; max-height: 120px; }

.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600;
  white-space: nowrap; margin: 1px 0; }
.badge-ok { background: var(--ok-soft); color: var(--ok); }
.badge-info { background: var(--info-soft); color: var(--info); }
.badge-warn { background: var(--warn-soft); color: var(--warn); }
.badge-bad { background: var(--bad-soft); color: var(--bad); }
.badge-muted { background: var(--muted-soft); color: var(--muted); }
.tag { display: inline-block; font-size: 11.5px; color: var(--muted); font-family: var(--mono); margin-top: 3px; }
.ready-full { color: var(--ok); font-weight: 600; }
.ready-short { color: var(--warn); font-weight: 600; }

.banner { padding: 10px 14px; border-radius: 8px; margin: 12px 0; overflow-wrap: anywhere; }
.banner-error { background: var(--bad-soft); color: #7a1a12; border: 1px solid #f6c7c1; }
.banner-warn { background: var(--warn-soft); color: #6b4500; border: 1px solid #f2dba7; }
.error-code { background: #f9d2cd; padding: 1px 5px; border-radius: 4px; }
.empty { padding: 26px 20px; text-align: center; background: var(--panel); border: 1px dashed #cfd4dc; border-radius: 10px; }
.empty-title { font-weight: 600; }
.empty-hint { color: var(--muted); margin-top: 4px; }
.loading { color: var(--muted); padding: 16px 0; }

.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 10px; margin: 0 0 8px; }
.facts div { background: var(--panel); border: 1px solid var(--line); border-radius: 9px; padding: 10px 12px; min-width: 0; }
.facts dt { color: var(--muted); font-size: 12px; }
.facts dd { margin: 2px 0 0; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.panel { border-radius: 10px; padding: 4px 16px 16px; margin: 18px 0; }
.panel-warn { background: #fffaf0; border: 1px solid #f2dba7; }
.panel-warn h2 { color: var(--warn); margin-top: 14px; }

.approval-list { display: grid; gap: 12px; }
.approval-card { background: var(--panel); border: 1px solid var(--line); border-left: 4px solid #e0a100;
  border-radius: 9px; padding: 12px 14px; display: grid; gap: 8px; }
.approval-head { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
.approval-tool { font-weight: 650; }
.approval-time { margin-left: auto; color: var(--muted); font-size: 12px; }
.approval-reason { color: var(--text); }
.approval-meta { display: flex; gap: 16px; flex-wrap: wrap; color: var(--muted); font-size: 12.5px; }
.approval-actions { display: flex; gap: 8px; }

.button { font: inherit; font-weight: 600; padding: 7px 14px; border-radius: 7px; border: 1px solid transparent; cursor: pointer; }
.button:disabled { opacity: 0.55; cursor: default; }
.button-primary { background: var(--accent); color: #fff; }
.button-primary:hover:not(:disabled) { background: #2946c0; }
.button-approve { background: var(--ok); color: #fff; }
.button-approve:hover:not(:disabled) { background: #0e6532; }
.button-deny { background: #fff; color: var(--bad); border-color: #f0b7b0; }
.button-deny:hover:not(:disabled) { background: var(--bad-soft); }
.button-quiet { background: transparent; color: #d3d9e4; border-color: #3a4458; padding: 4px 10px; }
.button-quiet:hover { background: #232a3a; }
.toggle { display: flex; align-items: center; gap: 6px; color: var(--muted); cursor: pointer; }
.segmented { display: inline-flex; border: 1px solid var(--line); border-radius: 8px; overflow: hidden; background: var(--panel); }
.segment { font: inherit; font-size: 12.5px; padding: 5px 12px; border: 0; background: transparent; color: var(--muted); cursor: pointer; }
.segment + .segment { border-left: 1px solid var(--line); }
.segment-on { background: var(--accent-soft); color: var(--accent); font-weight: 600; }

.login { min-height: 100vh; display: flex; align-items: center; justify-content: center; padding: 24px; }
.login-card { width: 100%; max-width: 430px; background: var(--panel); border: 1px solid var(--line); border-radius: 14px;
  padding: 28px; display: grid; gap: 10px; box-shadow: 0 10px 30px rgba(20, 30, 60, 0.08); }
.login-intro { color: var(--muted); margin: 0 0 6px; }
.login-card label { font-weight: 600; font-size: 13px; }
.login-card input { font: inherit; font-family: var(--mono); padding: 9px 11px; border: 1px solid #cfd4dc; border-radius: 8px; }
.login-card input:focus { outline: 2px solid var(--accent-soft); border-color: var(--accent); }
.login-card .button { margin-top: 6px; padding: 9px 14px; }

.waterfall { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 6px 0; }
.wf-row { display: grid; grid-template-columns: minmax(200px, 32%) 1fr 80px; align-items: center; gap: 10px; padding: 3px 14px; }
.wf-row:hover { background: #fafbff; }
.wf-axis { color: var(--muted); font-size: 11.5px; border-bottom: 1px solid var(--line); padding-bottom: 6px; margin-bottom: 4px; }
.wf-axis:hover { background: none; }
.wf-label { display: flex; gap: 7px; align-items: baseline; min-width: 0; white-space: nowrap; overflow: hidden; }
.wf-name { font-family: var(--mono); font-size: 12.5px; }
.wf-detail { color: var(--muted); overflow: hidden; text-overflow: ellipsis; font-size: 12.5px; }
.wf-depth-1 { padding-left: 16px; } .wf-depth-2 { padding-left: 32px; } .wf-depth-3 { padding-left: 48px; }
.wf-depth-4 { padding-left: 64px; } .wf-depth-5 { padding-left: 80px; } .wf-depth-6 { padding-left: 96px; }
.wf-track { width: 100%; height: 14px; display: block; }
.wf-ticks { position: relative; height: 16px; }
.wf-tick { position: absolute; transform: translateX(-50%); white-space: nowrap; }
.wf-tick-0 { left: 0; transform: none; } .wf-tick-25 { left: 25%; } .wf-tick-50 { left: 50%; }
.wf-tick-75 { left: 75%; } .wf-tick-100 { left: 100%; transform: translateX(-100%); }
.wf-grid { stroke: #eceef2; stroke-width: 1; }
.wf-duration { text-align: right; font-variant-numeric: tabular-nums; color: var(--muted); font-size: 12.5px; }
.wf-bar { fill: #8a94a6; }
.wf-bar-workflow-run { fill: #3559e0; }
.wf-bar-workflow-step { fill: #21b17a; }
.wf-bar-guard { fill: #e0a100; }
.wf-bar-guard-block { fill: #d9480f; }
.wf-bar-sandbox-claim { fill: #8b5cf6; }
.wf-bar-sandbox-exec { fill: #0ea5b7; }
.wf-bar-error { fill: var(--bad); }

.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 10px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.card-label { color: var(--muted); font-size: 12px; }
.card-value { font-size: 20px; font-weight: 650; font-variant-numeric: tabular-nums; margin-top: 2px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 12px; margin-bottom: 12px; }
.chart { margin: 0; background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.chart figcaption { font-weight: 600; font-size: 13px; margin-bottom: 8px; }
.chart-row { display: grid; grid-template-columns: minmax(90px, 30%) 1fr 90px; gap: 10px; align-items: center; padding: 3px 0; }
.chart-label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-size: 12.5px; }
.chart-track { width: 100%; height: 14px; display: block; background: #f1f3f6; border-radius: 3px; }
.chart-bar-primary { fill: #3559e0; }
.chart-bar-secondary { fill: #21b17a; }
.chart-value { text-align: right; font-variant-numeric: tabular-nums; font-size: 12.5px; }
.models { margin: 0; padding-left: 18px; color: var(--muted); }
.models li { margin: 4px 0; }
.models strong { color: var(--text); }
.start-run { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; margin: 0 0 16px; }
.start-run-fields { display: flex; align-items: flex-end; gap: 12px; flex-wrap: wrap; }
.start-run label { display: flex; flex-direction: column; gap: 4px; font-weight: 600; font-size: 13px; }
.start-run-params { flex: 1; min-width: 260px; }
.start-run select, .start-run textarea, .toggle select { font: inherit; padding: 6px 9px; border: 1px solid #cfd4dc; border-radius: 7px; background: #fff; }
.start-run textarea { font-family: var(--mono); resize: vertical; }
.start-run .banner { margin: 10px 0 0; }
`;
