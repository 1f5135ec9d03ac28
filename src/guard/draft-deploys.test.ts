import { describe, expect, it } from 'vitest';
import { firstCommand } from '../../test/helpers/guard.js';
import { deploysRequestedDraft } from './draft-deploys.js';

const DRAFT = 'Make a Netlify draft deploy so design can look at it.';
const PREVIEW = 'Create a preview deployment on Vercel for QA.';

describe('deploysRequestedDraft', () => {
  it.each([
    ["netlify deploy --dir=dist --message 'preview for PR 4'", DRAFT, true],
    ['netlify deploy --dir dist --alias review-4 --json', DRAFT, true],
    ['vercel deploy --yes', PREVIEW, true],
    ['vercel', PREVIEW, true],
    ['netlify deploy --dir=dist --prod', DRAFT, false],
    ['netlify deploy --dir=dist --prod-if-unlocked', DRAFT, false],
    ['vercel deploy --prod', PREVIEW, false],
    ['vercel deploy --target=production', PREVIEW, false],
    ['netlify deploy --dir=dist', PREVIEW, false],
    ['netlify deploy --dir=dist', 'Make a Netlify draft deploy once the copy is final.', false],
    ['netlify deploy --dir=dist', `${DRAFT}\nActually, hold off.`, false],
    ['netlify deploy --dir=dist', 'Should we make a Netlify draft deploy?', false],
    ['netlify deploy --dir dist', 'Deploy the site.\nWait, only a draft deploy for now.', true],
    ['netlify deploy --dir dist', 'Do a draft deploy on Vercel for now.', false],
    ['netlify deploy --dir dist --prod', 'Wait, only a draft deploy for now.', false],
  ])('%s after %j gives %s', async (command, message, expected) => {
    expect(deploysRequestedDraft(await firstCommand(command), message)).toBe(expected);
  });
});
