import { spawnSync } from 'child_process';
import * as path from 'path';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { emulatorEndpoint } from '../../emulator/bundled';
import { EMULATOR_AWS_ENV, ROOT, useLambdaWithoutDocker } from '../../emulator/moto';
import { parseArgs } from '../../src/cli/main';
import { chooseTarget, redrive, resolveTargets, s3KeysOf } from '../../src/cli/redrive';
import { loadFixture } from '../support/fixtures';

const endpoint = () => emulatorEndpoint();
const config = () => ({
  endpoint: endpoint(),
  region: EMULATOR_AWS_ENV.AWS_REGION,
  credentials: { accessKeyId: EMULATOR_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: EMULATOR_AWS_ENV.AWS_SECRET_ACCESS_KEY },
});
// An empty zip: moto stores the code without running it.
const EMPTY_ZIP = Buffer.concat([Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(18)]);

function s3Event(...keys: string[]): string {
  return JSON.stringify({
    Records: keys.map((key) => ({
      eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'uploads' }, object: { key, size: 3 } },
    })),
  });
}

let sqs: SQSClient;
let lambda: LambdaClient;
/** Invoke requests the redrive sent, captured on the client. */
const invoked: Array<{ FunctionName?: string; InvocationType?: string; Payload?: string }> = [];
let queueNumber = 0;

async function queueWith(...bodies: string[]): Promise<string> {
  queueNumber += 1;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `redrive-test-${queueNumber}` }));
  for (const body of bodies) {
    await sqs.send(new SendMessageCommand({
      QueueUrl, MessageBody: body, MessageAttributes: { ErrorMessage: { DataType: 'String', StringValue: 'Task timed out' } },
    }));
  }
  return QueueUrl!;
}

async function queueDepth(queueUrl: string): Promise<number> {
  const attrs = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  }));
  return Number(attrs.Attributes!.ApproximateNumberOfMessages) + Number(attrs.Attributes!.ApproximateNumberOfMessagesNotVisible);
}

async function createFunction(name: string, env: Record<string, string>): Promise<void> {
  await lambda.send(new CreateFunctionCommand({
    FunctionName: name,
    Runtime: 'nodejs24.x',
    Handler: 'index.handler',
    Role: 'arn:aws:iam::123456789012:role/redrive-test',
    Code: { ZipFile: EMPTY_ZIP },
    Environment: { Variables: env },
  }));
}

beforeAll(async () => {
  await useLambdaWithoutDocker(endpoint());
  sqs = new SQSClient(config());
  lambda = new LambdaClient(config());
  lambda.middlewareStack.add((next) => async (args) => {
    const input = args.input as { FunctionName?: string; InvocationType?: string; Payload?: Uint8Array };
    if (input.InvocationType) {
      invoked.push({ ...input, Payload: Buffer.from(input.Payload ?? []).toString() });
    }
    return next(args);
  }, { step: 'initialize' });
  await new IAMClient(config()).send(new CreateRoleCommand({ RoleName: 'redrive-test', AssumeRolePolicyDocument: '{}' }));
  await createFunction('image-fn', { POWERTOOLS_SERVICE_NAME: 'image-processor', TAP_IMAGES_PREFIX: 'images/' });
  await createFunction('data-fn', { POWERTOOLS_SERVICE_NAME: 'data-validator', TAP_DATA_PREFIX: 'data/' });
});

beforeEach(() => {
  invoked.length = 0;
});

