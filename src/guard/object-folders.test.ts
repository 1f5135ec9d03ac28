import { describe, expect, it } from 'vitest';
import { namedChildFolders, namesChildFolder, namesOnlyChildOf } from './object-folders.js';

const REQUEST =
  'Delete the checkpoint-100 folder from the churn run in s3://ml-bucket/runs/churn-7/.';

describe('namedChildFolders', () => {
  it('joins the folder name to the parent URI', () => {
    expect(namedChildFolders(REQUEST)).toEqual(['s3://ml-bucket/runs/churn-7/checkpoint-100']);
  });

  it('reads no folder when a sentence has two URIs', () => {
    expect(namedChildFolders('Delete the logs folder in s3://a/x/ or s3://b/y/.')).toEqual([]);
  });

  it('skips words that name no folder', () => {
    expect(namedChildFolders('Delete the whole folder s3://a/x/.')).toEqual([]);
  });
});

describe('namesChildFolder', () => {
  it.each([
    ['s3://ml-bucket/runs/churn-7/checkpoint-100/', true],
    ['s3://ml-bucket/runs/churn-7/checkpoint-100', true],
    ['s3://ml-bucket/runs/churn-7/checkpoint-200/', false],
    ['s3://ml-bucket/runs/churn-7/', false],
  ])('%s gives %s', (uri, expected) => {
    expect(namesChildFolder(REQUEST, uri)).toBe(expected);
  });
});

describe('namesOnlyChildOf', () => {
  it.each([
    ['s3://ml-bucket/runs/churn-7/', true],
    ['s3://ml-bucket/runs/', true],
    ['s3://ml-bucket/runs/churn-7/checkpoint-100/', false],
    ['s3://other-bucket/runs/churn-7/', false],
  ])('%s gives %s', (uri, expected) => {
    expect(namesOnlyChildOf(REQUEST, uri)).toBe(expected);
  });
});
