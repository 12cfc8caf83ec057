import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Ingestion, Route, TapServerlessProps } from '../../src';
import { synth } from '../support/templates';

// Routes of a user's function, synthesized: the dispatcher, its trigger in each ingestion mode, its
// IAM, its alarms and dashboard row, and the errors for overlapping or malformed routes.

/** A function of the user's, in Python (any runtime works: the dispatcher invokes it). */
function userFunction(stack: Stack, id = 'CsvSummary', timeout = Duration.seconds(30)): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.PYTHON_3_13,
    handler: 'index.handler',
    code: lambda.Code.fromInline('def handler(event, context):\n    return {}\n'),
    timeout,
  });
}

function withRoute(extra: TapServerlessProps = {}, options: Partial<Parameters<typeof Route.fromFunction>[2]> = {}) {
  let fn!: lambda.Function;
  const result = synth(undefined, (stack) => {
    fn = userFunction(stack);
    return { ...extra, routes: [Route.fromFunction('csv-summary', fn, { prefix: 'csv/', suffixes: ['.csv'], ...options })] };
  });
  return { ...result, fn };
}

/** The dispatcher's function resource (by its service name). */
function dispatcher(template: Template): [string, any] {
  const found = Object.entries(template.findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'route-csv-summary' } } },
  }));
  expect(found).toHaveLength(1);
  return found[0];
}

