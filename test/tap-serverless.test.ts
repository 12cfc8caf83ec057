import * as path from 'path';
import { App, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ApiAuthorization, TapServerless, TapServerlessProps, ThumbnailFormat } from '../src';
import { ENV, synth } from './support/templates';
import { toNotificationItem } from '../src/runtime/notification-item';

/** The five application functions (not aws-cdk-lib's helper functions). */
function appFunctions(template: Template): Record<string, any> {
  return template.findResources('AWS::Lambda::Function', {
    Properties: { Description: Match.stringLikeRegexp('^TapServerless: ') },
  });
}

function functionProps(template: Template, descriptionPart: string): any {
  const found = Object.values(appFunctions(template)).filter((f) => f.Properties.Description.includes(descriptionPart));
  expect(found).toHaveLength(1);
  return found[0].Properties;
}

function expectSynthError(props: TapServerlessProps, message: RegExp): void {
  expect(() => synth(props)).toThrow(message);
}

describe('defaults', () => {
  const { template, tap } = synth();

  test('creates one bucket, two queues (the dead-letter queue and the failure recorder\'s intake), one table and five application functions on arm64', () => {
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    const fns = Object.values(appFunctions(template));
    expect(fns).toHaveLength(5);
    for (const fn of fns) {
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON' });
    }
  });

  test('routes images/ and data/ uploads to their functions with prefix filters', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'images/' }] } },
            LambdaFunctionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('TapImageProcessor'), 'Arn'] },
          },
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'data/' }] } },
            LambdaFunctionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('TapDataValidator'), 'Arn'] },
          },
        ],
      },
    });
  });

  test('no notification filter matches an output key: thumbnails and reports cannot re-trigger a function', () => {
    const config = Object.values(template.findResources('Custom::S3BucketNotifications'))[0].Properties.NotificationConfiguration;
    const filters: string[] = config.LambdaFunctionConfigurations
      .map((c: any) => c.Filter.Key.FilterRules.find((r: any) => r.Name === 'prefix').Value);
    expect(filters.sort()).toEqual(['data/', 'images/']);
    for (const outputKey of ['thumbnails/images/cat.jpg/128.webp', 'reports/data/x.csv.report.json']) {
      expect(filters.filter((prefix) => outputKey.startsWith(prefix))).toEqual([]);
    }
  });

  test('hardens the bucket: versioned, SSE, no public access, owner-enforced, TLS only', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        })]),
      },
    });
  });

  test('tiers current versions to Standard-IA at 30 days and Glacier at 90, expires noncurrent versions at 90', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [Match.objectLike({
          Status: 'Enabled',
          Transitions: [
            { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
            { StorageClass: 'GLACIER', TransitionInDays: 90 },
          ],
          NoncurrentVersionExpiration: { NoncurrentDays: 90 },
        })],
      },
    });
  });

  test('keeps failed events 14 days in an encrypted, TLS-only dead-letter queue, which both S3 functions reach through the failure recorder', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    for (const part of ['images', 'data files']) {
      expect(functionProps(template, part).DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^TapFailureIntakeQueue/), 'Arn'] } });
      expect(functionProps(template, part).Environment.Variables.TAP_DEAD_LETTER_QUEUE).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^TapDeadLetterQueue/), 'Arn'] });
    }
    expect(functionProps(template, 'records the objects of every event').Environment.Variables.TAP_DEAD_LETTER_QUEUE_URL)
      .toEqual({ Ref: expect.stringMatching(/^TapDeadLetterQueue/) });
    expect(functionProps(template, 'API').DeadLetterConfig).toBeUndefined();
  });

  test('retries twice and drops events older than 6 hours to the DLQ', () => {
    const configs = template.findResources('AWS::Lambda::EventInvokeConfig');
    expect(Object.keys(configs)).toHaveLength(2);
    for (const c of Object.values(configs)) {
      expect(c.Properties).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600, Qualifier: '$LATEST' });
    }
  });

  test('sets explicit memory and timeout per function', () => {
    expect(functionProps(template, 'images')).toMatchObject({ MemorySize: 1024, Timeout: 60 });
    expect(functionProps(template, 'data files')).toMatchObject({ MemorySize: 512, Timeout: 300 });
    expect(functionProps(template, 'API')).toMatchObject({ MemorySize: 256, Timeout: 10 });
  });

  test('passes prefixes, table and environment to the functions through shared variable names', () => {
    expect(functionProps(template, 'images').Environment.Variables).toMatchObject({
      TAP_TABLE_NAME: { Ref: expect.stringMatching(/^TapNotifications/) },
      TAP_BUCKET_NAME: { Ref: expect.stringMatching(/^TapBucket/) },
      TAP_IMAGES_PREFIX: 'images/',
      TAP_DATA_PREFIX: 'data/',
      TAP_THUMBNAILS_PREFIX: 'thumbnails/',
      TAP_REPORTS_PREFIX: 'reports/',
      TAP_ENVIRONMENT: 'dev',
      POWERTOOLS_SERVICE_NAME: 'image-processor',
      POWERTOOLS_METRICS_NAMESPACE: 'TapServerless',
      TAP_THUMBNAIL_WIDTHS: '128,512',
      TAP_THUMBNAIL_FORMAT: 'webp',
      TAP_MAX_IMAGE_BYTES: String(50 * 1024 * 1024),
      TAP_MAX_IMAGE_PIXELS: '100000000',
    });
    expect(functionProps(template, 'data files').Environment.Variables.TAP_THUMBNAIL_WIDTHS).toBeUndefined();
    expect(functionProps(template, 'API').Environment.Variables.TAP_CORS_ORIGINS).toBeUndefined();
  });

  test('gives every function its own log group with one-month retention, and the API an access log group', () => {
    // five functions, the API's access log, and aws-cdk-lib's BucketNotificationsHandler
    const groups = template.findResources('AWS::Logs::LogGroup');
    expect(Object.keys(groups)).toHaveLength(7);
    for (const g of Object.values(groups)) {
      expect(g.Properties.RetentionInDays).toBe(30);
    }
    for (const fn of Object.values(appFunctions(template))) {
      expect(fn.Properties.LoggingConfig.LogGroup).toEqual({ Ref: expect.stringMatching(/LogGroup/) });
    }
  });

  test('sends the logs of every function in the stack, aws-cdk-lib\'s BucketNotificationsHandler too, to a log group with retention', () => {
    const groups = template.findResources('AWS::Logs::LogGroup');
    const functions = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions)).toHaveLength(6);
    for (const fn of Object.values(functions)) {
      const ref: string = fn.Properties.LoggingConfig?.LogGroup?.Ref;
      expect(groups[ref]?.Properties.RetentionInDays).toBe(30);
    }
    const [handler] = Object.entries(functions).filter(([id]) => id.startsWith('BucketNotificationsHandler'));
    expect(handler[1].Properties.LoggingConfig.LogGroup.Ref).toMatch(/^TapServerlessBucketNotificationsHandlerLogs/);
  });

  test('creates the BucketNotificationsHandler\'s log group once per stack, with the retention and tags of the first pipeline', () => {
    const stack = new Stack(new App(), 'TwoPipelines', { env: ENV });
    new TapServerless(stack, 'First', { logRetention: logs.RetentionDays.ONE_WEEK, tags: { CostCenter: 'first' } });
    new TapServerless(stack, 'Second', { tags: { CostCenter: 'second' } });
    const groups = Object.entries(Template.fromStack(stack).findResources('AWS::Logs::LogGroup'))
      .filter(([id]) => id.startsWith('TapServerlessBucketNotificationsHandlerLogs'));
    expect(groups).toHaveLength(1);
    expect(groups[0][1].Properties.RetentionInDays).toBe(7);
    expect(groups[0][1].Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'CostCenter', Value: 'first' }]));
  });

  test('uses no deprecated logRetention custom resource', () => {
    template.resourceCountIs('Custom::LogRetention', 0);
  });

  test('stores notifications by id with sharded, keys-only by-time and by-type indexes, on demand, encrypted, with PITR, protected from deletion', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      DeletionProtectionEnabled: true,
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byTime',
          KeySchema: [{ AttributeName: 'feedShard', KeyType: 'HASH' }, { AttributeName: 'sortKey', KeyType: 'RANGE' }],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
        {
          IndexName: 'byType',
          KeySchema: [{ AttributeName: 'typeShard', KeyType: 'HASH' }, { AttributeName: 'sortKey', KeyType: 'RANGE' }],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
    // Kept until deleted by default: no TTL.
    const [table] = Object.values(template.findResources('AWS::DynamoDB::Table'));
    expect(table.Properties.TimeToLiveSpecification).toBeUndefined();
  });

  test('no index partition key is a constant: each is written by every function from the id\'s shard', () => {
    // GIVEN the partition keys of the listing indexes
    const [table] = Object.values(template.findResources('AWS::DynamoDB::Table'));
    const partitionKeys = table.Properties.GlobalSecondaryIndexes.map((i: any) => i.KeySchema.find((k: any) => k.KeyType === 'HASH').AttributeName);
    expect(partitionKeys).toEqual(['feedShard', 'typeShard']);
    // THEN the items the functions write take one value per shard in them: 16 by default, from the id
    const values = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      values.add(toNotificationItem({ id: `obj-${i}`, type: 'image.processed', createdAt: '2026-12-01T00:00:00.000Z', message: 'm' }, { indexShards: 16 }).feedShard);
    }
    expect(values.size).toBe(16);
    // AND every function is told the shard count
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Environment?.Variables?.TAP_TABLE_NAME)) {
      expect(fn.Properties.Environment.Variables.TAP_INDEX_SHARDS).toBe('16');
      expect(fn.Properties.Environment.Variables).not.toHaveProperty('TAP_NOTIFICATION_RETENTION_SECONDS');
    }
  });

  test('tableRetention enables TTL on expiresAt and tells every function the retention', () => {
    const { template: kept } = synth({ tableRetention: Duration.days(90), tableIndexShards: 32 });
    kept.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    const functions = Object.values(kept.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Environment?.Variables?.TAP_TABLE_NAME);
    expect(functions).toHaveLength(5);
    for (const fn of functions) {
      expect(fn.Properties.Environment.Variables).toMatchObject({ TAP_NOTIFICATION_RETENTION_SECONDS: String(90 * 86_400), TAP_INDEX_SHARDS: '32' });
    }
  });

  test('tableWarmThroughput pre-warms the table and both indexes; unset, none is', () => {
    const { template: warm } = synth({ tableWarmThroughput: { readUnitsPerSecond: 30_000, writeUnitsPerSecond: 20_000 } });
    const [table] = Object.values(warm.findResources('AWS::DynamoDB::Table'));
    const expected = { ReadUnitsPerSecond: 30_000, WriteUnitsPerSecond: 20_000 };
    expect(table.Properties.WarmThroughput).toEqual(expected);
    expect(table.Properties.GlobalSecondaryIndexes.map((i: any) => i.WarmThroughput)).toEqual([expected, expected]);
    const [plain] = Object.values(template.findResources('AWS::DynamoDB::Table'));
    expect(plain.Properties.WarmThroughput).toBeUndefined();
  });

  test.each([
    [{ tableWarmThroughput: { writeUnitsPerSecond: 0 } }, /tableWarmThroughput.writeUnitsPerSecond \(0\)/],
    [{ tableWarmThroughput: {} }, /tableWarmThroughput \(\{\}\): it sets neither/],
    [{ tableIndexShards: 0 }, /tableIndexShards \(0\).*1 to 64/],
    [{ tableIndexShards: 65 }, /tableIndexShards \(65\)/],
    [{ tableIndexShards: 2.5 }, /tableIndexShards \(2.5\)/],
    [{ tableRetention: Duration.hours(2) }, /tableRetention \("2 hours"\).*1 day to 100 years/],
    [{ tableRetention: Duration.millis(86_400_500) }, /tableRetention/],
  ])('rejects a bad table setting (%j)', (props, message) => {
    expect(() => synth(props as TapServerlessProps)).toThrow(message);
  });

  test('retains the bucket, the table, the queue and the log groups', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::SQS::Queue', 'AWS::Logs::LogGroup']) {
      for (const r of Object.values(template.findResources(type))) {
        expect(r.DeletionPolicy).toBe('Retain');
      }
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('exposes every resource it creates', () => {
    expect(tap.bucket).toBeDefined();
    expect(tap.imageProcessor).toBeDefined();
    expect(tap.dataValidator).toBeDefined();
    expect(tap.notificationHandler).toBeDefined();
    expect(tap.api).toBeDefined();
    expect(tap.apiUrl).toBeDefined();
    expect(tap.deadLetterQueue).toBeDefined();
    expect(tap.notificationsTable).toBeDefined();
    expect(tap.apiAccessLogGroup).toBeDefined();
    expect(tap.apiKey).toBeUndefined();
    expect(tap.environmentSuffix).toBe('dev');
  });

  test('tags taggable resources with Project, Environment and ManagedBy', () => {
    const expected = [
      { Key: 'Environment', Value: 'dev' },
      { Key: 'ManagedBy', Value: 'CDK' },
      { Key: 'Project', Value: 'TapServerless' },
    ];
    for (const type of ['AWS::S3::Bucket', 'AWS::SQS::Queue', 'AWS::DynamoDB::Table', 'AWS::Lambda::Function', 'AWS::ApiGateway::RestApi', 'AWS::ApiGateway::Stage', 'AWS::IAM::Role', 'AWS::Logs::LogGroup']) {
      for (const [id, r] of Object.entries(template.findResources(type))) {
        if (id.startsWith('BucketNotificationsHandler')) continue; // aws-cdk-lib's stack-level singleton, outside the construct
        expect({ id, tags: r.Properties.Tags }).toEqual({ id, tags: expect.arrayContaining(expected) });
      }
    }
  });
});

