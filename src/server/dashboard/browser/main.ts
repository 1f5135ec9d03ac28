/**
 * Entry point of the dashboard's browser script, bundled by `../bundle.ts`.
 */
import { html, render } from 'htm/preact';
import { App } from './app.js';

const root = document.getElementById('app');
if (root === null) {
  throw new Error('The dashboard page has no #app element');
}
root.textContent = '';
render(html`<${App} />`, root);
