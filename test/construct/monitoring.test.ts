import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ComparisonOperator } from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ts from 'typescript';
import { TapServerless, TapServerlessProps } from '../../src';
import { ENV, synth } from '../support/templates';

function alarms(template: Template): Array<Record<string, any>> {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
}

function alarmNamed(template: Template, descriptionPart: string, metricName?: string): Record<string, any> {
  const found = alarms(template).filter((a) => a.AlarmDescription.includes(descriptionPart) &&
    (metricName === undefined || a.MetricName === metricName));
  expect(found).toHaveLength(1);
  return found[0];
}

describe('alarms', () => {
  test('creates function errors and throttles, DLQ, API 5XX rate and latency, and rejection-rate alarms', () => {
    const { template, tap } = synth();
    const all = alarms(template);
    expect(all).toHaveLength(20);
    expect(tap.alarms).toHaveLength(20);
    for (const a of all) {
      expect(a).toMatchObject({ EvaluationPeriods: 1, TreatMissingData: 'notBreaching', ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      expect(a.AlarmActions).toBeUndefined();
    }
    // the four functions and the failure recorder
    expect(all.filter((a) => a.MetricName === 'Errors' && a.Namespace === 'AWS/Lambda').map((a) => a.Threshold)).toEqual([1, 1, 1, 1, 1]);
    expect(all.filter((a) => a.MetricName === 'Throttles').map((a) => a.Threshold)).toEqual([1, 1, 1, 1, 1]);
    expect(alarmNamed(template, 'the failure recorder could not record')).toMatchObject({ MetricName: 'Errors', Threshold: 1 });
    expect(alarmNamed(template, 'dead-letter queue', 'ApproximateNumberOfMessagesVisible')).toMatchObject({
      Namespace: 'AWS/SQS', Statistic: 'Maximum', Threshold: 1, Period: 60,
    });
    expect(alarmNamed(template, 'p99 latency')).toMatchObject({ MetricName: 'Latency', ExtendedStatistic: 'p99', Threshold: 2000, Period: 300 });
    const rate = alarmNamed(template, 'too many requests with 5XX');
    expect(rate.Threshold).toBe(1);
    expect(JSON.stringify(rate.Metrics)).toContain('100 * errors / requests');
    const rejections = all.filter((a) => a.AlarmDescription.includes('rejected as bad input'));
    expect(rejections).toHaveLength(2);
    for (const r of rejections) {
      expect(r.Threshold).toBe(25);
      expect(JSON.stringify(r.Metrics)).toMatch(/"MetricName":"ObjectsRejected","Namespace":"TapServerless"/);
    }
  });

  test('alarms on the S3 functions\' asynchronous backlog: the oldest event\'s age and dropped events', () => {
    const { template } = synth();
    const all = alarms(template);
    const age = all.filter((a) => a.MetricName === 'AsyncEventAge');
    expect(age.map((a) => [a.Namespace, a.Statistic, a.Threshold, a.Period])).toEqual([
      ['AWS/Lambda', 'Maximum', 30 * 60 * 1000, 300], ['AWS/Lambda', 'Maximum', 30 * 60 * 1000, 300],
    ]);
    const dropped = all.filter((a) => a.MetricName === 'AsyncEventsDropped');
    expect(dropped.map((a) => [a.Statistic, a.Threshold])).toEqual([['Sum', 1], ['Sum', 1]]);
    // One of each per S3 function, none for the API's function (invoked synchronously).
    const functionsOf = (list: any[]) => list.map((a) => JSON.stringify(a.Dimensions)).sort();
    expect(functionsOf(age)).toEqual(functionsOf(dropped));
    expect(functionsOf(age).join()).toMatch(/TapImageProcessor.*|TapDataValidator/);
    expect(functionsOf(age).join()).not.toContain('NotificationHandler');
  });

  test('alarms on DynamoDB throttling of the table and of each listing index, reads and writes', () => {
    const { template } = synth();
    const throttles = alarmNamed(template, 'DynamoDB throttled');
    expect(throttles.Threshold).toBe(1);
    const metrics = (throttles.Metrics as any[]).filter((m) => m.MetricStat);
    expect(metrics.map((m) => m.MetricStat.Metric.MetricName).sort()).toEqual([
      'ReadThrottleEvents', 'ReadThrottleEvents', 'ReadThrottleEvents', 'WriteThrottleEvents', 'WriteThrottleEvents', 'WriteThrottleEvents',
    ]);
    const scopes = metrics.map((m) => (m.MetricStat.Metric.Dimensions as any[]).find((d) => d.Name === 'GlobalSecondaryIndexName')?.Value ?? 'table');
    expect([...new Set(scopes)].sort()).toEqual(['byTime', 'byType', 'table']);
    for (const m of metrics) {
      expect(m.MetricStat.Metric.Dimensions).toContainEqual({ Name: 'TableName', Value: { Ref: expect.stringMatching(/^TapNotifications/) } });
      expect(m.MetricStat).toMatchObject({ Stat: 'Sum', Period: 300 });
    }
    // Throttle metrics are only published when non-zero: each is filled with 0 before the sum.
    const expression = (throttles.Metrics as any[]).find((m) => m.Expression).Expression as string;
    expect(expression.split(' + ')).toHaveLength(6);
    expect(expression.split(' + ').every((term) => /^FILL\(\w+, 0\)$/.test(term))).toBe(true);
  });

  test('sends ALARM and OK transitions to the alarm topic', () => {
    const { template } = synth(undefined, (stack: Stack): TapServerlessProps => ({ alarmTopic: new sns.Topic(stack, 'Alerts', { enforceSSL: true }) }));
    for (const a of alarms(template)) {
      expect(a.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Alerts/) }]);
      expect(a.OKActions).toEqual([{ Ref: expect.stringMatching(/^Alerts/) }]);
    }
  });

  test('uses the configured thresholds and period', () => {
    const { template } = synth({
      alarmOptions: {
        functionErrors: 5,
        functionThrottles: 3,
        deadLetterQueueMessages: 10,
        apiServerErrorRatePercent: 5,
        apiLatencyP99: Duration.millis(800),
        rejectionRatePercent: 50,
        tableThrottledRequests: 20,
        asyncEventAge: Duration.minutes(5),
        asyncEventsDropped: 3,
        period: Duration.minutes(15),
      },
    });
    const all = alarms(template);
    expect(all.filter((a) => a.MetricName === 'Errors').map((a) => [a.Threshold, a.Period])).toEqual([[5, 900], [5, 900], [5, 900], [5, 900], [5, 900]]);
    expect(all.filter((a) => a.MetricName === 'Throttles').map((a) => a.Threshold)).toEqual([3, 3, 3, 3, 3]);
    expect(alarmNamed(template, 'dead-letter queue', 'ApproximateNumberOfMessagesVisible')).toMatchObject({ Threshold: 10, Period: 60 });
    expect(alarmNamed(template, 'p99 latency').Threshold).toBe(800);
    expect(alarmNamed(template, 'too many requests with 5XX').Threshold).toBe(5);
    expect(all.filter((a) => a.AlarmDescription.includes('rejected as bad input')).map((a) => a.Threshold)).toEqual([50, 50]);
    expect(alarmNamed(template, 'DynamoDB throttled').Threshold).toBe(20);
    expect(all.filter((a) => a.MetricName === 'AsyncEventAge').map((a) => [a.Threshold, a.Period])).toEqual([[300_000, 900], [300_000, 900]]);
    expect(all.filter((a) => a.MetricName === 'AsyncEventsDropped').map((a) => a.Threshold)).toEqual([3, 3]);
  });

  test.each<[string, TapServerlessProps, RegExp]>([
    ['a count threshold is below 1', { alarmOptions: { functionErrors: 0 } }, /alarmOptions.functionErrors \(0\)/],
    ['a rate is above 100%', { alarmOptions: { rejectionRatePercent: 150 } }, /alarmOptions.rejectionRatePercent \(150\)/],
    ['the latency threshold exceeds API Gateway\'s 29 s', { alarmOptions: { apiLatencyP99: Duration.seconds(30) } }, /alarmOptions.apiLatencyP99 \("30 seconds"\)/],
    ['the period is not whole minutes', { alarmOptions: { period: Duration.seconds(90) } }, /alarmOptions.period \("1 minute 30 seconds"\)/],
    ['a throttling threshold is not whole', { alarmOptions: { tableThrottledRequests: 0.5 } }, /alarmOptions.tableThrottledRequests \(0.5\)/],
    ['the event age exceeds Lambda\'s 6 hours', { alarmOptions: { asyncEventAge: Duration.hours(7) } }, /alarmOptions.asyncEventAge \("7 hours"\)/],
    ['a dropped-events threshold is below 1', { alarmOptions: { asyncEventsDropped: 0 } }, /alarmOptions.asyncEventsDropped \(0\)/],
  ])('fails when %s', (_name, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});

describe('dashboard', () => {
  test('is created by default with function, queue, API and business widgets', () => {
    const { template, tap } = synth();
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(tap.dashboard).toBeDefined();
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    for (const part of ['ImageProcessor: duration', 'Dead-letter queue: messages waiting', 'API: latency', 'Images: processed, rejected',
      'Data files: processed, rejected', 'Notifications created through the API', 'ApproximateNumberOfMessagesVisible', 'NotificationsCreated', 'p99',
      'Export: notifications exported, incomplete exports', 'NotificationsExported', 'ExportsIncomplete']) {
      expect(body).toContain(part);
    }
  });

  test('is not created when turned off', () => {
    const { template, tap } = synth({ dashboard: false });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(tap.dashboard).toBeUndefined();
    expect(alarms(template)).toHaveLength(20);
  });
});

describe('metric accessors', () => {
  test('return the handlers\' EMF metrics with the service and environment dimensions', () => {
    const { tap, stack } = synth({ environmentSuffix: 'prod' });
    const m = tap.metricImagesRejected();
    expect(m.namespace).toBe('TapServerless');
    expect(m.metricName).toBe('ObjectsRejected');
    expect(m.dimensions).toEqual({ service: 'image-processor', environment: 'prod' });
    expect(tap.metricDataFilesProcessed().dimensions).toEqual({ service: 'data-validator', environment: 'prod' });
    expect(tap.metricNotificationsCreated().metricName).toBe('NotificationsCreated');
    expect(tap.metricNotificationsExported().metricName).toBe('NotificationsExported');
    expect(tap.metricNotificationsExported().dimensions).toEqual({ service: 'notification-export', environment: 'prod' });
    expect(tap.metricIncompleteExports().metricName).toBe('ExportsIncomplete');
    expect(tap.metricIncompleteExports({ period: Duration.hours(1) }).period.toSeconds()).toBe(3600);
    expect(tap.metricImagesProcessed({ period: Duration.minutes(1) }).period.toSeconds()).toBe(60);
    expect(tap.metricDataFilesRejected().statistic).toBe('Sum');
    expect(tap.metricImagesFailed().metricName).toBe('ObjectsFailed');
    expect(tap.metricImagesFailed().dimensions).toEqual({ service: 'image-processor', environment: 'prod' });
    expect(tap.metricDataFilesFailed().dimensions).toEqual({ service: 'data-validator', environment: 'prod' });
    expect(stack.resolve(tap.metricDeadLetterQueueMessages().dimensions)).toEqual({ QueueName: { 'Fn::GetAtt': [expect.stringMatching(/^TapDeadLetterQueue/), 'QueueName'] } });
    expect(tap.metricApiLatency().statistic).toBe('p99');
    const reads = tap.metricTableReadThrottleEvents({ period: Duration.minutes(1) });
    expect([reads.namespace, reads.metricName, reads.statistic, reads.period.toSeconds()]).toEqual(['AWS/DynamoDB', 'ReadThrottleEvents', 'Sum', 60]);
    expect(stack.resolve(reads.dimensions)).toEqual({ TableName: { Ref: expect.stringMatching(/^TapNotifications/) } });
    expect(tap.metricTableWriteThrottleEvents().metricName).toBe('WriteThrottleEvents');
    expect(tap.metricApiServerErrors().metricName).toBe('5XXError');
    expect(tap.metricApiClientErrors().metricName).toBe('4XXError');
    expect(tap.metricApiRequests().metricName).toBe('Count');
  });

  test('every one is `metricX(props?: cloudwatch.MetricOptions): cloudwatch.Metric`, as aws-cdk-lib\'s are', () => {
    const file = path.join(__dirname, '..', '..', 'src', 'tap-serverless.ts');
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const signatures: string[] = [];
    source.forEachChild(function visit(node) {
      if (ts.isMethodDeclaration(node) && node.name.getText(source).startsWith('metric')) {
        signatures.push(`${node.name.getText(source)}(${node.parameters.map((p) => p.getText(source)).join(', ')}): ${node.type?.getText(source)}`);
      }
      node.forEachChild(visit);
    });
    expect(signatures.length).toBeGreaterThanOrEqual(16);
    for (const signature of signatures) expect(signature).toMatch(/^metric[A-Z]\w*\(props\?: cloudwatch\.MetricOptions\): cloudwatch\.Metric$/);
  });

  test('can be used to build an alarm of one\'s own', () => {
    // GIVEN
    const stack = new Stack(new App(), 'OwnAlarmStack', { env: ENV });
    const tap = new TapServerless(stack, 'Tap');
    // WHEN
    tap.metricNotificationsCreated({ period: Duration.hours(1) }).createAlarm(stack, 'NoNotifications', {
      threshold: 1, evaluationPeriods: 1, comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
    });
    // THEN
    const template = Template.fromStack(stack);
    expect(alarms(template)).toHaveLength(21);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'NotificationsCreated', Namespace: 'TapServerless', Period: 3600, ComparisonOperator: 'LessThanThreshold',
    });
  });
});

