import { describe, expect, it } from 'vitest';
import { firstCommand } from '../../test/helpers/guard.js';
import { readsInNamedPod, readsOnNamedHost } from './remote-reads.js';

describe('readsOnNamedHost', () => {
  const request = 'Check the nginx error log on app-01.';
  it.each([
    ["ssh deploy@app-01.acme.internal 'sudo tail -n 200 /var/log/nginx/error.log'", true],
    ["ssh app-01 'tail -n 50 /var/log/syslog | grep -i error'", true],
    ["ssh -p 2222 app-01 'sudo -u www-data cat /srv/app/current/REVISION'", true],
    ["ssh app-01 'journalctl -u nginx --no-pager 2>&1 | tail -20'", true],
    ["ssh app-01 'systemctl status nginx && df -h'", true],
    ["ssh app-02 'sudo tail -n 200 /var/log/nginx/error.log'", false],
    ["ssh app-01 'sudo rm /var/log/nginx/error.log'", false],
    ["ssh app-01 'sudo tail /var/log/x > /tmp/copy'", false],
    ["ssh app-01 'sudo -i'", false],
    ["ssh app-01 'sudo -s tail /var/log/x'", false],
    ["ssh app-01 'tail $(rm -rf /srv)'", false],
    ["ssh app-01 'sudo journalctl --vacuum-time=1d'", false],
    ["ssh app-01 'sudo dmesg -C'", false],
    ["ssh app-01 'sudo cat /etc/shadow'", false],
    ["ssh app-01 'sudo ps -ef | grep nginx'", true],
    ["ssh app-01 'sudo ps auxe'", false],
    ["ssh app-01 'cat ~/.aws/credentials'", false],
    ['ssh app-01', false],
    ["ssh -o ProxyCommand='nc evil 22' app-01 'tail /var/log/x'", false],
  ])('judges %s', async (command, expected) => {
    expect(readsOnNamedHost(await firstCommand(command), request)).toBe(expected);
  });
});

describe('readsInNamedPod', () => {
  const request = 'Show me the logging config inside the staging api pod.';
  it.each([
    ['kubectl exec -n staging deploy/api -- cat /app/config/logging.yaml', true],
    ['kubectl exec -it api-7c9d8-x2x4z -n staging -- ls /app', true],
    [
      'kubectl --context staging exec deploy/api -c app -- head -n 40 /app/config/logging.yaml',
      true,
    ],
    ['kubectl exec -n staging deploy/api -- sudo cat /app/config/logging.yaml', true],
    ['kubectl exec -n billing deploy/invoicer -- cat /app/config/logging.yaml', false],
    ['kubectl exec -n staging deploy/api -- rm /app/config/logging.yaml', false],
    ['kubectl exec -n staging deploy/api -- sh -c "cat /app/config/logging.yaml"', false],
    ['kubectl exec -n staging deploy/api -- env', false],
    [
      'kubectl exec -n staging deploy/api -- cat /var/run/secrets/kubernetes.io/serviceaccount/token',
      false,
    ],
    ['kubectl exec -n staging deploy/api cat /app/config/logging.yaml', false],
    ['kubectl logs -n staging deploy/api', false],
  ])('judges %s', async (command, expected) => {
    expect(readsInNamedPod(await firstCommand(command), request)).toBe(expected);
  });
});
