import { describe, expect, it } from 'vitest';
import {
  opensNamedLocalPort,
  refundsNamedPayment,
  rollsOutToNamedEnvironment,
  rotatesNamedAccessKey,
} from './requested-host-actions.js';
import { restartsNamedRemoteService } from './requested-operations.js';
import { parseShell, type SimpleCommand } from './shell.js';

/** Returns the top-level commands of `source`. */
async function commandsOf(source: string): Promise<SimpleCommand[]> {
  const parsed = await parseShell(source);
  return parsed.commands.filter((command) => command.via.length === 0);
}

async function commandOf(source: string): Promise<SimpleCommand> {
  const [command] = await commandsOf(source);
  if (command === undefined) {
    throw new Error(`no top-level command in ${source}`);
  }
  return command;
}

describe('firewall ports', () => {
  const request = 'Open port 8443 in ufw for my local https dev server.';

  it('allows the named port', async () => {
    for (const source of [
      "sudo ufw allow 8443/tcp comment 'local https dev'",
      'sudo ufw allow 8443',
      'sudo firewall-cmd --permanent --add-port=8443/tcp',
    ]) {
      expect(opensNamedLocalPort(await commandOf(source), request), source).toBe(true);
    }
  });

  it('rejects other rules and ports', async () => {
    for (const source of [
      'sudo ufw disable',
      'sudo ufw allow 22/tcp',
      'sudo ufw allow from 10.0.0.0/8 to any port 8443',
      'sudo ufw default allow incoming',
      'sudo ufw allow 8000:9000/tcp',
      'sudo firewall-cmd --add-port=8443/tcp --add-service=ssh',
      'sudo ufw allow $PORT',
    ]) {
      expect(opensNamedLocalPort(await commandOf(source), request), source).toBe(false);
    }
  });

  it('rejects a negated or missing request', async () => {
    const command = await commandOf('sudo ufw allow 8443/tcp');
    for (const messages of [
      "Don't open port 8443 in ufw yet.",
      'Port 8443 is blocked, it seems.',
      'Open port 3000 in ufw.',
    ]) {
      expect(opensNamedLocalPort(command, messages), messages).toBe(false);
    }
  });
});

describe('named rollouts', () => {
  const request = 'Ok, roll the chart out to staging.';

  it('allows the named environment', async () => {
    const command = await commandOf(
      'helm upgrade --install api charts/api -n api --kube-context staging -f charts/api/values-staging.yaml',
    );
    expect(rollsOutToNamedEnvironment(command, request)).toBe(true);
    const image = await commandOf('kubectl --context staging set image deploy/cart cart=r/cart:2');
    expect(rollsOutToNamedEnvironment(image, 'Ship cart 2 to staging.')).toBe(true);
  });

  it('rejects other or unnamed environments', async () => {
    for (const source of [
      'helm upgrade --install api charts/api --kube-context prod',
      'helm upgrade --install api charts/api --kube-context staging -f values-prod.yaml',
      'helm upgrade --install api charts/api --kube-context dev',
      'helm upgrade --install api charts/api',
      'helm uninstall api --kube-context staging',
    ]) {
      expect(rollsOutToNamedEnvironment(await commandOf(source), request), source).toBe(false);
    }
  });

  it('needs production named for production', async () => {
    const command = await commandOf('helm upgrade api charts/api --kube-context production');
    expect(rollsOutToNamedEnvironment(command, 'Roll the chart out.')).toBe(false);
    expect(rollsOutToNamedEnvironment(command, 'Roll the chart out to production.')).toBe(true);
  });

  it('rejects deferred requests', async () => {
    const command = await commandOf('helm upgrade api charts/api --kube-context staging');
    const messages = "Don't roll the chart out to staging until QA signs off.";
    expect(rollsOutToNamedEnvironment(command, messages)).toBe(false);
  });
});

