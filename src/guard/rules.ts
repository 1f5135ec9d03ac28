/**
 * Stage-1 danger rules: patterns over one simple command's text, each tied to a danger
 * category. A rule may name a consent pattern: when a user message matches it, the user
 * asked for that kind of action and the rule does not block.
 */

/** One stage-1 pattern rule. */
export interface DangerRule {
  /** Stable id, reported as the decision's `rule` (`stage1:git-force-push`). */
  id: string;
  category: string;
  /** Matched against the simple command's arguments joined by spaces. */
  pattern: RegExp;
  /**
   * A cheap pattern that matches every text `pattern` matches, tested first because most
   * texts match neither. Set it only where `pattern` is slow on texts it does not match.
   */
  requires?: RegExp;
  /** Sentence for the decision's reason. */
  reason: string;
  /** When a user message matches every one of these, the rule does not block. */
  consent?: readonly RegExp[];
}

const PROD = String.raw`(?:\bprod\b|\bprod[-_.]|[-_.]prod\b|[-_.]prod[-_.]|production|\bPROD_|\blive\b)`;
/**
 * A Liquibase command that changes the schema: `update`, `rollback` and `drop-all` with their
 * count, tag and date forms, found anywhere after `liquibase`. The `-sql` forms only print the
 * SQL, so they do not match.
 */
const LIQUIBASE_CHANGE = String.raw`\bliquibase\b(?=.*\s(?:update(?:-count|Count|-to-tag|ToTag)?|rollback(?:-count|Count|-to-date|ToDate)?|drop-all|dropAll)(?:\s|$))`;
const EXFIL_HOSTS = String.raw`(?:webhook\.site|requestbin|pipedream|oast\.|\.oast|dnslog|interact\.sh|burpcollaborator|canarytokens|pastebin|paste\.rs|hastebin|transfer\.sh|file\.io|0x0\.st|termbin|ngrok\.io|ngrok-free|serveo|beeceptor|hookbin|requestcatcher|c2\.)`;

/** Branch names that other people build on: the default branch, `develop` and release lines. */
const SHARED_BRANCH = String.raw`(?:main|master|trunk|develop|release(?:[-/][\w.-]+)?|production|prod|stable)`;

/** Flags that let an AI agent run tools without approval. */
export const UNSAFE_AGENT_FLAGS =
  /--dangerously-skip-permissions|--dangerously-bypass|bypassPermissions|--yolo\b|--yes-always|--full-auto|--allowedTools\s+["']?Bash(?:\(\*\))?["']?(?:\s|$)|--auto-approve-all|--trust-all-tools|--approval-mode[= ]yolo|--allow-all-tools\b|--dangerously-[\w-]+|\bGOOSE_MODE=["']?auto\b|\bAMP_DANGEROUSLY_ALLOW_ALL=/;

/**
 * The sandstack CLI as a command line names it: the program (`npx sandstack@1`,
 * `bin/sandstack.js`) or its entry file run by node (`node_modules/sandstack/dist/cli/main.js`).
 */
const SANDSTACK_PROGRAM = String.raw`(?:\bsandstack(?:@\S*|\.[cm]?js)?|\/sandstack\/\S*\.[cm]?[jt]s)`;
/** The CLI as above, or its entry file in a checkout of sandstack itself (`node dist/cli/main.js`). */
const SANDSTACK_CLI = String.raw`(?:${SANDSTACK_PROGRAM}|(?:^|[\s/])(?:dist|src)\/cli\/main\.[cm]?[jt]s)`;
/**
 * The guard's own controls: deciding queued requests, resetting denial counts, forgetting MCP
 * pins, replacing or stopping the hook daemon, feeding the hook an event by hand (which
 * records the event in the guard's state), starting a server (which opens the project's
 * `.sandstack` and prints an admin token), and the state folder itself.
 */
export const GUARD_CONTROL = new RegExp(
  [
    String.raw`${SANDSTACK_CLI}\s(?:.*\s)?guard\s+(?:approvals\s+(?:approve|deny)|session\s+reset|pins\s+forget|daemon|hook)\b`,
    // Only global options may stand between the program and `serve`, so `sandstack run x
    // --name serve` is not a server start.
    String.raw`${SANDSTACK_PROGRAM}(?:\s+-\S+(?:\s+(?!-|serve\b)\S+)?)*\s+serve\b`,
    String.raw`\/v1\/approvals\/[^\s/]+\/(?:approve|deny)\b`,
    String.raw`(?:^|[\s'"=/])\.sandstack(?:[\s'"/]|$)`,
    String.raw`^(?:pkill|killall)\b.*\bsandstack\b`,
  ].join('|'),
);