describe('REST API', () => {
  test('exposes /notifications (GET, POST), /notifications/{id} (GET), /notifications/export (GET) with IAM auth and /status without', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    const paths = Object.values(template.findResources('AWS::ApiGateway::Resource')).map((r) => r.Properties.PathPart);
    expect(paths.sort()).toEqual(['export', 'notifications', 'status', '{id}']);
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).map((m) => m.Properties);
    const lambdaMethods = methods.filter((m) => m.Integration.Type === 'AWS_PROXY');
    expect(lambdaMethods.map((m) => m.HttpMethod).sort()).toEqual(['GET', 'GET', 'GET', 'POST']);
    for (const m of lambdaMethods) expect(m.AuthorizationType).toBe('AWS_IAM');
    const status = methods.filter((m) => m.Integration.Type === 'MOCK');
    expect(status).toHaveLength(1);
    expect(status[0].AuthorizationType).toBe('NONE');
    template.resourceCountIs('AWS::ApiGateway::Method', 5); // no OPTIONS without CORS
  });

  test('/status answers from a MOCK integration with status, request time and environment', () => {
    const { template } = synth({ environmentSuffix: 'prod' });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      Integration: {
        Type: 'MOCK',
        RequestTemplates: { 'application/json': '{"statusCode": 200}' },
        IntegrationResponses: [Match.objectLike({
          StatusCode: '200',
          ResponseTemplates: {
            'application/json': '{"status":"healthy","timestamp":"$context.requestTime","environment":"prod"}',
          },
        })],
      },
    });
  });

  test('validates POST bodies against a model and query/path parameters with a request validator', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: Match.objectLike({
        $schema: 'http://json-schema.org/draft-04/schema#',
        type: 'object',
        required: ['type', 'message'],
        additionalProperties: false,
      }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestValidatorId: Match.anyValue(),
      RequestModels: { 'application/json': Match.anyValue() },
    });
  });

  test('names the stage after the environment, throttles it, traces it and writes JSON access logs', () => {
    const { template } = synth({ environmentSuffix: 'staging', apiThrottlingRateLimit: 10, apiThrottlingBurstLimit: 20 });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'staging',
      TracingEnabled: true,
      MethodSettings: Match.arrayWith([Match.objectLike({
        HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20, LoggingLevel: 'ERROR', DataTraceEnabled: false,
      })]),
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('TapApiAccessLogGroup'), 'Arn'] },
        Format: Match.stringLikeRegexp('^\\{"requestId":"\\$context.requestId"'),
      },
    });
  });

  test('defaults throttling to 50 requests per second with bursts of 100', () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([Match.objectLike({ ResourcePath: '/*', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })]),
    });
  });

  test('creates the API Gateway CloudWatch role unless told the account has one', () => {
    synth().template.resourceCountIs('AWS::ApiGateway::Account', 1);
    const { template } = synth({ apiCloudWatchRole: false });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ResourcePath: '/*', LoggingLevel: 'OFF' }), Match.objectLike({ ResourcePath: '/~1notifications~1export', LoggingLevel: 'OFF' })],
    });
  });

  test.each([RemovalPolicy.RETAIN, RemovalPolicy.DESTROY])('retains the account-wide logging setting and its role (removalPolicy %s)', (removalPolicy) => {
    // GIVEN / WHEN
    const { template } = synth({ removalPolicy });
    // THEN the setting and its role outlive the stack: other APIs of the region log through them
    template.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResource('AWS::IAM::Role', {
      DeletionPolicy: 'Retain',
      Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })] } },
    });
    // AND the stage, whose execution logs need the setting, is created after it
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
    const account = Object.keys(template.findResources('AWS::ApiGateway::Account'))[0];
    expect(stage.DependsOn).toContain(account);
  });

  test('names the REST API after the stack, the construct path and the suffix', () => {
    const { template } = synth({ environmentSuffix: 'prod' });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: Match.stringLikeRegexp('^TestStack-Tap-[0-9A-F]{8}-Api-prod$') });
  });

  test('can turn access logs off, with a warning', () => {
    const { template, stack, tap } = synth({ apiAccessLogging: false });
    template.resourceCountIs('AWS::Logs::LogGroup', 6);
    expect(tap.apiAccessLogGroup).toBeUndefined();
    Annotations.fromStack(stack).hasWarning('/TestStack/Tap', Match.stringLikeRegexp('apiAccessLogging is false'));
  });

  test('has no CORS by default', () => {
    const { template } = synth();
    expect(Object.values(template.findResources('AWS::ApiGateway::Method')).map((m) => m.Properties.HttpMethod)).not.toContain('OPTIONS');
  });

  test('answers CORS preflight without authorization for the allowed origins', () => {
    const { template } = synth({ apiCorsAllowedOrigins: ['https://app.example.com'] });
    const options = Object.values(template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }));
    expect(options).toHaveLength(3);
    for (const o of options) {
      expect(o.Properties.AuthorizationType).toBe('NONE');
      expect(JSON.stringify(o.Properties.Integration.IntegrationResponses)).toContain("'https://app.example.com'");
    }
    expect(functionProps(template, 'API').Environment.Variables.TAP_CORS_ORIGINS).toBe('https://app.example.com');
  });

  test('warns when CORS allows every origin', () => {
    const { stack } = synth({ apiCorsAllowedOrigins: ['*'] });
    Annotations.fromStack(stack).hasWarning('/TestStack/Tap', Match.stringLikeRegexp('apiCorsAllowedOrigins includes "\\*"'));
  });

  test('fails when a CORS origin is not an origin', () => {
    expectSynthError({ apiCorsAllowedOrigins: ['https://app.example.com/'] }, /apiCorsAllowedOrigins \("https:\/\/app.example.com\/"\).*no path or trailing/);
    expectSynthError({ apiCorsAllowedOrigins: [] }, /apiCorsAllowedOrigins \(\[\]\).*Leave it unset/);
  });

  test('fails when throttling limits are not positive', () => {
    expectSynthError({ apiThrottlingRateLimit: 0 }, /apiThrottlingRateLimit \(0\)/);
    expectSynthError({ apiThrottlingBurstLimit: 1.5 }, /apiThrottlingBurstLimit \(1.5\)/);
  });

  test('ApiAuthorization.none() leaves methods open, with a warning', () => {
    const { template, stack } = synth({ apiAuthorization: ApiAuthorization.none() });
    for (const m of Object.values(template.findResources('AWS::ApiGateway::Method'))) {
      expect(m.Properties.AuthorizationType).toBe('NONE');
    }
    Annotations.fromStack(stack).hasWarning('/TestStack/Tap', Match.stringLikeRegexp('anyone who knows the URL'));
  });

  test('ApiAuthorization.apiKey() requires a key and creates the key and a usage plan on the stage', () => {
    const { template, tap } = synth({ apiAuthorization: ApiAuthorization.apiKey() });
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      ApiStages: [Match.objectLike({ Stage: Match.anyValue() })],
      Throttle: { RateLimit: 50, BurstLimit: 100 },
    });
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
    const lambdaMethods = Object.values(template.findResources('AWS::ApiGateway::Method'))
      .filter((m) => m.Properties.Integration.Type === 'AWS_PROXY');
    expect(lambdaMethods).toHaveLength(4);
    for (const m of lambdaMethods) expect(m.Properties.ApiKeyRequired).toBe(true);
    expect(tap.apiKey).toBeDefined();
  });

  test('ApiAuthorization.cognito() uses a user pool authorizer with the given scopes', () => {
    const { template } = synth(undefined, (stack: Stack) => ({
      apiAuthorization: ApiAuthorization.cognito([new cognito.UserPool(stack, 'Pool')], { scopes: ['notifications/read'] }),
    }));
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS' });
    const lambdaMethods = Object.values(template.findResources('AWS::ApiGateway::Method'))
      .filter((m) => m.Properties.Integration.Type === 'AWS_PROXY');
    for (const m of lambdaMethods) {
      expect(m.Properties).toMatchObject({ AuthorizationType: 'COGNITO_USER_POOLS', AuthorizationScopes: ['notifications/read'] });
    }
  });

  test('fails when ApiAuthorization.cognito() gets no user pool', () => {
    expect(() => ApiAuthorization.cognito([])).toThrow(/userPools is empty/);
  });
});

