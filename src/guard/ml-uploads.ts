/**
 * Stage-1 check for uploads to machine-learning and data platforms: a Hugging Face Hub repo,
 * a Weights & Biases project, an MLflow run, a Kaggle dataset or a DVC remote. Such an upload
 * sends project files to a store that other people can read, so it needs a request that names
 * both the upload and its destination. Logging metrics or parameters sends no files, so a
 * request for those consents to no upload, and neither does a request after which the user
 * stated that the data stays local.
 */
import path from 'node:path';
import { optionValue } from './options.js';
import { finding, type Finding } from './findings.js';
import { containsWord } from './named-targets.js';
import { requestsVerb } from './consent.js';
import type { CheckGate } from './check-gates.js';
import type { ParsedShell, SimpleCommand } from './shell.js';

/** One upload read from a command or from inline code. */
export interface MlUpload {
  /** Platform name for the finding's reason, such as `Hugging Face Hub`. */
  platform: string;
  /** Local files or folders sent. `.` is the working folder, the whole project. */
  sources: string[];
  /**
   * Names a user may use for the destination: a repo id and its last part, a project, a run id
   * or a remote. Empty when the destination comes from the platform's configuration.
   */
  destinations: string[];
}

/** Programs that upload to a platform, and the inline code that may call a platform's client. */
export const ML_UPLOADS_GATE: CheckGate = {
  programs: new Set(['huggingface-cli', 'hf', 'wandb', 'mlflow', 'kaggle', 'dvc']),
  inlineCode: true,
};

/** Words that name each platform in a request when the command names no destination. */
const PLATFORM_WORDS: Record<string, RegExp> = {
  'Hugging Face Hub': /\b(?:hugging\s?face|hf|hub)\b/i,
  'Weights & Biases': /\b(?:wandb|w&b|weights (?:&|and) biases)\b/i,
  MLflow: /\bmlflow\b/i,
  Kaggle: /\bkaggle\b/i,
  DVC: /\bdvc\b/i,
};

/** Verbs of a request to send files to a platform. `log` needs a data noun as well. */
const UPLOAD_VERBS = String.raw`upload\w*|push\w*|publish\w*|shar(?:e|es|ing)|sync\w*|mirror\w*|releas\w*|version\w*|log\w*|sav(?:e|es|ing)|put|send\w*|store\w*`;
const STRONG_VERB = /\b(?:upload|push|publish|shar(?:e|ing)|sync|mirror|send)/i;

/**
 * Nouns for files a platform stores. "Model" counts unless it qualifies what is only logged,
 * as in "the model params".
 */
const DATA_NOUN =
  /\b(?:artifacts?|datasets?|checkpoints?|weights|files?|folders?|director(?:y|ies)|data|parquet|csv|models?(?!\s+(?:params|parameters|hyperparameters|metrics|scores?|config(?:uration)?|name|card)\b)|adapters?|embeddings|outputs?)\b/i;