describe('a route of a function of the user\'s', () => {
  test('adds a dispatcher with the route in its environment, invoking the function by ARN, with a timeout that outlasts it', () => {
    const { template, tap, stack } = withRoute({}, { maxObjectSize: Size.mebibytes(5), skipTag: { key: 'skip', value: 'yes' } });
    const [id, fn] = dispatcher(template);
    expect(id).toMatch(/^TapRouteCsvSummary[0-9A-F]{8}$/);
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 60,
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
    });
    expect(fn.Properties.Environment.Variables).toMatchObject({
      TAP_ROUTE_NAME: 'csv-summary',
      TAP_ROUTE_PREFIX: 'csv/',
      TAP_ROUTE_SUFFIXES: '.csv',
      TAP_ROUTE_MAX_OBJECT_BYTES: String(5 * 1024 * 1024),
      TAP_ROUTE_SKIP_TAG: 'skip=yes',
      TAP_ROUTE_FUNCTION: { 'Fn::GetAtt': [expect.stringMatching(/^CsvSummary/), 'Arn'] },
      TAP_CONFIG_FINGERPRINT: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(Object.keys(tap.routeDispatchers)).toEqual(['csv-summary']);
    expect(stack.resolve(tap.routeDispatchers['csv-summary'].functionName)).toEqual({ Ref: id });
    // Retries and the dead-letter queue, as the built-in S3 functions.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: id }, MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600,
    });
    expect(fn.Properties.DeadLetterConfig).toBeDefined();
  });

  test('IAM: the dispatcher may invoke the function and read the prefix (tags too, with a skip tag); the function may read the prefix only', () => {
    const { template } = withRoute({}, { skipTag: { key: 'skip' } });
    const policies = template.findResources('AWS::IAM::Policy');
    const statementsOf = (rolePrefix: string) => Object.values(policies)
      .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref.startsWith(rolePrefix)))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const dispatcherStatements = statementsOf('TapRouteCsvSummaryRole');
    expect(dispatcherStatements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Effect: 'Allow' }),
      expect.objectContaining({
        Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:GetObjectVersionTagging'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^TapBucket/), 'Arn'] }, '/csv/*']] },
      }),
    ]));
    // The dispatcher writes no object: no PutObject anywhere in its policy.
    expect(JSON.stringify(dispatcherStatements)).not.toContain('s3:PutObject');
    // It records outcomes only under obj-/ver- keys, as the built-in S3 functions do.
    expect(dispatcherStatements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'dynamodb:PutItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['obj-*'] } } }),
    ]));
    const userStatements = statementsOf('CsvSummaryServiceRole');
    expect(userStatements).toEqual([
      { Action: ['s3:GetObject', 's3:GetObjectVersion'], Effect: 'Allow', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^TapBucket/), 'Arn'] }, '/csv/*']] } },
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^TapBucket/), 'Arn'] }, Condition: { StringLike: { 's3:prefix': ['csv/*'] } } },
    ]);
  });

  test('direct mode: one S3 notification per suffix to the dispatcher, beside the built-in ones', () => {
    const { template } = withRoute({}, { suffixes: ['.csv', '.CSV'] });
    const [id] = dispatcher(template);
    const config = template.findResources('Custom::S3BucketNotifications');
    const lambdaConfigs = (Object.values(config)[0] as any).Properties.NotificationConfiguration.LambdaFunctionConfigurations;
    const ofDispatcher = lambdaConfigs.filter((c: any) => c.LambdaFunctionArn['Fn::GetAtt'][0] === id);
    expect(ofDispatcher.map((c: any) => c.Filter.Key.FilterRules)).toEqual([
      [{ Name: 'suffix', Value: '.csv' }, { Name: 'prefix', Value: 'csv/' }],
      [{ Name: 'suffix', Value: '.CSV' }, { Name: 'prefix', Value: 'csv/' }],
    ]);
    expect(lambdaConfigs).toHaveLength(4);
  });

  test('queue mode: a queue of its own, notified per suffix, read in batches, dead-lettered; its alarm', () => {
    const { template, tap } = withRoute({ ingestion: Ingestion.queue({ batchSize: 5 }) });
    const [id, fn] = dispatcher(template);
    // Five objects of up to 30 s each per batch, plus 30 s to record.
    expect(fn.Properties.Timeout).toBe(5 * 30 + 30);
    expect(tap.routeQueues?.['csv-summary']).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: id }, BatchSize: 5, FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 6 * 180, RedrivePolicy: { maxReceiveCount: Match.anyValue(), deadLetterTargetArn: Match.anyValue() },
    });
    const config = Object.values(template.findResources('Custom::S3BucketNotifications'))[0] as any;
    const queueConfigs = config.Properties.NotificationConfiguration.QueueConfigurations;
    expect(queueConfigs.map((c: any) => c.Filter.Key.FilterRules)).toContainEqual([{ Name: 'suffix', Value: '.csv' }, { Name: 'prefix', Value: 'csv/' }]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmDescription: Match.stringLikeRegexp('uploads wait long in RouteCsvSummary\'s queue') });
  });

  test('EventBridge mode: a rule whose key pattern is the prefix and a suffix (a wildcard per suffix)', () => {
    const { template } = withRoute({ ingestion: Ingestion.eventBridge() }, { prefix: 'in*box/', suffixes: ['.csv', '.tsv'] });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.s3'],
        'detail-type': ['Object Created'],
        'detail': { object: { key: [{ wildcard: 'in\\*box/*.csv' }, { wildcard: 'in\\*box/*.tsv' }] } },
      },
    });
    // Without suffixes, the prefix alone.
    const plain = withRoute({ ingestion: Ingestion.eventBridge() }, { suffixes: undefined });
    plain.template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { detail: { object: { key: [{ prefix: 'csv/' }] } } } });
  });

  test('alarms and a dashboard row per route; POST /notifications refuses its namespace', () => {
    const { template, tap } = withRoute();
    const ids = tap.alarms.map((a) => a.node.id);
    expect(ids).toEqual(expect.arrayContaining([
      'RouteCsvSummaryErrors', 'RouteCsvSummaryThrottles', 'RouteCsvSummaryRejectionRate', 'RouteCsvSummaryAsyncEventAge', 'RouteCsvSummaryAsyncEventsDropped',
    ]));
    expect(tap.alarms).toHaveLength(20 + 5);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    expect(body).toContain('RouteCsvSummary: processed, rejected, skipped, failed, duplicates');
    expect(body).toContain('route-csv-summary');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'notification-handler', TAP_ROUTE_NAMESPACES: 'csv-summary' } },
    });
  });

  test('the fingerprint changes with the version and the filters, not with the function', () => {
    const fingerprint = (options: Partial<Parameters<typeof Route.fromFunction>[2]>) =>
      dispatcher(withRoute({}, options).template)[1].Properties.Environment.Variables.TAP_CONFIG_FINGERPRINT;
    const base = fingerprint({});
    expect(fingerprint({})).toBe(base);
    expect(fingerprint({ version: '2' })).not.toBe(base);
    expect(fingerprint({ suffixes: ['.tsv'] })).not.toBe(base);
    expect(fingerprint({ maxObjectSize: Size.kibibytes(1) })).not.toBe(base);
    expect(fingerprint({ skipTag: { key: 'skip' } })).not.toBe(base);
    expect(fingerprint({ timeout: Duration.minutes(2) })).toBe(base);
  });

  test('without routes: no dispatcher, the 20 alarms', () => {
    const { tap, template } = synth();
    expect(tap.routeDispatchers).toEqual({});
    expect(tap.routeQueues).toBeUndefined();
    expect(tap.alarms).toHaveLength(20);
    expect(JSON.stringify(template.toJSON())).not.toContain('TAP_ROUTE_');
  });
});