describe('bucket options', () => {
  test('says, for checkov and cdk-nag, that access logging is the user\'s choice, unless server access logs are on', () => {
    // GIVEN the default bucket THEN its skips name the option that enables access logs
    const bucket = Object.values(synth().template.findResources('AWS::S3::Bucket'))[0];
    expect(bucket.Metadata.checkov.skip).toEqual([{ id: 'CKV_AWS_18', comment: expect.stringContaining('bucketProps.serverAccessLogsBucket') }]);
    // GIVEN server access logs WHEN synthesized THEN nothing is skipped and logging is configured
    const { template } = synth(undefined, (stack) => ({ bucketProps: { serverAccessLogsBucket: new s3.Bucket(stack, 'Logs') } }));
    const logged = Object.values(template.findResources('AWS::S3::Bucket', { Properties: { LoggingConfiguration: Match.anyValue() } }));
    expect(logged).toHaveLength(1);
    expect(logged[0].Metadata?.checkov).toBeUndefined();
  });

  test('uses an existing bucket instead of creating one', () => {
    const { template, tap } = synth(undefined, (stack) => ({ bucket: s3.Bucket.fromBucketName(stack, 'Existing', 'my-uploads') }));
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.hasResourceProperties('Custom::S3BucketNotifications', { BucketName: 'my-uploads', Managed: false });
    expect(tap.bucket.bucketName).toBe('my-uploads');
  });

  test('fails when both bucket and bucketProps are given', () => {
    expect(() => synth(undefined, (stack) => ({
      bucket: s3.Bucket.fromBucketName(stack, 'Existing', 'my-uploads'),
      bucketProps: { versioned: true },
    }))).toThrow(/bucket and bucketProps were both given.*Pass only one/);
  });

  test('applies bucketProps over the defaults and grants the functions the bucket key', () => {
    const { template } = synth(undefined, (stack) => ({
      bucketProps: { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }), encryption: s3.BucketEncryption.KMS },
    }));
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('TapImageProcessorRole'),
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['kms:Decrypt']) })]) },
    });
  });

  test('configures the lifecycle transitions', () => {
    const { template } = synth({
      bucketTransitionToInfrequentAccessAfter: Duration.days(45),
      bucketTransitionToGlacierAfter: Duration.days(180),
      bucketNoncurrentVersionExpiration: Duration.days(7),
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [Match.objectLike({
          Transitions: [
            { StorageClass: 'STANDARD_IA', TransitionInDays: 45 },
            { StorageClass: 'GLACIER', TransitionInDays: 180 },
          ],
          NoncurrentVersionExpiration: { NoncurrentDays: 7 },
        })],
      },
    });
  });

  test('fails when Standard-IA comes before 30 days', () => {
    expectSynthError({ bucketTransitionToInfrequentAccessAfter: Duration.days(10) },
      /bucketTransitionToInfrequentAccessAfter \("10 days"\).*Use Duration.days\(30\) or more/);
  });

  test('fails when Glacier comes less than 30 days after Standard-IA', () => {
    expectSynthError({ bucketTransitionToInfrequentAccessAfter: Duration.days(60), bucketTransitionToGlacierAfter: Duration.days(60) },
      /bucketTransitionToGlacierAfter \("60 days"\).*Use Duration.days\(90\) or more/);
  });

  test('fails when noncurrent versions would expire in under a day', () => {
    expectSynthError({ bucketNoncurrentVersionExpiration: Duration.hours(12) }, /bucketNoncurrentVersionExpiration/);
  });

  test('DESTROY deletes the stateful resources and empties the bucket', () => {
    const { template } = synth({ removalPolicy: RemovalPolicy.DESTROY });
    for (const type of ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::SQS::Queue', 'AWS::Logs::LogGroup']) {
      for (const r of Object.values(template.findResources(type))) {
        expect(r.DeletionPolicy).toBe('Delete');
      }
    }
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
    // …and the table, which deletion protection would otherwise keep from going with the stack.
    template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });
});

