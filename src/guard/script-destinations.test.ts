import { describe, expect, it } from 'vitest';
import { scriptDestinations } from './script-destinations.js';

function destinations(command: string): string[] {
  const argv = command.split(' ');
  const program = (argv[0] ?? '').slice((argv[0] ?? '').lastIndexOf('/') + 1);
  return scriptDestinations(argv, program).map((found) => found.value);
}

describe('scriptDestinations', () => {
  it.each([
    ['python3 -u export.py s3://b/x', 's3://b/x'],
    ['node sync.js gs://b/x', 'gs://b/x'],
    ['./upload.sh https://h.example/x', 'https://h.example/x'],
    ['Rscript dump.R sftp://h.example/x', 'sftp://h.example/x'],
    ['bash run.sh deploy@h.example:/srv/x', 'deploy@h.example:/srv/x'],
    ['python main.py --days 3 s3://b/x', 's3://b/x'],
    ['scripts/uploadReport.js https://h.example/x', 'https://h.example/x'],
  ])('finds the destination of %s', (command, expected) => {
    expect(destinations(command)).toEqual([expected]);
  });

  it.each([
    'python fetch.py https://h.example/x',
    'python download_model.py s3://b/x',
    'python main.py https://h.example/x',
    './check_links.sh https://h.example/',
    'python -m export s3://b/x',
    'python -c print(1) s3://b/x',
    'aws s3 cp x s3://b/x',
    'python export.py data/out.csv',
  ])('finds nothing in %s', (command) => {
    expect(destinations(command)).toEqual([]);
  });
});