describe('grantRedrive', () => {
  test('lets a principal consume the dead-letter queue and invoke the two S3 functions', () => {
    // GIVEN
    const stack = new Stack(new App(), 'RedriveStack', { env: ENV });
    const tap = new TapServerless(stack, 'Tap');
    const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    // WHEN
    const grant = tap.grantRedrive(operator);
    // THEN
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .find((p) => JSON.stringify(p.Properties.Roles).includes('Operator'))!;
    const statements = JSON.stringify(policy.Properties.PolicyDocument.Statement);
    expect(statements).toContain('sqs:ReceiveMessage');
    expect(statements).toContain('sqs:DeleteMessage');
    expect(statements).toContain('sqs:ChangeMessageVisibility');
    expect(statements).toMatch(/"lambda:InvokeFunction".*TapImageProcessor.*TapDataValidator/);
    expect(statements).toContain('lambda:GetFunctionConfiguration');
    expect(statements).not.toContain('TapNotificationHandler');
    // AND the grant it returns covers every statement, for dependencies and checks
    expect(grant).toBeInstanceOf(iam.Grant);
    expect(grant.success).toBe(true);
    expect(grant.principalStatements.flatMap((s) => s.actions)).toEqual(expect.arrayContaining([
      'sqs:ReceiveMessage', 'lambda:InvokeFunction', 'lambda:GetFunctionConfiguration',
    ]));
  });
});