describe('prefixes', () => {
  test('uses custom prefixes in the filters and the functions\' environment', () => {
    const { template } = synth({ imageInputPrefix: 'in/img/', dataInputPrefix: 'in/data/', imageOutputPrefix: 'out/thumbs/', dataOutputPrefix: 'out/reports/' });
    const config = JSON.stringify(template.findResources('Custom::S3BucketNotifications'));
    expect(config).toContain('"Value":"in/img/"');
    expect(config).toContain('"Value":"in/data/"');
    expect(functionProps(template, 'images').Environment.Variables).toMatchObject({
      TAP_IMAGES_PREFIX: 'in/img/', TAP_THUMBNAILS_PREFIX: 'out/thumbs/', TAP_REPORTS_PREFIX: 'out/reports/',
    });
  });

  test('fails when a prefix is empty', () => {
    expectSynthError({ imageInputPrefix: '' }, /imageInputPrefix \(""\): a prefix must not be empty/);
  });

  test('fails when a prefix does not end with "/"', () => {
    expectSynthError({ dataInputPrefix: 'data' }, /dataInputPrefix \("data"\): a prefix must end with "\/". Use "data\/"/);
  });

  test('fails when a prefix starts with "/"', () => {
    expectSynthError({ dataOutputPrefix: '/reports/' }, /dataOutputPrefix \("\/reports\/"\): S3 keys do not start with/);
  });

  test('fails when an output prefix lies under an input prefix (recursive invocation)', () => {
    expectSynthError({ imageOutputPrefix: 'images/thumbnails/' }, /imageOutputPrefix \("images\/thumbnails\/"\): it overlaps imageInputPrefix.*recursive invocation/);
  });

  test('fails when an output prefix contains an input prefix', () => {
    expectSynthError({ dataInputPrefix: 'reports/incoming/' }, /overlaps dataInputPrefix.*recursive invocation/);
  });

  test('fails when the two input prefixes overlap', () => {
    expectSynthError({ imageInputPrefix: 'uploads/', dataInputPrefix: 'uploads/data/' }, /overlaps .*both notification filters/);
  });
});