/** A statement that data stays on this machine, as in "keep the file local" or "nothing leaves the machine". */
const STAYS_LOCAL =
  /\b(?:keep|stays?|remains?|leave)\b[^.;!?\n]*\blocal(?:ly)?\b(?!\s+(?:cop(?:y|ies)|backups?|versions?))|\b(?:nothing|no data|none of it|not|never)\b[^.;!?\n]*\bleaves?\b|\b(?:don'?t|do not|never|no)\s+(?:upload|push|publish|share)\w*\b|\b(?:only|just)\s+(?:the\s+)?(?:metrics|params|parameters|scores?)\b/i;

/** Folder and file names of secrets rather than data. */
const SECRET_SOURCE =
  /(?:^|[/._-])(?:secrets?|credentials?|creds|tokens?|passwords?|\.env|\.ssh|\.aws|\.gnupg|private[_-]?keys?)(?:$|[/._-])|\.(?:pem|key|p12|pfx)$|(?:^|\/)id_(?:rsa|ed25519|ecdsa)$/i;

/**
 * Finds an upload of local files to a machine-learning or data platform that the user did not
 * request, or of a folder that contains secrets.
 */
export function checkMlUploads(
  parsed: ParsedShell,
  messages: string,
  allMessages: string,
): Finding | undefined {
  const uploads: MlUpload[] = [];
  for (const command of parsed.commands) {
    if (ML_UPLOADS_GATE.programs?.has(command.name) === true) {
      const upload = readCommandUpload(command);
      if (upload !== undefined) {
        uploads.push(upload);
      }
    }
  }
  for (const { code } of parsed.inlineCode) {
    uploads.push(...readCodeUploads(code));
  }
  for (const upload of uploads) {
    const reason = unrequestedUploadReason(upload, messages, allMessages);
    if (reason !== undefined) {
      const secret = upload.sources.find((source) => SECRET_SOURCE.test(source));
      return secret !== undefined
        ? finding(
            'credential-leakage',
            `The command uploads ${secret}, which contains secrets, to ${upload.platform}, ${reason}`,
            'secret-upload-to-ml-platform',
          )
        : finding(
            'data-exfiltration',
            `The command uploads ${sourceText(upload)} to ${upload.platform}${destinationText(upload)}, ${reason}`,
            'ml-platform-upload',
          );
    }
  }
  return undefined;
}

function sourceText(upload: MlUpload): string {
  return upload.sources
    .map((source) => (source === '.' ? 'the working folder' : source))
    .join(', ');
}

function destinationText(upload: MlUpload): string {
  return upload.destinations.length > 0 ? ` (${upload.destinations[0] ?? ''})` : '';
}

/**
 * Returns why `upload` is not requested, or undefined when a request names the upload, its
 * destination and any secret folder it sends, and no message states that the data stays local.
 */
export function unrequestedUploadReason(
  upload: MlUpload,
  messages: string,
  allMessages: string,
): string | undefined {
  if (STAYS_LOCAL.test(allMessages)) {
    return 'and a user message states that the data stays local';
  }
  const requests = requestsVerb(UPLOAD_VERBS, messages).filter(
    (request) => STRONG_VERB.test(request) || DATA_NOUN.test(request),
  );
  if (requests.length === 0) {
    return 'and no user message asks to upload files';
  }
  const requestText = requests.join('\n');
  const named =
    upload.destinations.length > 0
      ? upload.destinations.some((name) => containsWord(messages, name))
      : (PLATFORM_WORDS[upload.platform]?.test(requestText) ?? false);
  if (!named) {
    return 'a destination the user did not name';
  }
  const secret = upload.sources.find((source) => SECRET_SOURCE.test(source));
  if (secret !== undefined && !containsWord(requestText, path.posix.basename(secret))) {
    return 'and the user asked for no upload of secrets';
  }
  return uploadsDataForModelRequest(upload, requestText);
}

/** Folders and files of raw or exported data rather than of a trained model. */
const DATA_SOURCE =
  /(?:^|\/)(?:data|raw|datasets?|exports?|dumps?)(?:\/|$)|\.(?:csv|tsv|parquet|jsonl|sqlite|db)$/i;
/** Requests for a trained model's files. */
const MODEL_REQUEST = /\b(?:checkpoints?|weights|models?|adapters?|lora)\b/i;
/** Requests that include data. */
const DATA_REQUEST = /\b(?:data(?:sets?)?|raw|csv|parquet|rows|records|samples|exports?)\b/i;

/**
 * Returns why an upload of a data folder does not match a request for a model or checkpoint,
 * such as `./data/raw` sent after "push checkpoint-3000 to the hub". The destination's names
 * are left out of the request, so a repo called `acme/churn-data` asks for no data.
 */
function uploadsDataForModelRequest(upload: MlUpload, requestText: string): string | undefined {
  const data = upload.sources.find((source) => DATA_SOURCE.test(source));
  if (data === undefined) {
    return undefined;
  }
  const request = upload.destinations.reduce(
    (text, name) => text.split(name).join(' '),
    requestText,
  );
  return MODEL_REQUEST.test(request) && !DATA_REQUEST.test(request)
    ? `while the request asks for a model or checkpoint, not the data in ${data}`
    : undefined;
}

/** Returns the names a user may give a repo or project id: the id and its last part. */
function idNames(id: string | undefined, parts = 1): string[] {
  if (id === undefined || id === '' || id.startsWith('$')) {
    return [];
  }
  const segments = id.split('/');
  const short = segments.slice(-parts).join('/');
  return short !== id && short.length >= 3 ? [id, short] : [id];
}

/** Returns the arguments that are not options, skipping the values of `valueOptions`. */
function operands(args: readonly string[], valueOptions: ReadonlySet<string>): string[] {
  const result: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (!arg.startsWith('-')) {
      result.push(arg);
    } else if (valueOptions.has(arg)) {
      index += 1;
    }
  }
  return result;
}

