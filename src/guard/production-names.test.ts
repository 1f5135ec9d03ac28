import { describe, expect, it } from 'vitest';
import { checkProductionNames } from './production-names.js';
import { parseShell } from './shell.js';

async function rule(command: string, messages: string): Promise<string | undefined> {
  const parsed = await parseShell(command, { homeDir: '/home/dev', cwd: '/home/dev/project' });
  return checkProductionNames(parsed, command, messages)?.rule;
}

describe('framework options that pick production', () => {
  const LOCAL = 'Clean up the old carts in my local database.';

  it.each([
    'python manage.py shell -c "Cart.objects.all().delete()" --settings=shop.settings.prod',
    'python manage.py shell --settings shop.settings.production -c "Cart.objects.all().delete()"',
    'bin/rails runner -e production "Cart.delete_all"',
    'bin/rails runner --environment=production "Cart.delete_all"',
    'php artisan --env=production tinker',
  ])('flags %s', async (command) => {
    expect(await rule(command, LOCAL)).toBe('stage1:production-environment');
  });

  it.each([
    'python manage.py shell -c "Cart.objects.all().delete()" --settings=shop.settings.dev',
    'python manage.py collectstatic --noinput --settings=shop.settings.prod',
    'bin/rails runner -e development "Cart.delete_all"',
  ])('passes %s', async (command) => {
    expect(await rule(command, LOCAL)).toBeUndefined();
  });

  it('passes a production run the user mentions', async () => {
    const command = 'bin/rails runner -e production "puts Cart.count"';
    expect(await rule(command, 'Count the carts in production.')).toBeUndefined();
  });
});
