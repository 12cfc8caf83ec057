import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { emulatorEndpoint } from '../../emulator/bundled';
import { functionArn, functionNameOf, LambdaService } from '../../emulator/lambda-service';
import { LocalFunction } from '../../emulator/local-function';
import { EMULATOR_AWS_ENV } from '../../emulator/moto';
import { redrive } from '../../src/cli/redrive';

// The local Lambda service (emulator/lambda-service.ts) as the AWS SDK sees it: a function
// that fails an event's first `failures` attempts, then echoes it.
const HANDLER = `
const attempts = new Map();
exports.handler = async (event) => {
  const n = (attempts.get(event.id) ?? 0) + 1;
  attempts.set(event.id, n);
  if (n <= (event.failures ?? 0)) throw new TypeError('attempt ' + n + ' of ' + event.id + ' failed');
  return { echo: event, attempt: n };
};`;

const credentials = { accessKeyId: EMULATOR_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: EMULATOR_AWS_ENV.AWS_SECRET_ACCESS_KEY };
let assetDir: string;
let fn: LocalFunction;
let sqs: SQSClient;
let queueUrl: string;
let service: LambdaService;
let lambda: LambdaClient;

const payload = (event: unknown) => new TextEncoder().encode(JSON.stringify(event));

async function queueDepth(): Promise<number> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  }));
  return Number(Attributes!.ApproximateNumberOfMessages) + Number(Attributes!.ApproximateNumberOfMessagesNotVisible);
}

beforeAll(async () => {
  assetDir = mkdtempSync(join(tmpdir(), 'tap-lambda-service-'));
  writeFileSync(join(assetDir, 'index.js'), HANDLER);
  fn = await LocalFunction.start({ assetDir, handler: 'index.handler', functionName: 'flaky', environment: { ...EMULATOR_AWS_ENV } });
  sqs = new SQSClient({ endpoint: emulatorEndpoint(), region: EMULATOR_AWS_ENV.AWS_REGION, credentials });
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'lambda-service-dlq' }))).QueueUrl!;
  service = await LambdaService.start({
    functions: [{
      name: 'flaky',
      fn,
      environment: { MODE: 'test' },
      deadLetterQueueUrl: queueUrl,
      deadLetterQueueArn: 'arn:aws:sqs:us-east-1:123456789012:lambda-service-dlq',
    }],
    sqs,
    retryDelayMs: 10,
  });
  lambda = new LambdaClient({ endpoint: service.endpoint, region: EMULATOR_AWS_ENV.AWS_REGION, credentials });
});

afterAll(async () => {
  lambda?.destroy();
  await service?.stop();
  await fn?.stop();
  rmSync(assetDir, { recursive: true, force: true });
});

test('function names: a name, an ARN, an encoded ARN with a qualifier', () => {
  expect(functionNameOf('flaky')).toBe('flaky');
  expect(functionNameOf(functionArn('flaky'))).toBe('flaky');
  expect(functionNameOf(encodeURIComponent(`${functionArn('flaky')}:$LATEST`))).toBe('flaky');
  expect(functionNameOf('123456789012:function:flaky')).toBe('flaky');
});

test('RequestResponse returns the payload; a function error is 200 with X-Amz-Function-Error', async () => {
  const ok = await lambda.send(new InvokeCommand({ FunctionName: 'flaky', Payload: payload({ id: 'sync-ok' }) }));
  expect(ok.StatusCode).toBe(200);
  expect(ok.FunctionError).toBeUndefined();
  expect(JSON.parse(Buffer.from(ok.Payload!).toString())).toEqual({ echo: { id: 'sync-ok' }, attempt: 1 });

  const failed = await lambda.send(new InvokeCommand({ FunctionName: functionArn('flaky'), Payload: payload({ id: 'sync-fail', failures: 1 }) }));
  expect(failed.StatusCode).toBe(200);
  expect(failed.FunctionError).toBe('Unhandled');
  expect(JSON.parse(Buffer.from(failed.Payload!).toString())).toMatchObject({ errorType: 'TypeError', errorMessage: 'attempt 1 of sync-fail failed' });
});