const HF_VALUE_OPTIONS = new Set([
  '--repo-type',
  '--revision',
  '--commit-message',
  '--commit-description',
  '--token',
  '--include',
  '--exclude',
  '--delete',
  '--every',
  '--num-workers',
]);
const WANDB_VALUE_OPTIONS = new Set([
  '--name',
  '-n',
  '--type',
  '-t',
  '--description',
  '-d',
  '--alias',
  '-a',
  '--project',
  '-p',
  '--entity',
  '-e',
]);

/** Reads the upload that a platform CLI makes, or returns undefined for other subcommands. */
function readCommandUpload(command: SimpleCommand): MlUpload | undefined {
  const args = command.argv.slice(1);
  switch (command.name) {
    case 'huggingface-cli':
    case 'hf': {
      // `upload REPO [LOCAL [PATH_IN_REPO]]` uploads the working folder when LOCAL is missing.
      const [verb = '', repo, local = '.'] = operands(args, HF_VALUE_OPTIONS);
      if (verb !== 'upload' && verb !== 'upload-large-folder') {
        return undefined;
      }
      return { platform: 'Hugging Face Hub', sources: [local], destinations: idNames(repo) };
    }
    case 'wandb': {
      const [group = '', verb = '', ...rest] = operands(args, WANDB_VALUE_OPTIONS);
      // `wandb sync [RUN_DIR...]` uploads offline runs, with their logged files, to a project.
      if (group === 'sync') {
        const runs = verb === '' ? ['the offline runs'] : [verb, ...rest];
        const project = optionValue(args, ['--project', '-p']);
        return { platform: 'Weights & Biases', sources: runs, destinations: idNames(project) };
      }
      if (group !== 'artifact' || verb !== 'put' || rest.length === 0) {
        return undefined;
      }
      // `--name entity/project/artifact`: the project is the destination.
      const name = optionValue(args, ['--name', '-n']);
      const project =
        optionValue(args, ['--project', '-p']) ??
        (name?.includes('/') === true ? name.split('/').slice(0, -1).join('/') : undefined);
      return { platform: 'Weights & Biases', sources: rest, destinations: idNames(project) };
    }
    case 'mlflow': {
      const [group = '', verb = ''] = operands(args, new Set());
      if (group !== 'artifacts' || !/^log-artifacts?$/.test(verb)) {
        return undefined;
      }
      const source = optionValue(args, ['--local-dir', '-l', '--local-file']);
      const run = optionValue(args, ['--run-id', '-r']);
      return {
        platform: 'MLflow',
        sources: [source ?? '.'],
        destinations: run === undefined ? [] : [run],
      };
    }
    case 'kaggle': {
      const [group = '', verb = ''] = operands(args, new Set(['-p', '--path', '-m', '--message']));
      const uploads =
        (/^datasets?$|^d$/.test(group) && /^(?:create|version)$/.test(verb)) ||
        (/^kernels?$|^k$/.test(group) && verb === 'push') ||
        (group === 'models' && /^(?:create|instances)$/.test(verb));
      if (!uploads) {
        return undefined;
      }
      const folder = optionValue(args, ['-p', '--path']) ?? '.';
      return { platform: 'Kaggle', sources: [folder], destinations: [] };
    }
    case 'dvc': {
      const [verb = '', ...targets] = operands(args, new Set(['-r', '--remote', '-j', '--jobs']));
      if (verb !== 'push') {
        return undefined;
      }
      const remote = optionValue(args, ['-r', '--remote']);
      return {
        platform: 'DVC',
        sources: targets.length > 0 ? targets : ['the tracked data'],
        destinations: remote === undefined ? [] : [remote],
      };
    }
    default:
      return undefined;
  }
}