/** Every stage-1 rule, grouped by category. The first rule that matches gives the finding. */
export const DANGER_RULES: readonly DangerRule[] = [
  {
    id: 'guard-control',
    category: 'self-modification',
    // The guard's own controls: deciding queued requests, resetting denial counts,
    // forgetting MCP pins, replacing or stopping the hook daemon, and its state folder.
    // First, so that it wins over milder rules such as the one for kills.
    pattern: GUARD_CONTROL,
    reason: "changes the guard's own decisions, denial counts, pins or state",
  },
  // git-destructive
  {
    // A glob refspec (`'refs/heads/*'`) pushes every local branch that matches, main
    // included, so a request to force-push one branch does not cover it.
    id: 'git-force-push-glob',
    category: 'git-destructive',
    pattern:
      /^git\b.*\bpush\b(?=.*(?:\s-[a-zA-Z]*f[a-zA-Z]*(?:\s|$)|\s--force(?:-with-lease(?:=\S*)?)?(?:\s|$)|\s\+\S*\*))(?=.*\s[^\s-]\S*\*)/,
    reason: 'force-pushes every branch a glob refspec matches, which rewrites shared history',
  },
  {
    id: 'git-force-push',
    category: 'git-destructive',
    pattern:
      /^git\b.*\bpush\b.*(?:\s-f\b|\s-[a-zA-Z]*f[a-zA-Z]*\s|--force(?!-with-lease)\b|--force\s|--mirror|\s\+\S)/,
    reason: 'force-pushes or mirrors refs, which rewrites shared history',
    consent: [/force[- ]?push/i],
  },
  {
    // `--force-with-lease` still replaces the remote branch; it only checks the remote
    // did not move first. With no branch named, git pushes the current one, which may be main.
    id: 'git-force-with-lease-shared',
    category: 'git-destructive',
    pattern: new RegExp(
      String.raw`^git\b.*\bpush\b(?=.*\s--force-with-lease(?:=\S*)?(?:\s|$))(?:(?:\s+-\S+)*(?:\s+[^\s-]\S*)?(?:\s+-\S+)*\s*$|.*\s\+?(?:\S*:)?(?:refs\/heads\/)?${SHARED_BRANCH}(?:\s|$))`,
    ),
    reason:
      'force-pushes a shared branch such as main, or the current branch, which rewrites shared history',
    consent: [/force[- ]?push/i],
  },
  {
    id: 'git-remote-delete',
    category: 'git-destructive',
    pattern: /^git\b.*\bpush\b.*(?:--delete\b|\s-d\s|\s:\S|--prune\b)/,
    reason: 'deletes remote branches or tags',
    consent: [/delet\w* .*remote|remote .*branch\w* .*delet/i],
  },
  {
    id: 'git-shared-branch-delete',
    category: 'git-destructive',
    pattern: new RegExp(
      String.raw`^git\b.*\bbranch\b(?=.*\s(?:-[a-zA-Z]*[dDfM][a-zA-Z]*|--delete|--force|--move)(?:\s|$))(?:\s+\S+)*?\s+(?:origin\/)?${SHARED_BRANCH}(?:\s|$)`,
    ),
    reason: 'deletes or force-moves a shared branch such as main',
  },
  {
    id: 'git-shared-ref-write',
    category: 'git-destructive',
    pattern: new RegExp(
      String.raw`^git\b.*\b(?:update-ref|symbolic-ref)\b(?:\s+-\S+)*(?:\s+-m\s+\S+)?\s+(?:refs\/heads\/|refs\/remotes\/\w+\/|refs\/tags\/)?${SHARED_BRANCH}(?:\s|$)`,
    ),
    reason: 'rewrites or deletes a shared ref directly',
  },
  {
    id: 'git-history-rewrite',
    category: 'git-destructive',
    pattern:
      /^git\b.*\b(?:filter-branch|filter-repo|reflog expire|update-ref -d|gc\b.*--prune=now|replace\b)/,
    reason: 'rewrites history or drops recovery data',
  },
  // git-push-default-branch
  {
    id: 'git-push-default-branch',
    category: 'git-push-default-branch',
    pattern:
      /^git\b.*\bpush\b(?:\s+\S+)*?\s+(?:\S*:)?(?:refs\/heads\/)?(?:main|master|trunk)\b(?!-|\/)|^git\b.*\bpush\b.*\s--all\b/,
    reason: 'pushes directly to the default branch',
    consent: [/\bpush\w*\b/i, /\b(?:main|master|trunk)\b/i],
  },
  {
    id: 'git-push-implicit',
    category: 'git-push-default-branch',
    pattern: /^git\b(?:\s+-C\s+\S+)?\s+push(?:\s+(?:-u|--set-upstream|origin|-q|--quiet))*\s*$/,
    reason: 'pushes without naming a branch, so it may land on the default branch',
    consent: [/\bpush\b/i],
  },
  {
    id: 'gh-admin-merge',
    category: 'git-push-default-branch',
    pattern: /^gh pr merge\b.*--admin/,
    reason: 'merges with admin rights, bypassing review and checks',
  },
  {
    id: 'gh-merge',
    category: 'git-push-default-branch',
    pattern: /^gh pr merge\b/,
    reason: 'merges a pull request into its base branch',
    consent: [/\bmerge/i],
  },
  {
    id: 'gh-api-commit',
    category: 'git-push-default-branch',
    pattern: /^gh api\b.*(?:-X|--method)\s*(?:PUT|POST|PATCH)\b.*\/(?:contents|git\/refs|merges)\b/,
    reason: 'commits through the API',
  },
  {
    id: 'repo-delete',
    category: 'git-destructive',
    pattern:
      /^gh (?:repo (?:delete|archive|rename|transfer)|release delete)\b|^gh api\b.*(?:-X|--method)\s*DELETE\b.*\/(?:repos|git\/refs)\//,
    reason: 'deletes or moves a repository, release or ref',
  },
  {
    id: 'git-command-injection',
    category: 'security-weaken',
    pattern:
      /ProxyCommand|core\.sshCommand|core\.fsmonitor|core\.pager=|--upload-pack|--receive-pack|protocol\.\w+\.allow=always|GIT_SSH_COMMAND=/,
    reason: 'makes git or ssh run an arbitrary command',
  },
  {
    id: 'review-gate-off',
    category: 'security-weaken',
    pattern:
      /(?:requires?_(?:approval|review)\w*|enforce_admins|required_status_checks|dismiss_stale_reviews|required_approving_review_count|required_reviewers)\W+(?:true\W+)?(?:false|0|none|\[\])/i,
    reason: 'turns off a review or approval gate',
  },
  {
    id: 'privilege-recon',
    category: 'security-weaken',
    pattern: /-perm\s+[-/]?[0-7]*[246]000\b|\blinpeas\b|\bgetcap -r\b|^sudo -l\b/,
    reason: 'looks for ways to gain privileges',
  },
  {
    id: 'traffic-capture',
    category: 'credential-exploration',
    pattern: /^(?:tcpdump|tshark|dumpcap|ngrep|mitmdump|mitmproxy)\b(?!.*\s-r\s)/,
    reason: 'captures live network traffic, which can hold credentials',
  },
  // code-from-external
  {
    id: 'npx-remote',
    category: 'code-from-external',
    pattern: /^(?:npx|pnpm dlx|bunx|yarn dlx)\b.*\s(?:github:|git\+|https?:\/\/|gitlab:)/,
    reason: 'runs a package straight from a git host or URL',
  },
  {
    id: 'npx-auto-install',
    category: 'code-from-external',
    pattern:
      /^(?:npx|npm exec|pnpm dlx|bunx|yarn dlx)\b.*\s(?:--yes|-y)\b(?!.*\s(?:prettier|eslint|typescript|tsc|tsx|vitest|jest|playwright|prisma|create-vite|create-next-app|serve|http-server|npm-check-updates|ts-node|rimraf|concurrently)(?:@\S+)?(?:\s|$))/,
    reason: 'installs and runs a package without confirmation',
  },
  {
    id: 'powershell-iex',
    category: 'code-from-external',
    pattern: /\b(?:iex|Invoke-Expression)\b.*|\biwr\b.*\|\s*iex/i,
    reason: 'runs downloaded PowerShell code',
  },
  // cloud-mass-delete
  {
    id: 'cloud-delete',
    category: 'cloud-mass-delete',
    pattern:
      /^(?:aws s3 (?:rm|rb)\b|aws s3api delete-|gsutil\b.*\s(?:rm|rb)\b|gcloud\b.*\bdelete\b|aws\b.*\b(?:terminate-instances|delete-(?:table|db-|bucket|volume|stack|cluster|snapshot))|az\b.*\bdelete\b|rclone (?:purge|delete|rmdirs)\b|doctl\b.*\bdelete\b|kubectl\b.*\bdelete\s+(?:ns|namespace|pvc|pv|persistentvolume)|s3cmd (?:del|rb)\b|aws s3 sync\b.*--delete|gsutil\b.*rsync\b.*\s-d\b|rclone sync\b)/,
    reason: 'deletes cloud resources',
  },
  {
    id: 'cloud-api-delete',
    category: 'cloud-mass-delete',
    pattern:
      /(?:volumeDelete|serviceDelete|projectDelete|environmentDelete|-X\s*DELETE\b.*\/(?:volumes|buckets|instances|databases))/,
    reason: 'deletes cloud resources through an API',
  },
  // production-deploy
  {
    id: 'deploy-production',
    category: 'production-deploy',
    pattern: new RegExp(
      String.raw`(?:\bdeploy(?![\/@])|\brelease\b|\brollout\b|helm (?:upgrade|install)|kubectl\b.*\b(?:apply|set image|replace)\b|\bpromote\b|\bmigrat\w*|db:migrate|update-function-code|update-service|update-stack|create-deployment|workflow run|\bs3 sync\b|config:set|\bset env\b|${LIQUIBASE_CHANGE}).*${PROD}|${PROD}.*(?:\bdeploy(?!\/)|\brelease\b|helm (?:upgrade|install)|\bapply\b)`,
      'i',
    ),
    // Every alternative of PROD contains `prod` or `live`.
    requires: /prod|live/i,
    reason: 'deploys to production',
    consent: [/\b(?:deploy|release|ship|roll ?out)/i, /\bprod(?:uction)?\b/i],
  },
  {
    id: 'deploy',
    category: 'production-deploy',
    pattern:
      /^(?:vercel|netlify|fly|flyctl|firebase|heroku|railway|wrangler|serverless|sls|eb|gcloud app|amplify)\b.*\b(?:deploy|publish|release|up)\b|^(?!(?:npm|pnpm|yarn|bun) (?:fetch|install|i|ci|add|prune|list|ls|why|audit|outdated|licenses)\b).*--prod\b|^git push heroku\b|^(?:npm|pnpm|yarn|bun)(?: run)? (?:deploy|release|publish)\b/,
    reason: 'deploys the application',
    consent: [/\b(?:deploy|release|ship|publish)/i],
  },
  // remote-shell-write
  {
    id: 'remote-copy',
    category: 'remote-shell-write',
    pattern: /^(?:scp|rsync|sftp)\b.*\s[\w.@-]+:\S*$/,
    reason: 'copies files onto a remote host',
    consent: [/\b(?:copy|upload|sync|deploy)\b.*\b(?:server|host|vm)\b/i],
  },
  {
    id: 'ansible',
    category: 'remote-shell-write',
    pattern:
      /^ansible\b.*(?:\s-m\s+(?:shell|command|raw|script|apt|yum|dnf|copy|file|service|systemd)|\s-b\b|--become)/,
    reason: 'runs commands on remote hosts through ansible',
  },
  {
    id: 'kubectl-exec-write',
    category: 'remote-shell-write',
    pattern:
      /^kubectl\b.*\bexec\b.*--\s*(?:rm|mv|cp|sh|bash|kill|apt|pip|npm|tee|sed|chmod|dd|psql)\b/,
    reason: 'changes state inside a running pod',
  },
  {
    id: 'docker-remote',
    category: 'remote-shell-write',
    pattern: /^docker\b.*(?:-H|--host)[=\s]*(?:ssh|tcp):\/\/|DOCKER_HOST=(?:ssh|tcp)/,
    reason: 'drives a remote docker daemon',
  },
  {
    id: 'ssh-sudo',
    category: 'remote-shell-write',
    pattern:
      /^ssh\b.*\b(?:sudo|systemctl (?:restart|stop|start|reload)|service \S+ (?:restart|stop)|rm|sed -i|psql|mysql|tee|apt|apt-get|yum|reboot|shutdown|kill|VACUUM|DROP|DELETE)\b/i,
    reason: 'changes state on a remote host over ssh',
  },
  {
    id: 'ssh-key-install',
    category: 'remote-shell-write',
    pattern: /^ssh-copy-id\b/,
    reason: "adds a key to the remote host's authorized_keys",
    consent: [
      /\b(?:cop(?:y|ies|ied)|install\w*|add\w*|authori[sz]\w*|push\w*|put\w*|upload\w*|send\w*)\b.{0,60}\bkeys?\b.{0,60}\b(?:to|on|onto)\b|\bssh-copy-id\b|\bauthorized_keys\b|\bkey[- ]based (?:auth\w*|login)\b|\bpasswordless\b/i,
    ],
  },
  // production-read
  {
    id: 'production-read',
    category: 'production-read',
    pattern: new RegExp(
      String.raw`^(?:psql|mysql|mongosh|mongo|redis-cli|pg_dump|mysqldump|kubectl|ssh|aws s3 (?:cp|sync)|aws (?:logs|dynamodb (?:scan|query|get-item)|rds-data|athena|lambda get-function-configuration|ssm get-parameters?)|gcloud (?:logging read|sql connect|run services describe|functions logs)|az (?:monitor|webapp log|containerapp logs)|gsutil\b.*\b(?:cp|cat|rsync)|heroku\b|fly(?:ctl)? (?:logs|ssh|postgres connect)|vercel (?:logs|env pull)|stern|sentry-cli|logcli)\b.*${PROD}`,
      'i',
    ),
    reason: 'reads production data or configuration',
    // "prod" or "production" as a word: "product" or "produce" names no production system.
    consent: [/\bprod(?:uction)?\b/i],
  },
  // blind-apply
  {
    id: 'auto-approve',
    category: 'blind-apply',
    pattern:
      /-auto-approve|--auto-approve|--accept-data-loss|--require-approval[=\s]+never|--force-with-data-loss|--skip-preview|\bpulumi (?:up|destroy)\b.*(?:--yes|-y\b)|\bapply\b.*--prune\b|\b(?:drizzle-kit push|supabase db (?:push|reset)|prisma db push|atlas schema apply|sqlx migrate run|knex migrate:latest|sequelize db:migrate)\b.*\s(?:--force|-f|--yes|-y|--auto-approve)(?:\s|$)/,
    reason: 'applies infrastructure or schema changes without a reviewed plan',
  },
  {
    id: 'apply',
    category: 'blind-apply',
    pattern:
      /^(?:terraform|tofu|terragrunt)\b.*(?<![\w-])(?:apply|destroy|import|taint|state rm)\b|^pulumi (?:up|destroy)\b|^cdk (?:deploy|destroy)\b|^ansible-playbook\b(?!.*(?:--check|\s-C\b|--syntax-check|--list-(?:hosts|tasks|tags)))|^(?:npx )?prisma (?:db push|migrate reset)\b|^kubectl\b.*\b(?:apply|replace|delete)\b.*-f\b/,
    reason: 'applies infrastructure or schema changes',
    // "go ahead and up it" uses pulumi's subcommand as the verb.
    consent: [
      /\b(?:apply|destroy|deploy|roll ?out|push the schema)\b|(?:^|[,;:]|\b(?:and|then|now|just|please))\s*up\s+(?:it|this|that|the\s+[\w-]+\s+stack)\b/i,
    ],
  },
  // audit-tampering
  {
    id: 'history-wipe',
    category: 'audit-tampering',
    pattern:
      /^history -[cdw]|^unset HISTFILE|HISTFILE=\/dev\/null|HISTSIZE=0|_history\b|^export HISTFILE/,
    reason: 'wipes or disables shell history',
  },
  {
    id: 'log-wipe',
    category: 'audit-tampering',
    pattern:
      /(?:journalctl\b.*--(?:vacuum|rotate)|\b(?:truncate|shred)\b.*(?:\/var\/log|\.log\b|audit)|\bsed -i\b.*(?:audit|\/var\/log)|\brm\b.*(?:\/var\/log|audit)|cloudtrail (?:stop-logging|delete-trail|update-trail)|kubectl\b.*\bdelete events\b|auditctl -[De]|logging (?:sinks|buckets) delete|\bwevtutil cl\b|^vault audit (?:disable|remove)\b|^az monitor diagnostic-settings delete\b)/,
    reason: 'removes or disables logs or audit records',
  },
  // permission-grant
  {
    id: 'grant',
    category: 'permission-grant',
    pattern:
      /\bGRANT\s+(?:ALL|SUPERUSER|\w+(?:\s*,\s*\w+)*\s+ON)|ALTER (?:USER|ROLE)\b.*SUPERUSER|add-iam-policy-binding|attach-(?:user|role|group)-policy|AdministratorAccess|roles\/(?:owner|editor)|cluster-admin|clusterrolebinding|rolebinding\b.*--clusterrole|usermod\b.*-a?G\b|\bsudoers\b|NOPASSWD|collaborators\/\S+\s.*permission=|\b(?:role|permission)=(?:admin|owner|maintain(?:er)?)\b|\bsetcap\b|chmod\b.*(?:u\+s|[24]7[0-7]{2}\b)|\bgpasswd -a\b|role-assignment create|--role[= ](?:Owner|Contributor)|iam create-(?:access-key|login-profile|user)\b|service-accounts keys create|create-service-account-key|\bpasswd\b/i,
    reason: 'grants roles, admin rights or privileges',
  },
  // tls-auth-weaken
  {
    id: 'tls-off',
    category: 'tls-auth-weaken',
    pattern:
      /strict-ssl\s+false|sslVerify\s+false|NODE_TLS_REJECT_UNAUTHORIZED=0|trusted-host|insecure-registr|update-ca-certificates|update-ca-trust|trust anchor|PYTHONHTTPSVERIFY=0|GIT_SSL_NO_VERIFY|--no-check-certificate|ssl_verify\w*\s*[:=]?\s*(?:false|0|no)|verify_ssl\s*[:=]?\s*false|--allow-unauthenticated|auth-url|auth-signin|--auth[= ]none|--no-auth(?![-\w])|insecure-skip-tls-verify|security add-trusted-cert|certutil -addstore/i,
    reason: 'turns off certificate checks or removes authentication',
  },
  // security-weaken
  {
    id: 'security-off',
    category: 'security-weaken',
    pattern:
      /setenforce 0|core\.hooksPath|docker\.sock|--cap-add[= ](?:SYS_ADMIN|ALL)\b|(?:seccomp|apparmor)[=:]unconfined|\bufw (?:disable|allow from any)|iptables -(?:F|P \w+ ACCEPT)|chmod\b.*\s(?:[0-7]?[0-7]{2}[2367]|[ao]\+\w*w\w*|o=\w*w\w*)(?:\s|$)|--privileged|--pid=host|--net(?:work)?=host\b.*-v \/:|-v \/:\/|\/protection\b|workflow disable|secret-scanning|code-scanning|--no-verify\b|SELINUX=disabled|PermitRootLogin yes|PasswordAuthentication yes|aa-disable|apparmor_parser -R|systemctl (?:stop|disable|mask)\s+(?:firewalld|ufw|apparmor|auditd|fail2ban|clamav)|Set-MpPreference|spctl --master-disable|csrutil disable/i,
    reason: 'disables a security control',
    // No keyword consent: a requested `--no-verify` is excused by structure (hook-skips.ts),
    // and "skip the checks" says nothing about SELinux, firewalls or container privileges.
  },
  {
    id: 'check-skip',
    category: 'security-weaken',
    pattern:
      /^(?:SKIP|HUSKY|HUSKY_SKIP_HOOKS|SKIP_HOOKS|LEFTHOOK|LEFTHOOK_EXCLUDE|OVERCOMMIT_DISABLE|PRE_COMMIT_ALLOW_NO_CONFIG|GIT_HOOKS_DISABLED|DISABLE_HOOKS)=|^(?:git rm|rm|unlink|mv)\b.*(?:codeql|dependabot|semgrep|snyk|trivy|gitleaks|trufflehog|secret-?scan\w*|code-?scan\w*|\.pre-commit-config|\.husky\b|lefthook|CODEOWNERS|security\.ya?ml)|^(?:sed|perl|yq)\b.*\s-[a-zA-Z]*i\b.*(?:codeql|semgrep|snyk|trivy|gitleaks|trufflehog|detect-secrets|secretlint|ggshield|talisman|git-secrets).*(?:\.pre-commit-config|\.husky\/|lefthook|\.github\/workflows\/)/i,
    reason: 'skips or removes a security check, commit hook or code scan',
    consent: [
      /--no-verify|\bskip\b.{0,30}?\b(?:hooks?|checks?|verif\w*)\b|\b(?:remove|delete|drop|disable)\b.*\b(?:codeql|dependabot|semgrep|snyk|trivy|gitleaks|detect-secrets|secretlint|husky|pre-commit|codeowners|lefthook|scan\w*|hooks?)\b/i,
    ],
  },
  // unsafe-agent
  {
    id: 'unsafe-agent',
    category: 'unsafe-agent',
    pattern: UNSAFE_AGENT_FLAGS,
    reason: 'starts an AI agent that runs without approval',
  },
  {
    id: 'spawn-agent',
    category: 'unsafe-agent',
    pattern:
      /^(?:claude|codex|gemini|aider|cursor-agent|opencode|goose|amp|qwen|copilot|crush|droid|auggie|kiro-cli|q chat)\b.*(?:\s-p\b|--print\b|\bexec\b|--message\b|--prompt\b|\s-m\b|\s-x\b|--execute\b|\s-t\b|--text\b|--instructions\b)/,
    reason: 'starts another AI agent on its own',
    consent: [/\b(?:claude|codex|gemini|aider|agent|subagent)s?\b/i],
  },
  {
    id: 'remote-url-change',
    category: 'data-exfiltration',
    pattern: /^git remote (?:add|set-url)\b/,
    reason: 'points the repository at a different remote',
    consent: [/\bremote\b|\bupstream\b|\bmirror\b/i],
  },
  // interfere-with-others
  {
    id: 'kill',
    category: 'interfere-with-others',
    consent: [
      /\b(?:stop|kill|end|terminate|shut down|close)\b.*\byou (?:started|launched|ran|opened)\b/i,
    ],
    pattern:
      /^(?:pkill|killall|kill(?!\s+(?:-\w+\s+)?%\d+\s*$)|fuser\b.*-k|tmux kill-(?:server|session)|screen -X quit|scancel|gh run cancel|(?:docker|podman|nerdctl)(?: container)? (?:kill|stop|restart|rm\b.*\s(?:-[a-zA-Z]*f[a-zA-Z]*|--force(?:=true)?)(?=\s|$))|(?:lxc|incus) (?:stop|restart|(?:delete|rm)\b.*\s(?:-[a-zA-Z]*f[a-zA-Z]*|--force)(?=\s|$))|kubectl\b.*\b(?:delete pods?|rollout restart|scale\b.*--replicas[= ]0|drain|cordon)|systemctl (?:restart|stop|kill)\b|launchctl (?:stop|kill|unload)|reboot|shutdown|halt|poweroff)\b/,
    reason: 'stops or restarts processes or jobs the agent did not start',
  },
  {
    // Ending other clients' database sessions aborts their queries and transactions, so it
    // needs a request to end sessions or connections.
    id: 'database-session-kill',
    category: 'interfere-with-others',
    // SQL's `KILL 42` is matched in capitals only, so the shell's `kill 42` stays with 'kill'.
    pattern: /\bpg_(?:terminate|cancel)_backend\s*\(|\bKILL (?:CONNECTION |QUERY )?\d+\b/,
    reason: "ends or cancels other clients' database sessions",
    consent: [
      /\b(?:terminate|kill|end|cancel|close|drop)\b[^.;!?\n]*\b(?:sessions?|connections?|backends?|queries|query|clients?)\b/i,
    ],
  },
  // modify-shared-resource
  {
    id: 'shared-resource',
    category: 'modify-shared-resource',
    pattern:
      /^(?:(?:docker|podman|nerdctl|buildah) push|(?:docker |podman )?(?:buildx |image )?(?:build|bake)\b.*\s(?:--push(?:=true)?|--output[= ](?:\S*,)?type=registry|-o[= ]?type=registry|--output[= ]\S*push=true)(?=\s|$)|docker compose build\b.*\s--push\b|pack build\b.*\s--publish\b|ko (?:build|publish|resolve|apply)\b(?!.*\s(?:-L|--local|--push=false)\b)|(?:\/kaniko\/)?executor\b.*\s--destination\b(?!.*\s--no-push\b)|gh label (?:delete|create|edit|clone)|gh secret (?:set|delete)|gh variable (?:set|delete)|gh release (?:create|delete|edit|upload)|aws ssm (?:put|delete)-parameter|aws secretsmanager (?:put|update|delete|create)|vault kv (?:put|delete|patch)|consul kv (?:put|delete)|npm dist-tag|npm deprecate|npm unpublish|gcloud secrets (?:create|versions add|delete)|az keyvault secret set)\b|^kubectl\b.*\b(?:patch|edit|annotate|label|scale|set env|create (?:secret|configmap))\b|^redis-cli\b.*\b(?:FLUSHALL|FLUSHDB|DEL|SET|HSET|EXPIRE|CONFIG SET)\b|\b(?:DROP|TRUNCATE|ALTER)\s+(?:TABLE|DATABASE|SCHEMA|INDEX)\b|\bDELETE\s+FROM\b|\bUPDATE\s+\w+\s+SET\b|\bINSERT\s+INTO\b/i,
    reason: 'changes shared state other people depend on',
    consent: [
      /\b(?:drop|delete|remove|set|update|push|create|release|patch|flush)\b/i,
      /\b(?:shared|org|team|registry|release|secret|label|flag)\b/i,
    ],
  },
  {
    id: 'registry-delete',
    category: 'modify-shared-resource',
    pattern:
      /^(?:aws ecr (?:batch-delete-image|delete-repository|put-image)|aws ecr-public batch-delete-image|crane (?:delete|tag)|skopeo delete|regctl (?:tag|manifest|image) (?:delete|rm)|oras manifest delete|az acr repository (?:delete|untag)|gcloud (?:artifacts docker (?:images|tags)|container images) (?:delete|untag|add-tag))\b/,
    reason: 'deletes or moves image tags in a shared container registry',
    consent: [/\b(?:delete|remove|purge|untag|retag)\b/i, /\b(?:image|tag|registry|repository)\b/i],
  },
  {
    // A workspace has its own state, so deleting one (with -force even when it still
    // tracks resources) drops the state that its users apply from.
    id: 'workspace-delete',
    category: 'modify-shared-resource',
    pattern: /^(?:terraform|tofu) workspace delete\b/,
    reason: 'deletes an infrastructure workspace and the state other people apply from',
    consent: [/\b(?:delete|remove|drop|destroy)\b/i, /\bworkspaces?\b/i],
  },
  {
    id: 'global-config',
    category: 'modify-shared-resource',
    pattern:
      /^(?:git config (?:--global|--system)|npm config set|yarn config set|pnpm config set|pip config|gem sources --add|cargo config|go env -w|docker context use|kubectl config (?:set|use-context|delete))\b/,
    consent: [/\b(?:global(?:ly)?|system-wide|for all (?:my )?(?:repos|repositories|projects))\b/i],
    reason: 'changes global tool configuration outside the project',
  },
  // local-destruction
  {
    id: 'disk-wipe',
    category: 'local-destruction',
    pattern:
      /^(?:dd\b.*\bof=\/dev\/|(?:mkfs|wipefs|fdisk|parted|sgdisk)(?!(?![^$]*\/dev\/)[^$]*\s[\w./~-]*\.(?:img|raw|qcow2|vhdx?|vmdk|iso|image)(?:\s|$))|shred|diskutil (?:erase|zero))|>\s*\/dev\/(?:sd|nvme|disk|hd)/,
    // A disk tool aimed at an image file (`mkfs.ext4 -F /tmp/test.img`) formats that file
    // only, so it is no wipe unless the line also names a device or a variable.
    reason: 'overwrites a disk or device',
  },
  {
    id: 'find-delete',
    category: 'local-destruction',
    pattern: /^find\b.*(?:\s-delete\b|-exec\s+rm\b)/,
    reason: 'deletes every file a search matches',
    consent: [/\b(?:delete|remove|clean)\b/i, /\bfind\b|\*\.\w+|files? (?:named|matching|older)/i],
  },
  {
    id: 'git-discard',
    category: 'local-destruction',
    pattern:
      /^git\b.*\b(?:reset --hard|clean -[a-zA-Z]*f|checkout -- \.|checkout \.|restore \.|stash (?:drop|clear))|^git\b.*\brestore\b(?=.*\s(?:--worktree|-W)\b|(?!.*\s(?:--staged|-S)\b))(?:\s+\S+)*?\s+(?:\.|:\/|\*)(?:\s|$)/,
    reason: 'discards uncommitted or untracked work',
    consent: [
      /\b(?:throw away|discard|reset|wipe|drop|clean|remove|delete|undo|(?:do not|don't|no longer) need)\b.*\b(?:changes|work|untracked|local|everything|stash|commits?)\b|\bgit (?:reset|clean)\b/i,
    ],
  },
  {
    id: 'python-rmtree',
    category: 'local-destruction',
    pattern:
      /rmtree\(|os\.remove\(|os\.unlink\(|fs\.rm(?:Sync)?\(|fs\.unlink(?:Sync)?\(|Remove-Item\b.*-Recurse/,
    reason: 'deletes files from inline code',
  },
  // rce-surface
  {
    id: 'rce-surface',
    category: 'rce-surface',
    pattern:
      /socat\b.*\b(?:EXEC|SYSTEM):|\bnc\b.*-l.*-[ec]\b|\bncat\b.*--(?:exec|sh-exec)|dockerd\b.*tcp:\/\/|-p\s*(?:\S+:)?2375:|tcp-listen:2375|token=''|token=""|password=''|ServerApp\.token=\s*$|--NotebookApp\.token|\bttyd\b|\bgotty\b|\bwetty\b|code-server\b.*(?:0\.0\.0\.0|--auth none)|--disable-auth/i,
    reason: 'lets others run code on this machine',
  },
  {
    // A VS Code tunnel gives whoever signs in to the tunnel account a shell on this machine.
    id: 'remote-ide-tunnel',
    category: 'rce-surface',
    pattern: /^(?:code|code-insiders|cursor|code-server)\s+tunnel\b/,
    consent: [
      /\btunnels?\b/i,
      /\b(?:remote(?:ly)?|connect\w*|from (?:my|another|a|the) \w+|vscode\.dev|browser|anywhere)\b/i,
    ],
    reason: 'opens a remote-access tunnel that gives a shell on this machine',
  },
  // expose-local-service
  {
    id: 'tunnel',
    category: 'expose-local-service',
    pattern:
      /^(?:ngrok|lt|localtunnel|cloudflared|bore|zrok|pinggy|localhost\.run|expose|devtunnel (?:host|port create))\b|\blocaltunnel\b|tailscale (?:funnel|serve)|ssh\b.*\s-R\s|serveo|localhost\.run|port-forward\b.*--address[= ](?:0\.0\.0\.0|\*)|--type[= ]LoadBalancer|kubectl expose\b/,
    consent: [
      /\b(?:ngrok|cloudflared|localtunnel|tunnel|tailscale funnel|bore|zrok)\b/i,
      /\b(?:expose|share|public(?:ly)?|reachable|webhooks?)\b/i,
    ],
    reason: 'makes a local service reachable from outside this machine',
  },
  {
    id: 'bind-all',
    category: 'expose-local-service',
    pattern:
      /(?:--bind(?:-addr)?|--host(?:name)?|--address|--addr|--ip|-b|-a|-H|--listen)[= ](?:0\.0\.0\.0|::|\*)|\bhttp\.server\b(?!.*(?:--bind|-b)[= ](?:127\.|localhost|::1))|-p\s+0\.0\.0\.0:|\s(?:tcp:\/\/)?(?:0\.0\.0\.0|\[::\]):\d+(?:\s|$)/,
    reason: 'listens on every network interface',
    consent: [/\b(?:lan|phone|network|other (?:devices?|machines?)|0\.0\.0\.0|expose)\b/i],
  },
  // credential-leakage
  {
    id: 'token-print',
    category: 'credential-leakage',
    pattern:
      /print-access-token|print-identity-token|auth (?:token|print)|get-login-password|(?:gh|glab) auth token|get-authorization-token|az account get-access-token|--show-token|\bprintenv\s+\w*(?:TOKEN|SECRET|KEY|PASSWORD)|echo\b.*\$\{?\w*(?:TOKEN|SECRET|PASSWORD|API_KEY|_KEY)\b/i,
    reason: 'prints or writes out a secret',
  },
  {
    id: 'credential-mint',
    category: 'credential-exploration',
    pattern:
      /^aws (?:sts (?:get-session-token|get-federation-token|assume-role[\w-]*)|configure (?:get\s+\S*(?:key|secret|token|password)\S*|export-credentials)|sso get-role-credentials|ssm get-parameters?\b.*--with-decryption|ecr get-login\b|iam create-access-key)\b|^gcloud (?:auth (?:\S+ )?print-(?:access|identity)-token|config config-helper|iam service-accounts keys create)\b|^az (?:account get-access-token|ad sp credential reset|keyvault secret (?:show|download))\b|^kubectl\b.*\b(?:create token|config view\b.*--(?:raw|flatten))\b|^(?:vault (?:token create|login\b.*-token-only|print token)|heroku auth:token|npm token create|doctl auth token|op (?:read|item get)|bw get (?:password|item)|pass show|gopass show|flyctl auth token|fly auth token)\b/i,
    reason: 'mints or prints a cloud or registry credential',
  },
  {
    id: 'token-in-url',
    category: 'credential-leakage',
    pattern:
      /https?:\/\/[^\s/@]*:\$\{?\w*(?:TOKEN|PASS|SECRET|KEY)\w*\}?@|[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:(?!(?:password|pass|secret|changeme|dev|test|postgres|example)@)[^\s/@$]{6,}@(?!localhost|127\.)|--build-arg\s+\w*(?:TOKEN|SECRET|PASSWORD|KEY)\w*=/i,
    // The scheme part backtracks over every letter of a long word, so texts without a URL or
    // `--build-arg` skip it.
    requires: /:\/\/|--build-arg/i,
    reason: 'puts a secret into a URL or an image',
  },
  {
    id: 'secret-commit',
    category: 'credential-leakage',
    pattern:
      /^git add\b.*(?:\.env\b(?!\.example|\.sample|\.template)|credentials|secrets?\.|\.pem\b|id_rsa|\.key\b|\.npmrc|\.pypirc|(?<!debug)\.keystore\b|\.jks\b|\b(?:keystore|signing|key)\.properties\b|\.p8\b|\.p12\b)|^git add\b.*\s-f\b|--from-env-file|--from-file[= ]\S*\.env\b/i,
    reason: 'commits or publishes a file that holds secrets',
  },
  // credential-exploration
  {
    id: 'credential-store',
    category: 'credential-exploration',
    pattern:
      /security (?:find-\w+-password|dump-keychain)|secret-tool (?:lookup|search)|docker-credential-[\w.-]+ (?:get|list)|git credential(?:-[\w-]+)? (?:fill|get)\b|secretsmanager (?:batch-)?get-secret-value|gcloud secrets versions access|vault (?:kv )?read|vault kv get|kubectl\b.*get secrets?\b.*-o|\/proc\/[^/\s]+\/environ|print\(\s*(?:dict\()?os\.environ\)?\s*\)|os\.environ\.items\(\)|json\.dumps\(\s*(?:dict\()?os\.environ|console\.log\(\s*process\.env\s*\)|JSON\.stringify\(\s*process\.env\s*[,)]|grep\b.*(?:api[_-]?key|secret|token|passw)\b.*\s(?:\/home|~|\/root|\/etc|\/)\S*(?:\s|$)|lazagne|truffleHog|gitleaks detect --source\s+~/i,
    reason: 'searches for credentials beyond what the task provides',
  },
  // exfil-scouting
  {
    id: 'exfil-host',
    category: 'exfil-scouting',
    pattern: new RegExp(String.raw`${EXFIL_HOSTS}`, 'i'),
    reason: 'contacts a webhook, paste, tunnel or out-of-band testing service',
  },
  {
    id: 'port-probe',
    category: 'exfil-scouting',
    pattern:
      /^(?:nc|ncat|netcat)\b(?!.*\s(?:localhost|127(?:\.\d+){3}|::1)(?:\s|$)).*\s-z|^nmap\b|^masscan\b|\/dev\/(?:tcp|udp)\/(?!127\.|localhost)/,
    reason: 'probes outbound ports',
  },
  // network-callback
  {
    id: 'reverse-shell',
    category: 'network-callback',
    pattern:
      /\/dev\/tcp\/|\bnc\b.*\s-[ec]\s|\bncat\b.*-e\b|\bsh -i\b|bash -i\b|socket\.socket\(.*connect|pty\.spawn|mkfifo|socat\b.*\btcp:|\bexec:['"]?(?:bash|sh)/i,
    reason: 'opens a remote shell or control channel',
  },
  {
    id: 'beacon',
    category: 'network-callback',
    pattern: /^(?:curl|wget)\b.*\$\((?:hostname|whoami|id|uname)/,
    reason: 'sends host details to a remote server',
  },
  // untrusted-code-integration
  {
    id: 'foreign-index',
    category: 'untrusted-code-integration',
    pattern:
      /(?:--index-url|--extra-index-url|-i)\s+(?!https:\/\/(?:pypi\.org|test\.pypi\.org)\/)https?:\/\/|--registry[= ](?!https:\/\/registry\.(?:npmjs\.org|yarnpkg\.com))\S+|--trusted-host|\bpip3? install\b.*\s(?:git\+|https?:\/\/)|\b(?:npm|pnpm|yarn|bun) (?:install|add|i)\b.*\s(?:github:|git\+|https?:\/\/|\S+\/\S+#)|cargo (?:add|install)\b.*--git\b|git submodule add\b|go (?:get|install)\b.*\b(?:github\.com\/(?!(?:golang|google|gin-gonic|spf13|stretchr|sirupsen|gorilla|uber-go|pkg|labstack|go-\w+)\/))|go (?:get|install)\b.*\s(?!(?:golang\.org|google\.golang\.org|go\.uber\.org|gopkg\.in|k8s\.io|sigs\.k8s\.io|cloud\.google\.com|go\.opentelemetry\.io|go\.etcd\.io|go\.mongodb\.org|gorm\.io|gonum\.org|modernc\.org|honnef\.co|mvdan\.cc|gotest\.tools|entgo\.io|connectrpc\.com|buf\.build|github\.com)\/)[\w-]+(?:\.[\w-]+)+\/\S|gem install\b.*\s(?:--source|-s)\b|composer config repositories|\bmix (?:archive|escript)\.install\s+(?:(?:git|github)\s|\S*https?:\/\/|\S+\.ez\b)|\b(?:uv|poetry|pdm|pipenv|rye) (?:add|install)\b.*\s(?:git\+|https?:\/\/)|\bbundle add\b.*\s--(?:git|github|source)\b/i,
    reason: 'adds code from an untrusted source',
  },
  {
    // Running code fetched in the same step skips the review an install gets: `go run
    // MOD@VERSION` is `go install` and run, `deno run URL` and `nix run github:` are
    // download-and-run. Registry packages by name (`npx pkg`, `uvx pkg`) stay allowed.
    id: 'run-remote-code',
    category: 'untrusted-code-integration',
    pattern:
      /^go run\b.*\s(?!golang\.org\/|github\.com\/(?:golang|google)\/)[\w-]+(?:\.[\w-]+)+\/\S*@\S+|^deno (?:run|x|install|compile)\b.*\s(?!https:\/\/deno\.land\/std[@/])https?:\/\/|^nix (?:run|shell|develop|profile install)\b.*\s(?:github|gitlab|sourcehut|git\+\w+|https?|tarball\+\w+|file\+https?):|^(?:npx|bunx|pnpx|pnpm dlx|yarn dlx|npm exec)(?:\s+-\S+)*\s+(?:github:|gitlab:|bitbucket:|git\+|https?:\/\/|[\w-]+\/[\w.-]+(?:#\S*)?(?:\s|$))|^(?:uvx|uv tool (?:run|install)|uv run|pipx (?:run|install))\b.*\s(?:--from[= ]|--spec[= ]|--with[= ])?(?:git\+|https?:\/\/)/,
    reason: 'runs code downloaded from a URL or repository in one step',
  },
  {
    id: 'download-code',
    category: 'untrusted-code-integration',
    pattern:
      /^(?:curl|wget)\b.*(?:\s-[a-zA-Z]*[oOP]|--output(?:-document)?|--directory-prefix)[=\s]*\S*\.(?:js|mjs|cjs|ts|py|sh|bash|rb|php|pl|jar|so|dylib|dll|exe|whl|tgz|gem|crate)\b|^(?:curl|wget)\b.*\s-[a-zA-Z]*O\b.*\/[^/\s]+\.(?:js|mjs|cjs|py|sh|rb|php|jar|so|dll|exe|whl|tgz)(?:[?#\s]|$)/,
    reason: 'downloads code into the project from an unvetted source',
  },
  // unauthorized-persistence
  {
    id: 'persistence',
    category: 'unauthorized-persistence',
    pattern:
      /^crontab\b(?!\s+-l\s*$)|^systemctl\b.*\benable\b|^launchctl (?:load|bootstrap|enable)\b|^at\s|^batch\b|authorized_keys|\.bashrc|\.zshrc|\.bash_profile|\.profile\b|\.zprofile|\/etc\/(?:cron|systemd|init\.d|rc\.local|profile)|\.config\/autostart|LaunchAgents|LaunchDaemons|core\.hooksPath|--global alias\.|\bdisown\b|@reboot|schtasks \/create|\.git\/hooks\/|\.timer\b|^screen\b.*-d?m|^tmux new(?:-session)?\b.*\s-d\b|^setsid\b|^pm2 (?:start|startup|save)\b|^forever start\b|^systemd-run --/,
    reason: 'makes something run again later',
    consent: [
      /\b(?:cron|schedule|every (?:night|day|hour|week|minute)|at startup|on boot|enable the|bashrc|zshrc|bash_profile|zprofile|shell (?:rc|profile|startup))\b/i,
    ],
  },
  {
    id: 'alias-shadow',
    category: 'security-weaken',
    pattern: /^alias\s+(?:ls|cd|cat|git|sudo|ssh|cp|mv|echo|rm|npm|pip|python3?|node|curl|grep)=/,
    reason: 'redefines a standard command, which hides what later commands do',
  },
  // self-modification
  {
    id: 'agent-config',
    category: 'self-modification',
    pattern:
      /\.claude\/|CLAUDE\.md|AGENTS\.md|\.mcp\.json|\.cursor\/rules|\.aider\.conf|guard[-_.]?policy|sandstack\.(?:ya?ml|json)|\.sandstack\//,
    reason: "changes the agent's own settings, hooks or instructions",
  },
  // create-public-surface
  {
    id: 'publish',
    category: 'create-public-surface',
    pattern:
      /^(?:npm|pnpm|yarn|bun|yarn npm) publish\b(?!.*--dry-run)|^(?:bunx |npx )?jsr publish\b(?!.*--dry-run)|^twine upload\b|^python3? -m twine upload\b|^cargo publish\b(?!.*--dry-run)|^gem push\b|^(?:poetry|flit|uv|hatch|pdm|vsce|ovsx) publish\b(?!.*--dry-run)|^(?:dotnet )?nuget push\b|^mvn\b.*\bdeploy\b|^(?:\.\/gradlew|gradlew?)\b.*\bpublish(?!ToMavenLocal)\w*\b|^mix hex\.publish\b(?!.*--dry-run)|^(?:dart|flutter) pub publish\b(?!.*--dry-run)|^pod trunk push\b|^deno publish\b(?!.*--dry-run)|^helm push\b|^gh gist create\b|^(?:gh|glab|tea|hub|bb) repo create\b.*--public|--visibility[= ]public|allUsers|private=false|visibility=public|allAuthenticatedUsers|public-read|--acl[= ]public|makePublic|^gh issue create\b.*--repo|^gh release create\b/,
    reason: 'publishes something to the public or a third party',
    consent: [
      /\bpublish|\bupload\b|\brelease\b|\bpublic\b|\b(?:put|push)\b.*\b(?:on|to) (?:pypi|npm|crates\.io|rubygems|hex|packagist)\b/i,
    ],
  },
  // real-world-transaction
  {
    id: 'payments',
    category: 'real-world-transaction',
    pattern:
      /ec2 run-instances|request-spot-instances|compute instances create|\baz vm create|droplet create|create-db-instance|eks create-cluster|container clusters create|api\.stripe\.com\/v1\/(?:payouts|refunds|charges|transfers|payment_intents|invoices)|^stripe\b.*\b(?:create|refund|pay|capture)\b|--live\b|\bdomains?\b.*\b(?:buy|register|purchase|renew|transfer)\b|(?:register|renew|transfer)-domain|purchase-\w+|create-savings-plan|^twilio\b.*\bcreate\b|sendgrid|mailgun|\bsend_\w*(?:email|sms|invoice|reminder)|--all-customers|\bsms\b.*\bsend\b/i,
    reason: 'spends money or acts in the real world',
  },
];

/** Hosts whose install scripts are the documented way to install a well-known tool. */
export const KNOWN_INSTALLERS: Readonly<Record<string, string>> = {
  'astral.sh': 'uv',
  'sh.rustup.rs': 'rust',
  'bun.sh': 'bun',
  'deno.land': 'deno',
  'get.pnpm.io': 'pnpm',
  'install.python-poetry.org': 'poetry',
  'get.docker.com': 'docker',
};

/** Hosts often used to receive stolen data or probe egress. */
export const EXFIL_HOST_PATTERN = new RegExp(EXFIL_HOSTS, 'i');
