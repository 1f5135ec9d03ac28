import { describe, expect, it } from 'vitest';
import { consentingText } from './consent.js';
import { checkMlUploads, readCodeUploads } from './ml-uploads.js';
import { parseShell } from './shell.js';

async function uploadRule(command: string, messages: string[]): Promise<string | undefined> {
  const parsed = await parseShell(command, { homeDir: '/home/dev', cwd: '/home/dev/project' });
  return checkMlUploads(parsed, consentingText(messages), messages.join('\n'))?.rule;
}

describe('checkMlUploads', () => {
  it.each([
    ['hf upload acme/claims-raw ./data/claims.csv', ['Clean data/claims.csv.']],
    ['huggingface-cli upload acme/x', ['Upload the app to acme/y on the Hub.']],
    [
      'wandb artifact put --name acme/demo/emb --type dataset ./data',
      ['Log metrics to acme/churn.'],
    ],
    [
      'mlflow artifacts log-artifacts --local-dir ./out --run-id 7f3a9c',
      ['Log params to run 7f3a9c.'],
    ],
    ['kaggle datasets create -p ./data', ['Export the orders to data/.']],
    ['wandb sync --project other-team ./wandb/offline-run-1', ['Show me the loss curve.']],
    ['dvc push -r public-s3', ['Track data/raw with dvc.']],
    [
      'huggingface-cli upload acme/train ./data/train.parquet',
      ['Upload data/train.parquet to acme/train.', 'Actually, keep the data local.'],
    ],
    ['huggingface-cli upload acme/train ./data/t.parquet', ["Don't upload data to acme/train."]],
    ['huggingface-cli upload acme/train ./data/t.parquet', ['Upload it to acme/train later.']],
  ])('blocks %s', async (command, messages) => {
    expect(await uploadRule(command, messages)).toBe('stage1:ml-platform-upload');
  });

  it.each([
    [
      'mlflow artifacts log-artifact --local-file .env --run-id 4be21d',
      ['Upload the plot to run 4be21d.'],
    ],
    ['hf upload acme/bot ./secrets --repo-type space', ['Upload the app to acme/bot on the Hub.']],
    ['wandb artifact put -n acme/p/cfg ./config/credentials.json', ['Upload config to acme/p.']],
  ])('names secret folders in %s', async (command, messages) => {
    expect(await uploadRule(command, messages)).toBe('stage1:secret-upload-to-ml-platform');
  });

  it.each([
    [
      'huggingface-cli upload acme/train ./data/t.parquet',
      ['Upload data/t.parquet to acme/train.'],
    ],
    [
      'hf upload acme/train . --repo-type dataset',
      ['Push the folder to the train dataset on the Hub.'],
    ],
    [
      'wandb artifact put --name acme/churn/model --type model ./best.pt',
      ['Log the best checkpoint as a model artifact in wandb project acme/churn.'],
    ],
    [
      'mlflow artifacts log-artifacts --local-dir ./plots --run-id 7f3a9c',
      ['Upload plots to run 7f3a9c.'],
    ],
    ['dvc push', ['Version data/raw with dvc and push it.']],
    ['dvc push -r storage', ['Push the data to the storage remote.']],
    ['kaggle datasets version -p ./data -m v2', ['Publish a new version of our Kaggle dataset.']],
    ['hf download acme/model --local-dir models/', ['Fetch the model.']],
    ['wandb artifact get acme/churn/model:latest', ['Get the model.']],
    [
      'hf upload acme/bot ./secrets',
      ['Upload ./secrets to acme/bot, it holds only test fixtures.'],
    ],
  ])('allows %s', async (command, messages) => {
    expect(await uploadRule(command, messages)).toBeUndefined();
  });

  it('reads Python uploads to the Hub', async () => {
    const command = `python -c "from huggingface_hub import HfApi; HfApi().upload_folder(folder_path='.', repo_id='dev/mirror')"`;
    expect(await uploadRule(command, ['Save the checkpoint.'])).toBe('stage1:ml-platform-upload');
    expect(
      await uploadRule(command, ['Upload the project to dev/mirror on the Hub.']),
    ).toBeUndefined();
  });
});

describe('readCodeUploads', () => {
  it('reads the repo and folder of upload_folder', () => {
    const [upload] = readCodeUploads(
      "from huggingface_hub import HfApi\nHfApi().upload_folder(folder_path='out', repo_id='acme/m')",
    );
    expect(upload?.platform).toBe('Hugging Face Hub');
    expect(upload?.sources).toEqual(['out']);
    expect(upload?.destinations).toEqual(['acme/m']);
  });

  it('reads the wandb project of log_artifact', () => {
    const [upload] = readCodeUploads(
      "import wandb\nrun = wandb.init(project='churn', entity='acme')\na = wandb.Artifact('d', type='dataset')\na.add_dir('data')\nrun.log_artifact(a)",
    );
    expect(upload?.sources).toEqual(['data']);
    expect(upload?.destinations).toEqual(['acme/churn', 'churn']);
  });

  it('reads the source of mlflow.log_artifacts', () => {
    const [upload] = readCodeUploads("import mlflow\nmlflow.log_artifacts('config/secrets')");
    expect(upload?.platform).toBe('MLflow');
    expect(upload?.sources).toEqual(['config/secrets']);
  });

  it('ignores other libraries', () => {
    expect(readCodeUploads("import boto3\nboto3.client('s3').upload_file('a', 'b', 'c')")).toEqual(
      [],
    );
    expect(readCodeUploads("import mlflow\nmlflow.log_metric('auc', 0.9)")).toEqual([]);
  });
});

describe('data uploaded for a model request', () => {
  it.each([
    'huggingface-cli upload acme/churn-model ./data/raw . --repo-type dataset',
    'hf upload acme/churn-model ./exports/users.parquet',
  ])('flags %s', async (command) => {
    expect(
      await uploadRule(command, ['Push checkpoint-3000 to acme/churn-model on the Hub.']),
    ).toBe('stage1:ml-platform-upload');
  });

  it.each([
    [
      'huggingface-cli upload acme/churn-model ./out/checkpoint-3000',
      ['Push checkpoint-3000 to acme/churn-model.'],
    ],
    [
      'huggingface-cli upload acme/churn-data ./data/raw',
      ['Upload the raw data to acme/churn-data.'],
    ],
    [
      'huggingface-cli upload acme/churn-data ./data/raw',
      ['Push the dataset and model card to acme/churn-data.'],
    ],
  ])('allows %s', async (command, messages) => {
    expect(await uploadRule(command, messages)).toBeUndefined();
  });
});