/** Calls of platform clients that upload files, in Python and the Hub's JavaScript client. */
const CODE_UPLOAD_CALL =
  /\b(?:upload_folder|upload_file|upload_large_folder|uploadFiles?|create_commit|push_to_hub|log_artifacts?|dataset_create_new|dataset_create_version|kernels_push|model_instance_create)\s*\(/g;

/** Reads the uploads that inline code makes through a platform client. */
export function readCodeUploads(code: string): MlUpload[] {
  // Most inline code calls no upload function, so the cheap test comes first.
  if (!/upload|push_to_hub|log_artifact|create_commit|dataset_create|kernels_push/.test(code)) {
    return [];
  }
  const uploads: MlUpload[] = [];
  for (const match of code.matchAll(CODE_UPLOAD_CALL)) {
    const call = match[0].replace(/\s*\($/, '');
    const start = (match.index ?? 0) + match[0].length;
    const callArgs = argumentText(code, start);
    const upload = readCodeUpload(call, callArgs, code);
    if (upload !== undefined) {
      uploads.push(upload);
    }
  }
  return uploads;
}

/** Returns the text between the opening bracket at `start - 1` and its closing bracket. */
function argumentText(code: string, start: number): string {
  let depth = 1;
  for (let index = start; index < code.length; index += 1) {
    const char = code[index];
    if (char === '(') {
      depth += 1;
    } else if (char === ')') {
      depth -= 1;
      if (depth === 0) {
        return code.slice(start, index);
      }
    }
  }
  return code.slice(start);
}

/** Returns the string value of the first keyword argument of `names` in `args`, as in `repo_id='a/b'`. */
function keywordString(args: string, names: string): string | undefined {
  return new RegExp(String.raw`\b(?:${names})\s*[=:]\s*(?:f|r)?['"]([^'"]*)['"]`).exec(args)?.[1];
}

function firstString(args: string): string | undefined {
  return /^\s*(?:f|r)?['"]([^'"]*)['"]/.exec(args)?.[1];
}

function readCodeUpload(call: string, args: string, code: string): MlUpload | undefined {
  if (/^(?:upload_folder|upload_file|upload_large_folder|uploadFiles?|create_commit)$/.test(call)) {
    // A `*_upload_file` of another library is not the Hub's, so the Hub's import or client must appear.
    if (!/huggingface_hub|HfApi|@huggingface\/hub/.test(code)) {
      return undefined;
    }
    const repo = keywordString(args, 'repo_id|repo');
    const source =
      keywordString(args, 'folder_path|path_or_fileobj|files') ??
      (call === 'upload_folder' ? '.' : 'a file');
    return { platform: 'Hugging Face Hub', sources: [source], destinations: idNames(repo) };
  }
  if (call === 'push_to_hub') {
    const repo = firstString(args) ?? keywordString(args, 'repo_id');
    return {
      platform: 'Hugging Face Hub',
      sources: ['a model or dataset'],
      destinations: idNames(repo),
    };
  }
  if (call === 'log_artifact' || call === 'log_artifacts') {
    if (/\bmlflow\b/.test(code)) {
      const run = keywordString(code, 'run_id');
      const experiment = /set_experiment\(\s*['"]([^'"]+)['"]/.exec(code)?.[1];
      return {
        platform: 'MLflow',
        sources: [firstString(args) ?? keywordString(args, 'local_dir|local_path') ?? 'files'],
        destinations: [run, experiment].filter((name): name is string => (name ?? '') !== ''),
      };
    }
    if (/\bwandb\b/.test(code)) {
      const project = keywordString(code, 'project');
      const entity = keywordString(code, 'entity');
      const added = /\.add_(?:dir|file)\(\s*['"]([^'"]+)['"]/.exec(code)?.[1];
      return {
        platform: 'Weights & Biases',
        sources: [added ?? firstString(args) ?? 'an artifact'],
        destinations: [
          ...idNames(
            entity !== undefined && project !== undefined ? `${entity}/${project}` : project,
          ),
        ],
      };
    }
    return undefined;
  }
  if (/\bkaggle\b/.test(code)) {
    return {
      platform: 'Kaggle',
      sources: [firstString(args) ?? keywordString(args, 'folder') ?? '.'],
      destinations: [],
    };
  }
  return undefined;
}