describe('functions', () => {
  test('applies functionDefaults, then per-function settings', () => {
    const { template } = synth({
      functionDefaults: { memorySize: 768, timeout: Duration.seconds(20), environment: { SHARED: '1' } },
      dataValidator: { memorySize: 2048, timeout: Duration.minutes(10), environment: { OWN: '2' } },
    });
    expect(functionProps(template, 'images')).toMatchObject({ MemorySize: 768, Timeout: 20 });
    expect(functionProps(template, 'API')).toMatchObject({ MemorySize: 768, Timeout: 20 });
    const data = functionProps(template, 'data files');
    expect(data).toMatchObject({ MemorySize: 2048, Timeout: 600 });
    expect(data.Environment.Variables).toMatchObject({ SHARED: '1', OWN: '2', TAP_DATA_PREFIX: 'data/' });
  });

  test('can run a function on x86_64', () => {
    const { template } = synth({ imageProcessor: { architecture: lambda.Architecture.X86_64 } });
    expect(functionProps(template, 'images').Architectures).toEqual(['x86_64']);
    expect(functionProps(template, 'data files').Architectures).toEqual(['arm64']);
  });

  test('runs the functions in a VPC when asked, with the role Lambda needs for network interfaces', () => {
    // GIVEN a VPC shared by every function, and an explicit security group for the data validator
    const { template } = synth(undefined, (stack) => {
      const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
        vpcId: 'vpc-1234',
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        privateSubnetIds: ['subnet-a', 'subnet-b'],
        isolatedSubnetIds: ['subnet-c', 'subnet-d'],
      });
      return {
        functionDefaults: { vpc },
        dataValidator: {
          vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
          securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-1234')],
        },
      };
    });
    // THEN every function has a VpcConfig; the data validator's uses its own subnets and group
    expect(functionProps(template, 'images').VpcConfig).toMatchObject({ SubnetIds: ['subnet-a', 'subnet-b'] });
    expect(functionProps(template, 'data files').VpcConfig).toEqual({ SubnetIds: ['subnet-c', 'subnet-d'], SecurityGroupIds: ['sg-1234'] });
    expect(functionProps(template, 'API').VpcConfig).toBeDefined();
    // AND each execution role carries AWSLambdaVPCAccessExecutionRole (Lambda manages the ENIs with it)
    const roles = template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('^Execution role of the TapServerless') } });
    expect(Object.keys(roles)).toHaveLength(5);
    for (const role of Object.values(roles)) {
      expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain('service-role/AWSLambdaVPCAccessExecutionRole');
    }
  });

  test('no function is in a VPC, and no role has a managed policy, by default', () => {
    const { template } = synth();
    for (const fn of Object.values(appFunctions(template))) {
      expect(fn.Properties.VpcConfig).toBeUndefined();
    }
    const roles = template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('^Execution role of the TapServerless') } });
    for (const role of Object.values(roles)) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('fails when subnets or security groups are given without a VPC', () => {
    expect(() => synth(undefined, () => ({ imageProcessor: { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } } })))
      .toThrow(/invalid imageProcessor\.vpcSubnets \("given without a vpc"\).*Set imageProcessor\.vpc \(or functionDefaults\.vpc\) too/);
    expect(() => synth(undefined, (stack) => ({ functionDefaults: { securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-1')] } })))
      .toThrow(/invalid imageProcessor\.securityGroups/);
  });

  test('adds layers: functionDefaults\' first, then the function\'s own', () => {
    const { template } = synth(undefined, (stack) => ({
      functionDefaults: { layers: [lambda.LayerVersion.fromLayerVersionArn(stack, 'Shared', 'arn:aws:lambda:eu-west-1:123456789012:layer:shared:1')] },
      notificationHandler: { layers: [lambda.LayerVersion.fromLayerVersionArn(stack, 'Own', 'arn:aws:lambda:eu-west-1:123456789012:layer:own:2')] },
    }));
    expect(functionProps(template, 'API').Layers).toEqual([
      'arn:aws:lambda:eu-west-1:123456789012:layer:shared:1', 'arn:aws:lambda:eu-west-1:123456789012:layer:own:2',
    ]);
    expect(functionProps(template, 'images').Layers).toEqual(['arn:aws:lambda:eu-west-1:123456789012:layer:shared:1']);
    expect(functionProps(synth().template, 'images').Layers).toBeUndefined();
  });

  test('exposes the functions as lambda.Function, so escape hatches work', () => {
    // GIVEN
    const stack = new Stack(new App(), 'EscapeHatchStack', { env: ENV });
    const tap = new TapServerless(stack, 'Tap');
    // WHEN
    tap.notificationHandler.addEnvironment('EXTRA', 'yes');
    // THEN
    expect(tap.imageProcessor).toBeInstanceOf(lambda.Function);
    expect(functionProps(Template.fromStack(stack), 'API').Environment.Variables).toMatchObject({ EXTRA: 'yes', TAP_ENVIRONMENT: 'dev' });
  });

  test('reserves concurrency only when asked', () => {
    expect(functionProps(synth().template, 'images').ReservedConcurrentExecutions).toBeUndefined();
    const { template } = synth({ imageProcessor: { reservedConcurrentExecutions: 5 } });
    expect(functionProps(template, 'images').ReservedConcurrentExecutions).toBe(5);
  });

  test('configures retries and event age', () => {
    const { template } = synth({ retryAttempts: 0, maxEventAge: Duration.minutes(30) });
    template.allResourcesProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 1800 });
  });

  test('uses an existing dead-letter queue', () => {
    const { template, tap } = synth(undefined, (stack) => ({
      deadLetterQueue: sqs.Queue.fromQueueArn(stack, 'Dlq', 'arn:aws:sqs:eu-west-1:123456789012:my-dlq'),
    }));
    // only the failure recorder's intake, which forwards to the given queue
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:123456789012:my-dlq', maxReceiveCount: 5 } });
    expect(functionProps(template, 'images').Environment.Variables.TAP_DEAD_LETTER_QUEUE).toBe('arn:aws:sqs:eu-west-1:123456789012:my-dlq');
    expect(tap.deadLetterQueue.queueArn).toBe('arn:aws:sqs:eu-west-1:123456789012:my-dlq');
  });

  test('can turn tracing off', () => {
    const { template } = synth({ tracing: false });
    for (const fn of Object.values(appFunctions(template))) expect(fn.Properties.TracingConfig).toBeUndefined();
    template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: false });
  });

  test('sets the log retention', () => {
    const { template } = synth({ logRetention: logs.RetentionDays.ONE_YEAR });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('fails when retryAttempts is out of range', () => {
    expectSynthError({ retryAttempts: 3 }, /retryAttempts \(3\).*Use 0, 1 or 2/);
  });

  test('fails when maxEventAge is out of range', () => {
    expectSynthError({ maxEventAge: Duration.seconds(30) }, /maxEventAge \("30 seconds"\)/);
    expectSynthError({ maxEventAge: Duration.hours(7) }, /maxEventAge \("7 hours"\)/);
  });

  test('fails when memory is out of range', () => {
    expectSynthError({ imageProcessor: { memorySize: 64 } }, /imageProcessor.memorySize \(64\)/);
  });

  test('fails when the API function would outlive API Gateway\'s 29 seconds', () => {
    expectSynthError({ functionDefaults: { timeout: Duration.minutes(1) } }, /notificationHandler.timeout \("1 minute"\).*29 seconds/);
  });

  test('fails when a timeout exceeds 15 minutes', () => {
    expectSynthError({ dataValidator: { timeout: Duration.minutes(16) } }, /dataValidator.timeout \("16 minutes"\)/);
  });

  test('fails when reserved concurrency is zero', () => {
    expectSynthError({ dataValidator: { reservedConcurrentExecutions: 0 } }, /dataValidator.reservedConcurrentExecutions \(0\)/);
  });

  test('fails when an environment variable uses a reserved name', () => {
    expectSynthError({ functionDefaults: { environment: { TAP_TABLE_NAME: 'x' } } }, /functionDefaults?|imageProcessor.environment \("TAP_TABLE_NAME"\)/);
    expectSynthError({ notificationHandler: { environment: { POWERTOOLS_LOG_LEVEL: 'DEBUG' } } }, /notificationHandler.environment \("POWERTOOLS_LOG_LEVEL"\)/);
  });
});