describe('redrive against moto server', () => {
  test('re-invokes each event asynchronously on the function of its prefix, then removes it', async () => {
    // GIVEN two dead-lettered S3 events, one per function
    const image = s3Event('images/My+Photo.jpg');
    const data = s3Event('data/orders.csv');
    const queueUrl = await queueWith(image, data);
    const targets = await resolveTargets(lambda, ['image-fn', 'data-fn']);
    expect(targets).toEqual([{ functionName: 'image-fn', inputPrefix: 'images/' }, { functionName: 'data-fn', inputPrefix: 'data/' }]);
    // WHEN
    const lines: string[] = [];
    const summary = await redrive(sqs, lambda, { queueUrl, targets, log: (l) => lines.push(l) });
    // THEN
    expect(summary).toEqual({ received: 2, redriven: 2, failed: 0, unroutable: 0, dryRun: false });
    expect(invoked.map((i) => [i.FunctionName, i.InvocationType, i.Payload]).sort())
      .toEqual([['data-fn', 'Event', data], ['image-fn', 'Event', image]]);
    expect(await queueDepth(queueUrl)).toBe(0);
    expect(lines.join('\n')).toMatch(/images\/My Photo\.jpg → re-invoked image-fn, removed from the queue/);
  });

  test('every ingestion mode\'s dead letters: an EventBridge event and an SNS envelope go back to the function of their key', async () => {
    // GIVEN the dead letters of the EventBridge mode (a rule target's DLQ) and of an S3 → SNS → SQS path
    const bridged = JSON.stringify({ ...loadFixture<Record<string, any>>('eventbridge-object-created.json') });
    const envelope = JSON.stringify({ Type: 'Notification', Message: s3Event('data/b c.csv') });
    const queueUrl = await queueWith(bridged, envelope);
    const targets = await resolveTargets(lambda, ['image-fn', 'data-fn']);
    // WHEN
    const summary = await redrive(sqs, lambda, { queueUrl, targets });
    // THEN each is re-invoked, unchanged, on the function of its key (the functions read every such shape)
    expect(summary).toMatchObject({ received: 2, redriven: 2, unroutable: 0 });
    expect(invoked.map((i) => [i.FunctionName, i.Payload]).sort()).toEqual([['data-fn', envelope], ['image-fn', bridged]]);
    expect(await queueDepth(queueUrl)).toBe(0);
  });

  test('a failing invoke leaves its message in the queue', async () => {
    // GIVEN a Lambda endpoint that refuses connections (an outage), and one dead-lettered event
    const targets = await resolveTargets(lambda, ['image-fn', 'data-fn']);
    const down = new LambdaClient({ ...config(), endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const queueUrl = await queueWith(s3Event('images/a.jpg'));
    // WHEN
    const lines: string[] = [];
    const summary = await redrive(sqs, down, { queueUrl, targets, log: (l) => lines.push(l) });
    // THEN the message is still there, visible again for the next redrive
    expect(summary).toEqual({ received: 1, redriven: 0, failed: 1, unroutable: 0, dryRun: false });
    expect(await queueDepth(queueUrl)).toBe(1);
    expect(lines.join('\n')).toMatch(/images\/a\.jpg → invoking image-fn failed \(.*\); left in the queue/);
    // AND a later redrive, with Lambda back, delivers it
    const again = await redrive(sqs, lambda, { queueUrl, targets });
    expect(again.redriven).toBe(1);
    expect(await queueDepth(queueUrl)).toBe(0);
  });

  test('a dry run invokes and deletes nothing', async () => {
    const queueUrl = await queueWith(s3Event('images/a.jpg'), s3Event('data/b.csv'), s3Event('data/c.csv'));
    const lines: string[] = [];
    const summary = await redrive(sqs, lambda, {
      queueUrl, targets: await resolveTargets(lambda, ['image-fn', 'data-fn']), dryRun: true, log: (l) => lines.push(l),
    });
    expect(summary).toEqual({ received: 3, redriven: 0, failed: 0, unroutable: 0, dryRun: true });
    expect(invoked).toEqual([]);
    expect(await queueDepth(queueUrl)).toBe(3);
    expect(lines.filter((l) => l.includes('would invoke'))).toHaveLength(3);
    expect(lines.join('\n')).toContain('failed with: Task timed out');
  });

  test('events no given function processes, and bodies that are not JSON, stay in the queue', async () => {
    const queueUrl = await queueWith(s3Event('reports/x.json'), 'not json', s3Event('data/ok.csv'));
    const summary = await redrive(sqs, lambda, { queueUrl, targets: await resolveTargets(lambda, ['image-fn', 'data-fn']) });
    expect(summary).toEqual({ received: 3, redriven: 1, failed: 0, unroutable: 2, dryRun: false });
    expect(await queueDepth(queueUrl)).toBe(2);
  });

  test('--max stops after that many messages', async () => {
    const queueUrl = await queueWith(...Array.from({ length: 5 }, (_, i) => s3Event(`data/${i}.csv`)));
    const summary = await redrive(sqs, lambda, { queueUrl, targets: [{ functionName: 'data-fn', inputPrefix: 'data/' }], maxMessages: 3 });
    expect(summary.redriven).toBe(3);
    expect(await queueDepth(queueUrl)).toBe(2);
  });

  test('the packaged command (assets/cli/main/index.js) redrives and reports', async () => {
    const queueUrl = await queueWith(s3Event('images/cli.png'));
    const run = spawnSync(process.execPath, [path.join(ROOT, 'assets', 'cli', 'main', 'index.js'), 'redrive',
      '--queue-url', queueUrl, '--function-name', 'image-fn', '--function-name', 'data-fn'], {
      env: { PATH: process.env.PATH, ...EMULATOR_AWS_ENV, AWS_ENDPOINT_URL: endpoint() }, encoding: 'utf8',
    });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('target image-fn: S3 keys under images/');
    expect(run.stdout).toContain('1 received, 1 redriven, 0 failed, 0 left unroutable');
    expect(await queueDepth(queueUrl)).toBe(0);
  });
});

describe('routing and arguments', () => {
  test('S3 keys are URL-decoded', () => {
    expect(s3KeysOf(JSON.parse(s3Event('images/My+Photo+%C3%A9t%C3%A9.jpg')))).toEqual(['images/My Photo été.jpg']);
    expect(s3KeysOf({ hello: 'world' })).toBeUndefined();
  });

  test('dead-lettered EventBridge events and SNS envelopes are routed by the key they carry', () => {
    const eventBridge = loadFixture<Record<string, unknown>>('eventbridge-object-created.json');
    expect(s3KeysOf(eventBridge)).toEqual(['images/My Photo été+1.jpg']);
    const envelope = { Type: 'Notification', Message: s3Event('data/a b.csv') };
    expect(s3KeysOf(envelope)).toEqual(['data/a b.csv']);
    const targets = [{ functionName: 'img', inputPrefix: 'images/' }, { functionName: 'data', inputPrefix: 'data/' }];
    expect(chooseTarget(eventBridge, targets)).toEqual(targets[0]);
    expect(s3KeysOf({ Service: 'Amazon S3', Event: 's3:TestEvent' })).toBeUndefined();
  });

  test('an event goes to the one function whose prefix holds all its keys', () => {
    const targets = [{ functionName: 'img', inputPrefix: 'images/' }, { functionName: 'data', inputPrefix: 'data/' }];
    expect(chooseTarget(JSON.parse(s3Event('data/a.csv', 'data/b.csv')), targets)).toEqual(targets[1]);
    expect(chooseTarget(JSON.parse(s3Event('images/a.png', 'data/b.csv')), targets)).toMatch(/no given function processes/);
    expect(chooseTarget({ custom: true }, targets)).toMatch(/not an S3 event/);
    expect(chooseTarget({ custom: true }, [targets[0]])).toEqual(targets[0]);
  });

  test('arguments are parsed strictly', () => {
    expect(parseArgs(['redrive', '--queue-url', 'u', '--function-name', 'a', '--function-name', 'b', '--dry-run', '--max', '7']))
      .toEqual({ command: 'redrive', help: false, flags: { 'queue-url': 'u', 'function-name': ['a', 'b'], 'dry-run': true, 'max': 7 } });
    expect(parseArgs(['redrive', '--stack=TapDemo']).flags).toEqual({ stack: 'TapDemo' });
    expect(() => parseArgs(['redrive', '--max', '0'])).toThrow(/--max must be a positive whole number/);
    expect(() => parseArgs(['redrive', '--queue-url'])).toThrow(/--queue-url needs a value/);
    expect(() => parseArgs(['redrive', '--bogus'])).toThrow(/unknown argument --bogus for redrive/);
    expect(() => parseArgs(['redrive', '--all'])).toThrow(/unknown argument --all for redrive/);
    expect(() => parseArgs(['reprocess', '--dry-run=yes'])).toThrow(/--dry-run takes no value/);
    expect(() => parseArgs(['reprocess', '--rate', 'fast'])).toThrow(/--rate must be a positive number, got fast/);
    expect(() => parseArgs(['--stack', 'x'])).toThrow(/--stack before the command/);
  });

  test('the packaged command explains its usage', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'assets', 'cli', 'main', 'index.js'), 'redrive'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('pass --stack NAME, or --queue-url and at least one --function-name');
  });
});
