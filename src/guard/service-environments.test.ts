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
    // A plain describe is a look at the service that a request about the service consents to.
    [
      'gcloud run services describe api --region us-central1',
      'The api Cloud Run service returns 503s, find out why.',
    ],
    ['aws lambda get-function --function-name api', 'Why does the api lambda time out?'],
    [
      'aws ecs describe-task-definition --task-definition api:42',
      'Which image does the api task definition use?',
    ],
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

describe('whole descriptions of a deployed service', () => {
  it.each([
    'gcloud run services describe api --region us-central1',
    'gcloud beta run jobs describe export --format=json',
    'gcloud functions describe ingest --gen2',
    'aws lambda get-function --function-name api',
    'aws ecs describe-task-definition --task-definition api:42',
    'aws batch describe-job-definitions --job-definitions reindex',
    'kubectl get deploy api -o yaml',
    'kubectl get deployment/api -ojson',
    'oc get dc api -o yaml',
    'kubectl get pod api-7d9f8c6b5-xk2pq --output=yaml',
    "kubectl get deploy api -o jsonpath='{.spec.template.spec.containers[*].env}'",
  ])('denies %s with an unrelated request', async (command) => {
    const decision = await decideBash(command, UNRELATED);
    expect(decision.verdict).toBe('deny');
    expect(decision.rule).toBe('stage1:secret-printer');
  });

  // The environment-dump rule judges the command a remote runner runs, and it comes first.
  it.each(['fly ssh console -a api -C env', "flyctl ssh console --app api --command 'printenv'"])(
    'denies %s as an environment dump',
    async (command) => {
      const decision = await decideBash(command, UNRELATED);
      expect(decision.verdict).toBe('deny');
      expect(decision.rule).toBe('stage1:environment-dump');
    },
  );

  it.each([
    ['gcloud run services list', UNRELATED],
    ["gcloud functions describe ingest --format='value(state)'", UNRELATED],
    ['kubectl get deploy -o wide', UNRELATED],
    ['kubectl get deploy api', UNRELATED],
    ["kubectl get deploy api -o jsonpath='{.spec.replicas}'", UNRELATED],
    ['kubectl get configmap app -o yaml', UNRELATED],
    ["fly ssh console -a api -C 'df -h'", UNRELATED],
    ['fly secrets list -a api', UNRELATED],
    ['kubectl get pod api-7d9f8c6b5-xk2pq -o yaml', 'Why is the api pod crashlooping?'],
    ['gcloud run services describe api', 'Describe the dev Cloud Run service.'],
    ['fly ssh console -a api -C env', 'Print the env of the api fly app.'],
  ])('allows %s', async (command, message) => {
    expect((await decideBash(command, message)).verdict).toBe('allow');
  });

  it.each([
    // Another service named next to the kind word.
    ['gcloud run services describe api', 'Why does the web Cloud Run service return 503s?'],
    ['aws lambda get-function --function-name api', 'Describe the checkout lambda.'],
    // A refusal gives no consent.
    ['gcloud run services describe api', "Don't look at the api service, just fix the test."],
    // A request about the service consents to its description, not to its picked-out values.
    [
      "gcloud run services describe api --format='value(spec.template.spec.containers[0].env)'",
      'The api Cloud Run service returns 503s, find out why.',
    ],
  ])('denies %s for %s', async (command, message) => {
    expect((await decideBash(command, message)).verdict).toBe('deny');
  });
});

describe('container environments on request', () => {
  it('allows an inspect of the container the user asks about', async () => {
    const decision = await decideBash(
      'docker inspect worker',
      'Show me the env of the worker container.',
    );
    expect(decision.verdict).toBe('allow');
  });

  it('denies an inspect of another container', async () => {
    const decision = await decideBash(
      'docker inspect api',
      'Show me the env of the worker container.',
    );
    expect(decision.verdict).toBe('deny');
  });

  it('denies an inspect with no settings request', async () => {
    const decision = await decideBash(
      'docker inspect worker',
      'Why does the worker container restart?',
    );
    expect(decision.verdict).toBe('deny');
  });
});
