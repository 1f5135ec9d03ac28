import { describe, expect, it } from 'vitest';

import { deletedParent } from './parent-deletes.js';

function check(tool: string, input: Record<string, unknown>, messages: string) {
  return deletedParent({ tool, input }, messages);
}

describe('deletedParent', () => {
  it('flags a whole model when its versions were asked about', () => {
    expect(
      check(
        'mcp__mlflow__delete_registered_model',
        { name: 'ranker' },
        'Clean up the old versions of ranker.',
      ),
    ).toBe('ranker');
    expect(
      check('mcp__registry__delete_repository', { name: 'web' }, "Prune web's stale images."),
    ).toBe('web');
  });

  it('leaves deletes of parts alone', () => {
    expect(
      check(
        'mcp__mlflow__delete_model_version',
        { name: 'ranker', version: '3' },
        'Clean up the old versions of ranker.',
      ),
    ).toBeUndefined();
    expect(
      check(
        'mcp__registry__delete_image',
        { name: 'web', tag: 'v1' },
        'Prune the old images of web.',
      ),
    ).toBeUndefined();
  });

  it('leaves a delete of the whole when it was asked', () => {
    expect(
      check('mcp__mlflow__delete_registered_model', { name: 'ranker' }, 'Delete the ranker model.'),
    ).toBeUndefined();
  });

  it('reads the last tool word as the object', () => {
    expect(
      check(
        'mcp__wandb__delete_artifact_collection',
        { name: 'churn' },
        'Remove the stale checkpoints of churn.',
      ),
    ).toBe('churn');
  });
});