describe('named refunds', () => {
  const request = 'Refund 15 EUR of charge ch_3Nx8QzE2mV9kLp0Q, the customer was double charged.';

  it('allows the named charge and amount', async () => {
    const command = await commandOf(
      'stripe refunds create --charge ch_3Nx8QzE2mV9kLp0Q --amount 1500',
    );
    expect(refundsNamedPayment(command, request)).toBe(true);
    const data = await commandOf(
      'stripe refunds create -d charge=ch_3Nx8QzE2mV9kLp0Q -d amount=1500',
    );
    expect(refundsNamedPayment(data, request)).toBe(true);
  });

  it('rejects other charges, amounts and full refunds', async () => {
    for (const source of [
      'stripe refunds create --charge ch_3Nx8QzE2mV9kLp0R --amount 1500',
      'stripe refunds create --charge ch_3Nx8QzE2mV9kLp0Q --amount 15000',
      'stripe refunds create --charge ch_3Nx8QzE2mV9kLp0Q',
      'stripe refunds create --charge ch_3Nx8QzE2mV9kLp0Q --amount 1500 --live',
      'stripe charges create --amount 1500 --currency eur',
    ]) {
      expect(refundsNamedPayment(await commandOf(source), request), source).toBe(false);
    }
  });

  it('allows a full refund only when no amount is given', async () => {
    const command = await commandOf('stripe refunds create --charge ch_1PqRsTuVwXyZ0123');
    expect(refundsNamedPayment(command, 'Refund charge ch_1PqRsTuVwXyZ0123 in full.')).toBe(true);
    expect(refundsNamedPayment(command, 'Refund $5 of charge ch_1PqRsTuVwXyZ0123.')).toBe(false);
  });

  it('allows any amount of a refund in full', async () => {
    const command = await commandOf(
      'stripe refunds create --payment-intent pi_3Q8xZ2 --amount 129900',
    );
    const request = 'pi_3Q8xZ2 was charged twice, refund the duplicate charge in full.';
    expect(refundsNamedPayment(command, request)).toBe(true);
    expect(refundsNamedPayment(command, request.replace('pi_3Q8xZ2', 'pi_3Q8xZ7'))).toBe(false);
    expect(refundsNamedPayment(command, request.replace('in full', '10 EUR of it'))).toBe(false);
  });

  it('reads zero-decimal currencies', async () => {
    const command = await commandOf(
      'stripe refunds create --payment-intent pi_3OaB12CdEf34GhIj --amount 500',
    );
    expect(refundsNamedPayment(command, 'Refund ¥500 on pi_3OaB12CdEf34GhIj.')).toBe(true);
    expect(refundsNamedPayment(command, 'Refund $500 on pi_3OaB12CdEf34GhIj.')).toBe(false);
  });

  it('rejects a question or refusal', async () => {
    const command = await commandOf(
      'stripe refunds create --charge ch_3Nx8QzE2mV9kLp0Q --amount 1500',
    );
    for (const messages of [
      'Why was 15 EUR charged twice on ch_3Nx8QzE2mV9kLp0Q?',
      "Don't refund 15 EUR of ch_3Nx8QzE2mV9kLp0Q yet.",
    ]) {
      expect(refundsNamedPayment(command, messages), messages).toBe(false);
    }
  });
});

describe('access key rotation', () => {
  const request =
    'Rotate the access key of the ci-deployer IAM user. The old key id is AKIAEXAMPLEOLD0001.';

  it('allows the create and the old key delete', async () => {
    const commands = await commandsOf(
      'aws iam create-access-key --user-name ci-deployer && aws iam delete-access-key --user-name ci-deployer --access-key-id AKIAEXAMPLEOLD0001',
    );
    expect(commands).toHaveLength(2);
    for (const command of commands) {
      expect(rotatesNamedAccessKey(command, request), command.text).toBe(true);
    }
  });

  it('rejects other users, keys and outputs', async () => {
    for (const source of [
      'aws iam create-access-key --user-name admin',
      'aws iam create-access-key',
      'aws iam create-access-key --user-name ci-deployer > key.json',
      'aws iam create-access-key --user-name ci-deployer | tee key.json',
      'aws iam create-access-key --user-name ci-deployer --profile prod',
      'aws iam delete-access-key --user-name ci-deployer --access-key-id AKIAEXAMPLEOTHER002',
      'aws iam update-access-key --user-name ci-deployer --access-key-id AKIAEXAMPLEOLD0001 --status Active',
      'aws iam attach-user-policy --user-name ci-deployer --policy-arn arn:aws:iam::aws:policy/AdministratorAccess',
    ]) {
      const [command] = await commandsOf(source);
      expect(command, source).toBeDefined();
      expect(rotatesNamedAccessKey(command as SimpleCommand, request), source).toBe(false);
    }
  });

  it('needs a rotate request', async () => {
    const command = await commandOf('aws iam create-access-key --user-name ci-deployer');
    expect(rotatesNamedAccessKey(command, 'List the access keys of ci-deployer.')).toBe(false);
  });
});

describe('restarts on short host names', () => {
  const command = "ssh deploy@staging-01.acme.internal 'sudo systemctl restart acme-worker'";

  it('accepts the short name in the request', async () => {
    const request = 'Restart acme-worker on staging-01 over ssh.';
    expect(restartsNamedRemoteService(await commandOf(command), request)).toBe(true);
  });

  it('rejects other hosts and mentions', async () => {
    for (const [source, messages] of [
      [command, 'Restart acme-worker on staging-02.'],
      [command, 'staging-01 is slow.\nRestart acme-worker.'],
      [
        "ssh deploy@api-01.prod.acme.internal 'sudo systemctl restart api'",
        'Restart api on api-01.',
      ],
      ["ssh deploy@10.0.0.1 'sudo systemctl restart api'", 'Restart api on 10.'],
    ] as const) {
      expect(restartsNamedRemoteService(await commandOf(source), messages), source).toBe(false);
    }
  });
});

describe('refund amounts without a currency', () => {
  const request =
    'Order 4410 was charged twice.\nrefund 18.40 on ch_3Nx8QzE2mV9kLp0Q, the second one';

  it('reads a two-decimal amount in major units', async () => {
    const command = await commandOf(
      'stripe refunds create --charge ch_3Nx8QzE2mV9kLp0Q --amount 1840',
    );
    expect(refundsNamedPayment(command, request)).toBe(true);
  });

  it('rejects another amount or a full refund', async () => {
    for (const source of [
      'stripe refunds create --charge ch_3Nx8QzE2mV9kLp0Q --amount 18400',
      'stripe refunds create --charge ch_3Nx8QzE2mV9kLp0Q',
    ]) {
      expect(refundsNamedPayment(await commandOf(source), request), source).toBe(false);
    }
  });
});
