import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Ingestion, OutcomeEvents, TapServerless } from '../../src';
import { ENV, synth } from '../support/templates';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: unknown;
}

/** Every statement of every identity policy in the template, with the policy's logical id. */
function identityStatements(template: Template): Array<{ policy: string; statement: Statement }> {
  return Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([policy, r]) =>
    (r.Properties.PolicyDocument.Statement as Statement[]).map((statement) => ({ policy, statement })));
}

const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** Actions AWS offers no resource-level permission for: "*" is the only valid resource. */
const RESOURCE_STAR_ACTIONS = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);

describe('least privilege', () => {
  const { template } = synth();
  const statements = identityStatements(template);
  const ours = statements.filter((s) => s.policy.startsWith('Tap'));

  test('the construct has identity policies to check', () => {
    expect(ours.length).toBeGreaterThanOrEqual(3);
  });

  test('no statement has resource "*" except for actions AWS requires it for', () => {
    const offending = statements.filter(({ statement }) =>
      asArray(statement.Resource).includes('*') && !asArray(statement.Action).every((a) => RESOURCE_STAR_ACTIONS.has(a)));
    expect(offending).toEqual([]);
  });

  test('no wildcard service actions such as s3:*, sqs:* or dynamodb:*', () => {
    const offending = ours.filter(({ statement }) => asArray(statement.Action).some((a) => /(^\*$|:\*$)/.test(a)));
    expect(offending).toEqual([]);
  });

  test('the image processor reads only images/ and writes only thumbnails/', () => {
    const s3 = ours.filter(({ policy, statement }) =>
      policy.startsWith('TapImageProcessor') && asArray(statement.Action).some((a) => a.startsWith('s3:')));
    const resources = JSON.stringify(s3.map(({ statement }) => [statement.Action, statement.Resource]));
    expect(resources).toContain('"/images/*"');
    expect(resources).toContain('"/thumbnails/*"');
    expect(resources).not.toContain('/data/');
    expect(resources).not.toContain('/reports/');
    const put = s3.find(({ statement }) => asArray(statement.Action).includes('s3:PutObject'));
    expect(JSON.stringify(put?.statement.Resource)).toContain('/thumbnails/*');
  });

  test('the data validator reads only data/ and writes only reports/', () => {
    const s3 = ours.filter(({ policy, statement }) =>
      policy.startsWith('TapDataValidator') && asArray(statement.Action).some((a) => a.startsWith('s3:')));
    const resources = JSON.stringify(s3.map(({ statement }) => statement.Resource));
    expect(resources).toContain('"/data/*"');
    expect(resources).toContain('"/reports/*"');
    expect(resources).not.toContain('/images/');
  });

  test('the notification handler has no S3 or SQS access, and queries only the two indexes', () => {
    const handler = ours.filter(({ policy }) => policy.startsWith('TapNotificationHandler'));
    const actions = handler.flatMap(({ statement }) => asArray(statement.Action));
    expect(actions.filter((a) => a.startsWith('s3:') || a.startsWith('sqs:'))).toEqual([]);
    expect(actions).not.toContain('dynamodb:Scan');
    const query = handler.find(({ statement }) => asArray(statement.Action).includes('dynamodb:Query'));
    expect(JSON.stringify(query?.statement.Resource)).toMatch(/\/index\/byTime.*\/index\/byType/);
    // The indexes hold keys only: the page's items are read by key, from the table itself.
    const batchGet = handler.find(({ statement }) => asArray(statement.Action).includes('dynamodb:BatchGetItem'));
    expect(batchGet?.statement.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^TapNotifications/), 'Arn'] });
    // The S3 functions never list nor batch-read.
    const s3Functions = ours.filter(({ policy }) => policy.startsWith('TapImageProcessor') || policy.startsWith('TapDataValidator'));
    expect(s3Functions.flatMap(({ statement }) => asArray(statement.Action)).filter((a) => /Query|BatchGet|Scan/.test(a))).toEqual([]);
  });

  test('functions use their own roles, without the AWSLambdaBasicExecutionRole managed policy', () => {
    const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith('Tap') && id.includes('Role') && !id.includes('CloudWatch'));
    expect(roles).toHaveLength(5);
    for (const [, role] of roles) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('functions may write only to their own log group', () => {
    const logs = ours.filter(({ statement }) => asArray(statement.Action).includes('logs:PutLogEvents'));
    expect(logs).toHaveLength(5);
    for (const { statement } of logs) {
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/LogGroup/), 'Arn'] });
    }
  });
});