describe('grantOperations and grantBatchOperations', () => {
  function policyOf(stack: Stack, role: string): any[] {
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .find((p) => JSON.stringify(p.Properties.Roles).includes(role))!;
    return policy.Properties.PolicyDocument.Statement;
  }
  const actionsOf = (statements: any[]) => statements.flatMap((s) => [s.Action].flat()).sort();

  test('the operations role gets exactly what reconcile, reprocess and redrive call', () => {
    const stack = new Stack(new App(), 'OpsStack', { env: ENV });
    const tap = new TapServerless(stack, 'Tap');
    const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });

    const grant = tap.grantOperations(operator);

    const statements = policyOf(stack, 'Operator');
    expect(actionsOf(statements)).toEqual([
      'cloudformation:ListStackResources',
      'dynamodb:BatchGetItem',
      'lambda:GetFunctionConfiguration', 'lambda:GetFunctionConfiguration',
      'lambda:InvokeFunction', 'lambda:InvokeFunction',
      's3:GetBucketVersioning', 's3:ListBucket', 's3:ListBucketVersions',
      'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage',
    ].sort());
    const text = JSON.stringify(statements);
    expect(text).not.toMatch(/dynamodb:(Scan|Query|PutItem|UpdateItem|DeleteItem)|s3:(GetObject|PutObject|DeleteObject)/);
    expect(text).toContain(':stack/OpsStack/*');
    expect(text).not.toContain('TapNotificationHandler');
    expect(grant.success).toBe(true);
  });

  test('a Batch Operations job role may invoke the two S3 functions and nothing else', () => {
    const stack = new Stack(new App(), 'BatchStack', { env: ENV });
    const tap = new TapServerless(stack, 'Tap');
    const jobRole = new iam.Role(stack, 'BatchJob', { assumedBy: new iam.ServicePrincipal('batchoperations.s3.amazonaws.com') });

    tap.grantBatchOperations(jobRole);

    const statements = policyOf(stack, 'BatchJob');
    expect([...new Set(actionsOf(statements))]).toEqual(['lambda:InvokeFunction']);
    expect(JSON.stringify(statements)).toMatch(/TapImageProcessor.*TapDataValidator/);
  });
});

