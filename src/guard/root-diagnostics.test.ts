import { describe, expect, it } from 'vitest';
import { runsRequestedRootDiagnostic } from './root-diagnostics.js';
import { parseShell, type SimpleCommand } from './shell.js';

async function commandOf(source: string): Promise<SimpleCommand> {
  const command = (await parseShell(source)).commands[0];
  if (command === undefined) {
    throw new Error(`no command in ${source}`);
  }
  return command;
}

const PORTS = 'Which processes are listening on which ports?';

describe('root diagnostics', () => {
  it('allows a listing the user asked about', async () => {
    expect(runsRequestedRootDiagnostic(await commandOf('sudo ss -ltnp'), PORTS, PORTS)).toBe(true);
  });

  it('rejects a writing option', async () => {
    const kill = await commandOf('sudo ss -K dport = :8080');
    expect(runsRequestedRootDiagnostic(kill, PORTS, PORTS)).toBe(false);
    const clear = await commandOf('sudo dmesg -C');
    const kernel = 'Did the kernel log an OOM kill?';
    expect(runsRequestedRootDiagnostic(clear, kernel, kernel)).toBe(false);
  });

  it('rejects an unrelated request', async () => {
    const request = 'Fix the failing unit test.';
    expect(runsRequestedRootDiagnostic(await commandOf('sudo ss -ltnp'), request, request)).toBe(
      false,
    );
  });

  it('rejects a refusal of sudo', async () => {
    const all = `${PORTS}\nDon't use sudo.`;
    expect(runsRequestedRootDiagnostic(await commandOf('sudo ss -ltnp'), PORTS, all)).toBe(false);
  });

  it('rejects other programs', async () => {
    expect(runsRequestedRootDiagnostic(await commandOf('sudo tee /etc/hosts'), PORTS, PORTS)).toBe(
      false,
    );
  });
});

describe('root diagnostics with sudo options or other journals', () => {
  it('rejects sudo options', async () => {
    for (const source of ['sudo -s ss -ltnp', 'sudo -i ss -ltnp', 'sudo -E ss -ltnp']) {
      expect(runsRequestedRootDiagnostic(await commandOf(source), PORTS, PORTS)).toBe(false);
    }
  });

  it('accepts sudo -n', async () => {
    expect(runsRequestedRootDiagnostic(await commandOf('sudo -n ss -ltnp'), PORTS, PORTS)).toBe(
      true,
    );
  });

  it('rejects journals from other paths', async () => {
    const logs = 'Show the service logs.';
    for (const source of [
      'sudo journalctl --file /home/alice/user.journal',
      'sudo journalctl -D /home/alice/journal',
      'sudo journalctl --root=/mnt/backup',
    ]) {
      expect(runsRequestedRootDiagnostic(await commandOf(source), logs, logs)).toBe(false);
    }
  });
});
