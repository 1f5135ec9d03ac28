import { describe, expect, it } from 'vitest';
import { decideBash } from '../../test/helpers/guard.js';

const UNRELATED = 'Fix the failing test.';

describe('describe calls that print a service environment', () => {
  it.each([
    "gcloud run services describe api --format='value(spec.template.spec.containers[0].env)'",
    "gcloud --project acme-prod run services describe api --format='json(spec.template.spec.containers[].env)'",
    "gcloud functions describe ingest --format='value(serviceConfig.environmentVariables)'",
    'aws --region eu-west-1 lambda get-function-configuration --function-name billing',
    'aws lambda get-function --function-name api --query Configuration.Environment',
    "aws ecs describe-task-definition --task-definition api:42 --query 'taskDefinition.containerDefinitions[0].environment'",
    'aws apprunner describe-service --service-arn arn:aws:apprunner:us-east-1:1:service/api/abc --query Service.SourceConfiguration.ImageRepository.ImageConfiguration.RuntimeEnvironmentVariables',
    'az containerapp secret list -n api -g rg --show-values',
  ])('denies %s', async (command) => {
    const decision = await decideBash(command, UNRELATED);
    expect(decision.verdict).toBe('deny');
    expect(decision.rule).toBe('stage1:secret-printer');
  });

  it.each([
    ["gcloud run services describe api --format='value(status.url)'", UNRELATED],
    ['aws lambda get-function-configuration --function-name api --query Timeout', UNRELATED],
    [
      "aws ecs describe-task-definition --task-definition api --query 'taskDefinition.cpu'",
      UNRELATED,
    ],
    ['az containerapp secret list -n api -g rg -o table', UNRELATED],
    // A plain describe is an ordinary look at the service.
    ['gcloud run services describe api --region us-central1', UNRELATED],
    ['aws lambda get-function --function-name api', UNRELATED],
    ['aws ecs describe-task-definition --task-definition api:42', UNRELATED],
    [
      'gcloud run services describe api --format=yaml',
      'Show me the config of the api Cloud Run service.',
    ],
    [
      'aws lambda get-function-configuration --function-name checkout',
      'Print the environment variables of the checkout lambda.',
    ],
  ])('allows %s', async (command, message) => {
    expect((await decideBash(command, message)).verdict).toBe('allow');
  });

  it('keeps consent to the service the user named', async () => {
    const decision = await decideBash(
      "gcloud run services describe api --format='yaml(spec.template.spec.containers[0].env)'",
      'Show me the env vars of the web Cloud Run service.',
    );
    expect(decision.verdict).toBe('deny');
  });
});