describe('two pipelines in one account', () => {
  test('every API alarm and dashboard widget selects its own API only', () => {
    // GIVEN two default pipelines in two stacks of one app (same account, region and stage name)
    const app = new App();
    const stacks = ['PipelineA', 'PipelineB'].map((name) => new Stack(app, name, { env: ENV }));
    stacks.forEach((stack) => new TapServerless(stack, 'Tap'));
    // WHEN
    const names = stacks.map((stack) => {
      const template = Template.fromStack(stack);
      const apiName: string = Object.values(template.findResources('AWS::ApiGateway::RestApi'))[0].Properties.Name;
      // THEN each alarm on an API metric names this stack's API
      const dimensions = Object.values(template.findResources('AWS::CloudWatch::Alarm')).flatMap((a) => [a.Properties, ...(a.Properties.Metrics ?? []).map((m: any) => m.MetricStat?.Metric ?? {})])
        .flatMap((m: any) => m.Dimensions ?? []).filter((d: any) => d.Name === 'ApiName').map((d: any) => d.Value);
      expect(dimensions.length).toBeGreaterThanOrEqual(3);
      expect(new Set(dimensions)).toEqual(new Set([apiName]));
      // AND so does every dashboard widget
      const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
      const widgetNames = [...body.matchAll(/\\"ApiName\\",\\"([^\\]+)\\"/g)].map((m) => m[1]);
      expect(widgetNames.length).toBeGreaterThanOrEqual(3);
      expect(new Set(widgetNames)).toEqual(new Set([apiName]));
      return apiName;
    });
    expect(names[0]).not.toEqual(names[1]);
  });
});