test('DryRun is 204; an unknown function is ResourceNotFoundException', async () => {
  expect((await lambda.send(new InvokeCommand({ FunctionName: 'flaky', InvocationType: 'DryRun' }))).StatusCode).toBe(204);
  await expect(lambda.send(new InvokeCommand({ FunctionName: 'nope', Payload: payload({}) }))).rejects.toMatchObject({
    name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 },
  });
  await expect(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'nope' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
});

test('GetFunctionConfiguration reports the name, ARN, environment and dead-letter target', async () => {
  const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionArn('flaky') }));
  expect(config).toMatchObject({
    FunctionName: 'flaky',
    FunctionArn: functionArn('flaky'),
    Environment: { Variables: { MODE: 'test' } },
    DeadLetterConfig: { TargetArn: 'arn:aws:sqs:us-east-1:123456789012:lambda-service-dlq' },
  });
});

test('an Event invoke that fails thrice lands in the DLQ with Lambda\'s attributes; redrive() re-invokes it and deletes the message', async () => {
  // GIVEN an event failing its first three attempts (the first run and both retries)
  const before = { ...service.counters };
  const accepted = await lambda.send(new InvokeCommand({ FunctionName: 'flaky', InvocationType: 'Event', Payload: payload({ id: 'async', failures: 3 }) }));
  expect(accepted.StatusCode).toBe(202);
  await service.whenIdle();
  expect(service.counters.retries - before.retries).toBe(2);
  expect(service.counters.deadLettered - before.deadLettered).toBe(1);

  // THEN the original event is in the DLQ
  const { Messages } = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: queueUrl, MessageAttributeNames: ['All'], VisibilityTimeout: 0, WaitTimeSeconds: 1,
  }));
  expect(Messages).toHaveLength(1);
  expect(JSON.parse(Messages![0].Body!)).toEqual({ id: 'async', failures: 3 });
  expect(Messages![0].MessageAttributes).toEqual({
    RequestID: { DataType: 'String', StringValue: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    ErrorCode: { DataType: 'Number', StringValue: '200' },
    ErrorMessage: { DataType: 'String', StringValue: 'TypeError: attempt 3 of async failed' },
  });

  // WHEN it is redriven through the service
  const summary = await redrive(sqs, lambda, { queueUrl, targets: [{ functionName: 'flaky' }] });
  await service.whenIdle();

  // THEN the fourth attempt succeeds and the message is gone
  expect(summary).toMatchObject({ received: 1, redriven: 1, failed: 0, unroutable: 0 });
  expect(service.counters.handlerErrors - before.handlerErrors).toBe(3);
  expect(service.counters.handlerRuns - before.handlerRuns).toBe(4);
  expect(await queueDepth()).toBe(0);
});

test('throttling: a seeded share of Invoke calls is answered 429, which the SDK retries', async () => {
  const throttling = await LambdaService.start({ functions: [{ name: 'flaky', fn, environment: {} }], sqs, throttle: { rate: 0.25, seed: 3 } });
  const client = new LambdaClient({ endpoint: throttling.endpoint, region: EMULATOR_AWS_ENV.AWS_REGION, credentials, maxAttempts: 10 });
  try {
    for (let i = 0; i < 6; i++) {
      const res = await client.send(new InvokeCommand({ FunctionName: 'flaky', InvocationType: 'Event', Payload: payload({ id: `t${i}` }) }));
      expect(res.StatusCode).toBe(202);
    }
    await throttling.whenIdle();
    expect(throttling.counters.throttled).toBeGreaterThan(0);
    expect(throttling.counters.asyncAccepted).toBe(6);

    const once = new LambdaClient({ endpoint: throttling.endpoint, region: EMULATOR_AWS_ENV.AWS_REGION, credentials, maxAttempts: 1 });
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) =>
      once.send(new InvokeCommand({ FunctionName: 'flaky', InvocationType: 'Event', Payload: payload({ id: `u${i}` }) }))));
    once.destroy();
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)).toContainEqual(
      expect.objectContaining({ name: 'TooManyRequestsException', $metadata: expect.objectContaining({ httpStatusCode: 429 }) }));
    await throttling.whenIdle();
  } finally {
    client.destroy();
    await throttling.stop();
  }
});