describe('images', () => {
  const ASSETS = path.join(__dirname, '..', 'assets', 'images');

  /** The asset folder the image processor's code was built from. */
  function imageAssetOf(props: TapServerlessProps): string {
    const fromAsset = jest.spyOn(lambda.Code, 'fromAsset');
    try {
      synth(props);
      const dirs = fromAsset.mock.calls.map(([dir]) => path.resolve(dir)).filter((dir) => dir.includes('image-processor'));
      expect(dirs).toHaveLength(1);
      return dirs[0];
    } finally {
      fromAsset.mockRestore();
    }
  }

  test('picks the arm64 asset (sharp for linux-arm64) by default', () => {
    expect(imageAssetOf({})).toBe(path.join(ASSETS, 'image-processor.lambda-arm64.zip'));
  });

  test('picks the x64 asset (sharp for linux-x64) for an x86_64 image processor', () => {
    expect(imageAssetOf({ imageProcessor: { architecture: lambda.Architecture.X86_64 } })).toBe(path.join(ASSETS, 'image-processor.lambda-x64.zip'));
    expect(imageAssetOf({ functionDefaults: { architecture: lambda.Architecture.X86_64 } })).toBe(path.join(ASSETS, 'image-processor.lambda-x64.zip'));
  });

  test('the two architectures deploy different code', () => {
    const code = (props: TapServerlessProps) => functionProps(synth(props).template, 'images').Code.S3Key;
    expect(code({})).not.toEqual(code({ imageProcessor: { architecture: lambda.Architecture.X86_64 } }));
  });

  test('runs the image processor on nodejs24.x with the bundle\'s handler', () => {
    expect(functionProps(synth().template, 'images')).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler' });
  });

  test('passes thumbnail widths, format and limits to the image processor', () => {
    const { template } = synth({
      imageThumbnailWidths: [64, 256, 1024],
      imageThumbnailFormat: ThumbnailFormat.AVIF,
      imageMaxSize: Size.mebibytes(10),
      imageMaxPixels: 40_000_000,
    });
    expect(functionProps(template, 'images').Environment.Variables).toMatchObject({
      TAP_THUMBNAIL_WIDTHS: '64,256,1024',
      TAP_THUMBNAIL_FORMAT: 'avif',
      TAP_MAX_IMAGE_BYTES: '10485760',
      TAP_MAX_IMAGE_PIXELS: '40000000',
    });
  });

  test('lets the image processor read notifications (duplicate check), write them and its object version index items, nothing else', () => {
    const { template } = synth();
    const policy = Object.entries(template.findResources('AWS::IAM::Policy'))
      .find(([id]) => id.startsWith('TapImageProcessorRole'))![1];
    const dynamo = policy.Properties.PolicyDocument.Statement.flatMap((st: any) => [].concat(st.Action))
      .filter((a: string) => a.startsWith('dynamodb:'));
    expect(dynamo.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
  });

  test('warns when the pixel limit may need more memory than the image processor has', () => {
    const quiet = synth();
    expect(Annotations.fromStack(quiet.stack).findWarning('*', Match.stringLikeRegexp('imageMaxPixels'))).toHaveLength(0);
    const { stack } = synth({ imageMaxPixels: 400_000_000 });
    Annotations.fromStack(stack).hasWarning('/TestStack/Tap',
      Match.stringLikeRegexp('imageMaxPixels \\(400000000\\).*more than imageProcessor.memorySize \\(1024 MiB\\)'));
    const enough = synth({ imageMaxPixels: 400_000_000, imageProcessor: { memorySize: 3008 } });
    expect(Annotations.fromStack(enough.stack).findWarning('*', Match.stringLikeRegexp('imageMaxPixels'))).toHaveLength(0);
  });

  test('fails when imageThumbnailWidths is empty, has duplicates, non-integers, out-of-range values or too many widths', () => {
    expectSynthError({ imageThumbnailWidths: [] }, /invalid imageThumbnailWidths \(\[\]\): at least one width is needed\. Pass 1 to 10 distinct/);
    expectSynthError({ imageThumbnailWidths: [128, 128] }, /imageThumbnailWidths \(\[128,128\]\): width 128 is listed twice/);
    expectSynthError({ imageThumbnailWidths: [0] }, /imageThumbnailWidths \(\[0\]\): every width must be an integer from 1 to 16383 pixels, got 0/);
    expectSynthError({ imageThumbnailWidths: [99.5] }, /got 99\.5/);
    expectSynthError({ imageThumbnailWidths: [20000] }, /got 20000/);
    expectSynthError({ imageThumbnailWidths: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }, /at most 10 widths are allowed, got 11/);
  });

  test('fails when the image processor\'s architecture has no sharp binaries', () => {
    expectSynthError({ imageProcessor: { architecture: lambda.Architecture.custom('riscv64') } },
      /invalid imageProcessor.architecture \("riscv64"\).*Use lambda.Architecture.ARM_64 or lambda.Architecture.X86_64/);
  });

  test('fails when imageMaxSize is zero or above 1 GiB', () => {
    expectSynthError({ imageMaxSize: Size.bytes(0) }, /invalid imageMaxSize \("0 bytes"\).*Use, for example, Size\.mebibytes\(50\)/);
    expectSynthError({ imageMaxSize: Size.gibibytes(2) }, /imageMaxSize \("2147483648 bytes"\)/);
  });

  test('fails when imageMaxPixels is not a positive integer up to one gigapixel', () => {
    expectSynthError({ imageMaxPixels: 0 }, /invalid imageMaxPixels \(0\).*Use, for example, 100_000_000/);
    expectSynthError({ imageMaxPixels: 1.5 }, /imageMaxPixels \(1\.5\)/);
    expectSynthError({ imageMaxPixels: 2_000_000_000 }, /imageMaxPixels \(2000000000\)/);
  });
});

describe('environment and tags', () => {
  test('merges custom tags with the construct\'s tags', () => {
    const { template } = synth({ environmentSuffix: 'prod', tags: { CostCenter: '42', ManagedBy: 'platform-team' } });
    template.hasResourceProperties('AWS::S3::Bucket', {
      Tags: Match.arrayWith([
        { Key: 'CostCenter', Value: '42' },
        { Key: 'Environment', Value: 'prod' },
        { Key: 'ManagedBy', Value: 'platform-team' },
        { Key: 'Project', Value: 'TapServerless' },
      ]),
    });
  });

  test('fails when the environment suffix is not a simple name', () => {
    expectSynthError({ environmentSuffix: 'my env' }, /environmentSuffix \("my env"\)/);
    expectSynthError({ environmentSuffix: '' }, /environmentSuffix \(""\)/);
  });

  test('two pipelines can live in one stack, sharing one account logging setting', () => {
    const stack = new Stack(new App(), 'TwoStack', { env: ENV });
    new TapServerless(stack, 'First');
    new TapServerless(stack, 'Second');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 2);
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    const names = Object.values(template.findResources('AWS::ApiGateway::RestApi')).map((api) => api.Properties.Name);
    expect(new Set(names).size).toBe(2);
  });
});