describe('API grants (finding: the grant that reads also writes)', () => {
  function invokeArnsOf(stack: Stack, role: string): string[] {
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .find((p) => JSON.stringify(p.Properties.Roles).includes(role))!;
    const statements: any[] = policy.Properties.PolicyDocument.Statement;
    expect([...new Set(statements.flatMap((s) => [s.Action].flat()))]).toEqual(['execute-api:Invoke']);
    // Each resource is Fn::Join [ '', [ 'arn:', partition, …, api, '/', stage, '/<METHOD><path>' ] ]: the stage's Ref is kept as {Ref}
    return statements.flatMap((s) => [s.Resource].flat())
      .map((r) => (r['Fn::Join'][1] as unknown[]).slice(-3).map((part) => typeof part === 'string' ? part : `{${JSON.stringify(part)}}`).join(''))
      .sort();
  }

  test('grantReadNotifications allows the GET methods of the API stage only', () => {
    const stack = new Stack(new App(), 'ReadStack', { env: ENV });
    const tap = new TapServerless(stack, 'Tap');
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });

    expect(tap.grantReadNotifications(reader).success).toBe(true);

    const stage = `{${JSON.stringify(stack.resolve(tap.api.deploymentStage.stageName))}}`;
    expect(invokeArnsOf(stack, 'Reader')).toEqual([`/${stage}/GET/notifications`, `/${stage}/GET/notifications/*`]);
  });

  test('grantCreateNotifications allows POST /notifications only', () => {
    const stack = new Stack(new App(), 'WriteStack', { env: ENV });
    const tap = new TapServerless(stack, 'Tap', { environmentSuffix: 'prod' });
    const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() });

    tap.grantCreateNotifications(writer);

    const stage = `{${JSON.stringify(stack.resolve(tap.api.deploymentStage.stageName))}}`;
    expect(invokeArnsOf(stack, 'Writer')).toEqual([`/${stage}/POST/notifications`]);
  });
});

describe('bucket owner and conditions (findings: bucket-name squatting, wide blast radius)', () => {
  const statementsOf = (template: Template, policyPrefix: string) => identityStatements(template)
    .filter(({ policy }) => policy.startsWith(policyPrefix)).map(({ statement }) => statement);

  test('the S3 functions name the bucket\'s account as its expected owner; the others have no bucket', () => {
    const { template } = synth();
    const owners = Object.entries(template.findResources('AWS::Lambda::Function'))
      .filter(([id]) => id.startsWith('Tap'))
      .map(([id, fn]) => [id.replace(/[0-9A-F]{8}$/, ''), fn.Properties.Environment.Variables.TAP_BUCKET_OWNER]);
    expect(Object.fromEntries(owners)).toEqual({
      TapImageProcessor: '123456789012',
      TapDataValidator: '123456789012',
      TapNotificationHandler: undefined,
      TapNotificationExport: undefined,
    });
  });

  test('an imported bucket of another account: that account is the expected owner', () => {
    const { template } = synth(undefined, (stack) => ({
      bucket: Bucket.fromBucketAttributes(stack, 'Shared', { bucketName: 'shared-ingest', account: '444455556666' }),
    }));
    const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('TapImageProcessor'))![1];
    expect(fn.Properties.Environment.Variables.TAP_BUCKET_OWNER).toBe('444455556666');
  });

  test('queue mode: S3 may send to the queues only from the bucket\'s ARN and account (aws:SourceAccount)', () => {
    const { template } = synth({ ingestion: Ingestion.queue() });
    const fromS3 = Object.values(template.findResources('AWS::SQS::QueuePolicy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as any[])
      .filter((s) => s.Principal?.Service === 's3.amazonaws.com');
    expect(fromS3).toHaveLength(2);
    for (const s of fromS3) {
      expect(s.Condition).toEqual({
        ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^TapBucket/), 'Arn'] } },
        StringEquals: { 'aws:SourceAccount': '123456789012' },
      });
    }
  });

  test('a KMS-encrypted bucket: its key only through S3 in the bucket\'s Region (kms:ViaService)', () => {
    const { template } = synth({ bucketProps: { encryption: BucketEncryption.KMS } });
    const kms = statementsOf(template, 'TapImageProcessor').filter((s) => asArray(s.Action).some((a) => a.startsWith('kms:')));
    expect(kms).toEqual([expect.objectContaining({
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
      Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
    })]);
  });

  test('item writes are limited to each writer\'s keys (dynamodb:LeadingKeys); outcome events to the pipeline\'s source and the function\'s types', () => {
    const { template } = synth({ outcomeEvents: OutcomeEvents.defaultBus() });
    const conditions = (prefix: string) => Object.fromEntries(statementsOf(template, prefix)
      .filter((s) => s.Condition !== undefined).map((s) => [asArray(s.Action).join(','), s.Condition]));
    const leading = (pattern: string) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [pattern] } });
    expect(conditions('TapDataValidator')).toEqual({
      'dynamodb:PutItem': leading('obj-*'),
      'dynamodb:GetItem': leading('obj-*'),
      'dynamodb:UpdateItem': leading('ver-*'),
      'events:PutEvents': { StringEquals: { 'events:source': 'cdk-tap-serverless' }, StringLike: { 'events:detail-type': 'data.*' } },
    });
    expect(conditions('TapNotificationHandler')).toEqual({ 'dynamodb:PutItem': leading('????????-????-????-????-????????????') });
    // That every key the functions use matches: test/reliability/iam-enforced.emulator.test.ts, on the keys they sent.
  });
});
