import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Ingestion, OutcomeEvents, TapServerless } from '../../src';
import { ENV, synth } from '../support/templates';

const functionRef = (template: Template, prefix: string): string =>
  Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.startsWith(prefix))!;

describe('Ingestion.direct() (the default)', () => {
  test('S3 notifications invoke the functions: no ingestion queue, no rule, no event source mapping but the failure recorder\'s', () => {
    const { template, tap } = synth();
    template.resourceCountIs('Custom::S3BucketNotifications', 1);
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    // the dead-letter queue and the failure recorder's intake
    expect(Object.keys(template.findResources('AWS::SQS::Queue')).sort()).toEqual([expect.stringMatching(/^TapDeadLetterQueue/), expect.stringMatching(/^TapFailureIntakeQueue/)]);
    expect(tap.imageProcessorQueue).toBeUndefined();
  });
});

describe('Ingestion.queue()', () => {
  const { template, tap } = synth({
    ingestion: Ingestion.queue({ batchSize: 20, maxBatchingWindow: Duration.seconds(5), maxConcurrency: 50, maxReceiveCount: 4 }),
  });
  const queues = () => Object.entries(template.findResources('AWS::SQS::Queue'))
    .filter(([id]) => !id.startsWith('TapDeadLetterQueue') && !id.startsWith('TapFailureIntakeQueue'));

  test('one encrypted, TLS-only queue per function, redriven to the failure recorder (which forwards to the dead-letter queue) after maxReceiveCount receives', () => {
    expect(queues().map(([id]) => id).sort()).toEqual([expect.stringMatching(/^TapDataValidatorQueue/), expect.stringMatching(/^TapImageProcessorQueue/)]);
    for (const [, queue] of queues()) {
      expect(queue.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 86_400,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^TapFailureIntakeQueue/), 'Arn'] }, maxReceiveCount: 4 },
      });
    }
    // six times the function's timeout, plus the batching window
    const visibility = Object.fromEntries(queues().map(([id, q]) => [id.replace(/Queue.*/, ''), q.Properties.VisibilityTimeout]));
    expect(visibility).toEqual({ TapImageProcessor: 6 * 60 + 5, TapDataValidator: 6 * 300 + 5 });
    // TLS only
    const policies = JSON.stringify(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toContain('"aws:SecureTransport":"false"');
    expect(tap.imageProcessorQueue).toBeDefined();
    expect(tap.dataValidatorQueue).toBeDefined();
  });

  test('the bucket notifies the queues for the input prefixes only; S3 may send to them', () => {
    const [notifications] = Object.values(template.findResources('Custom::S3BucketNotifications'));
    const config = notifications.Properties.NotificationConfiguration;
    expect(config.LambdaFunctionConfigurations).toBeUndefined();
    const prefixes = config.QueueConfigurations.map((c: any) => [c.Filter.Key.FilterRules[0].Value, c.QueueArn['Fn::GetAtt'][0]]);
    expect(prefixes.sort()).toEqual([['data/', expect.stringMatching(/^TapDataValidatorQueue/)], ['images/', expect.stringMatching(/^TapImageProcessorQueue/)]]);
    const policies = JSON.stringify(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toContain('"Service":"s3.amazonaws.com"');
  });

  test('an event source mapping per function reports batch item failures, with the batch and concurrency settings', () => {
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).map((m) => m.Properties)
      .filter((m) => !m.FunctionName.Ref.startsWith('TapFailureRecorder'));
    expect(mappings).toHaveLength(2);
    for (const m of mappings) {
      expect(m).toMatchObject({
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 20,
        MaximumBatchingWindowInSeconds: 5,
        ScalingConfig: { MaximumConcurrency: 50 },
      });
    }
    expect(mappings.map((m) => m.FunctionName.Ref).sort()).toEqual([functionRef(template, 'TapDataValidator'), functionRef(template, 'TapImageProcessor')].sort());
  });

  test('each function may consume its own queue only', () => {
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    for (const name of ['TapImageProcessor', 'TapDataValidator']) {
      const [, policy] = policies.find(([id]) => id.startsWith(`${name}Role`))!;
      const sqsStatements = policy.Properties.PolicyDocument.Statement.filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('sqs:Receive')));
      expect(sqsStatements).toHaveLength(1);
      expect(sqsStatements[0].Resource['Fn::GetAtt'][0]).toMatch(new RegExp(`^${name}Queue`));
    }
  });

  test('an alarm on each queue\'s oldest message, at the asyncEventAge threshold', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties)
      .filter((a) => a.MetricName === 'ApproximateAgeOfOldestMessage');
    expect(alarms.map((a) => [a.Namespace, a.Statistic, a.Threshold])).toEqual([['AWS/SQS', 'Maximum', 1800], ['AWS/SQS', 'Maximum', 1800]]);
  });

  test.each([
    [{ batchSize: 0 }, /batchSize \(0\)/],
    [{ batchSize: 50 }, /more than 10 messages per invocation need a batching window/],
    [{ maxConcurrency: 1 }, /maxConcurrency \(1\)/],
    [{ maxReceiveCount: 0 }, /maxReceiveCount \(0\)/],
    [{ maxBatchingWindow: Duration.minutes(6) }, /maxBatchingWindow \("6 minutes"\)/],
  ])('rejects bad queue options (%j)', (options, message) => {
    expect(() => synth({ ingestion: Ingestion.queue(options) })).toThrow(message);
  });
});

describe('Ingestion.eventBridge()', () => {
  const { template } = synth({ ingestion: Ingestion.eventBridge() });

  test('the created bucket sends its events to EventBridge; no notification configuration is written per function', () => {
    template.hasResourceProperties('AWS::S3::Bucket', { NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } } });
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
    // the failure recorder's only
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
  });

  test('one rule per input prefix targets each function, with the retry policy and the dead-letter queue', () => {
    const rules: any[] = Object.values(template.findResources('AWS::Events::Rule')).map((r) => r.Properties);
    expect(rules).toHaveLength(2);
    const byPrefix: Record<string, any> = Object.fromEntries(rules.map((r) => [r.EventPattern.detail.object.key[0].prefix, r]));
    expect(Object.keys(byPrefix).sort()).toEqual(['data/', 'images/']);
    for (const [prefix, rule] of Object.entries(byPrefix)) {
      expect(rule.EventPattern).toEqual({
        'source': ['aws.s3'],
        'detail-type': ['Object Created'],
        'detail': { bucket: { name: [{ Ref: expect.stringMatching(/^TapBucket/) }] }, object: { key: [{ prefix }] } },
      });
      expect(rule.Targets).toEqual([expect.objectContaining({
        Arn: { 'Fn::GetAtt': [functionRef(template, prefix === 'images/' ? 'TapImageProcessor' : 'TapDataValidator'), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^TapFailureIntakeQueue/), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 6 * 3600 },
      })]);
    }
    // No rule matches an output prefix: the patterns name the input prefixes only, which never overlap the outputs.
    expect(JSON.stringify(rules)).not.toMatch(/thumbnails\/|reports\//);
  });

  test('EventBridge may invoke the functions, and send to the dead-letter queue', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((p) => p.Properties)
      .filter((p) => p.Principal === 'events.amazonaws.com');
    expect(permissions).toHaveLength(2);
    expect(JSON.stringify(template.findResources('AWS::SQS::QueuePolicy'))).toContain('"Service":"events.amazonaws.com"');
  });

  test('on an existing bucket the construct leaves its configuration alone, and says EventBridge must be on', () => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    new TapServerless(stack, 'Tap', { ingestion: Ingestion.eventBridge(), bucket: s3.Bucket.fromBucketName(stack, 'B', 'shared-uploads') });
    const t = Template.fromStack(stack);
    t.resourceCountIs('Custom::S3BucketNotifications', 0);
    t.resourceCountIs('AWS::S3::Bucket', 0);
    Annotations.fromStack(stack).hasWarning('/S/Tap', Match.stringLikeRegexp('turn on its EventBridge events'));
  });
});

describe('two constructs on one bucket', () => {
  const twoOn = (ingestion: () => Ingestion, prefixes: { imageInputPrefix?: string; dataInputPrefix?: string } = {}) => {
    const app = new App();
    const stack = new Stack(app, 'S', { env: ENV });
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'shared-uploads');
    new TapServerless(stack, 'TapA', { bucket: bucket, ingestion: ingestion() });
    new TapServerless(stack, 'TapB', { bucket: bucket, ingestion: ingestion(), environmentSuffix: 'b', ...prefixes });
    return Template.fromStack(stack);
  };

  test.each([['direct', Ingestion.direct], ['queue', () => Ingestion.queue()]] as const)(
    'with overlapping prefixes in the %s mode fail at synth, naming both constructs and the prefixes', (_mode, ingestion) => {
      expect(() => twoOn(ingestion)).toThrow(/S\/TapB and S\/TapA .*overlapping prefixes "images\/" and "images\/".*Ingestion.eventBridge\(\)/);
    });

  test('a bucket named by a CfnParameter, imported twice, is the same bucket: overlapping prefixes fail at synth (finding: the parameter-named bucket)', () => {
    const stack = new Stack(new App(), 'P', { env: ENV });
    const name = new CfnParameter(stack, 'UploadsBucket', { type: 'String' }).valueAsString;
    new TapServerless(stack, 'TapA', { bucket: s3.Bucket.fromBucketName(stack, 'ImportA', name) });
    expect(() => new TapServerless(stack, 'TapB', { bucket: s3.Bucket.fromBucketName(stack, 'ImportB', name), environmentSuffix: 'b' }))
      .toThrow(/P\/TapB and P\/TapA .*overlapping prefixes "images\/" and "images\/"/);
    // Another parameter's bucket is another bucket
    const other = new CfnParameter(stack, 'OtherBucket', { type: 'String' }).valueAsString;
    expect(() => new TapServerless(stack, 'TapC', { bucket: s3.Bucket.fromBucketName(stack, 'ImportC', other), environmentSuffix: 'c' }))
      .not.toThrow();
  });

  test('with disjoint prefixes are allowed in the direct mode', () => {
    const t = twoOn(Ingestion.direct, { imageInputPrefix: 'team-b/images/', dataInputPrefix: 'team-b/data/' });
    expect(Object.keys(t.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('TapBImageProcessor'))).toHaveLength(1);
  });

  test('are allowed in the EventBridge mode, even with the same prefixes', () => {
    const t = twoOn(Ingestion.eventBridge);
    t.resourceCountIs('AWS::Events::Rule', 4);
  });
});

describe('outcomeEvents', () => {
  const s3Functions = (template: Template) => Object.entries(template.findResources('AWS::Lambda::Function'))
    .filter(([id]) => id.startsWith('TapImageProcessor') || id.startsWith('TapDataValidator'));
  const putEvents = (template: Template, prefix: string) => {
    const [, policy] = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith(`${prefix}Role`))!;
    return policy.Properties.PolicyDocument.Statement.filter((s: any) => [s.Action].flat().includes('events:PutEvents'));
  };

  test('off by default: no bus variable, no events:PutEvents', () => {
    const { template } = synth();
    for (const [, fn] of s3Functions(template)) expect(fn.Properties.Environment.Variables).not.toHaveProperty('TAP_OUTCOME_EVENT_BUS');
    expect(putEvents(template, 'TapImageProcessor')).toEqual([]);
  });

  test('OutcomeEvents.defaultBus(): the S3 functions may put events on the default bus only', () => {
    const { template, stack } = synth({ outcomeEvents: OutcomeEvents.defaultBus() });
    const arn = stack.resolve(`arn:${stack.partition}:events:${stack.region}:${stack.account}:event-bus/default`);
    for (const [, fn] of s3Functions(template)) expect(fn.Properties.Environment.Variables.TAP_OUTCOME_EVENT_BUS).toEqual(arn);
    // As the pipeline's source, with the function's own types only
    for (const [prefix, kind] of [['TapImageProcessor', 'image'], ['TapDataValidator', 'data']]) {
      expect(putEvents(template, prefix)).toEqual([{
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: arn,
        Condition: { StringEquals: { 'events:source': 'cdk-tap-serverless' }, StringLike: { 'events:detail-type': `${kind}.*` } },
      }]);
    }
    expect(putEvents(template, 'TapNotificationHandler')).toEqual([]);
  });

  test('OutcomeEvents.dedicatedBus() (finding: spoofable outcome events): a bus of the construct\'s own, on which only the two S3 functions\' roles may put events', () => {
    const { template, stack } = synth({ outcomeEvents: OutcomeEvents.dedicatedBus() });
    const [busId] = Object.keys(template.findResources('AWS::Events::EventBus'));
    expect(busId).toMatch(/^TapOutcomeEventBus/);
    const ref = { 'Fn::GetAtt': [busId, 'Arn'] };
    for (const [, fn] of s3Functions(template)) expect(fn.Properties.Environment.Variables.TAP_OUTCOME_EVENT_BUS).toEqual(ref);
    for (const [prefix, kind] of [['TapImageProcessor', 'image'], ['TapDataValidator', 'data']]) {
      expect(putEvents(template, prefix)).toEqual([{
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: ref,
        Condition: { StringEquals: { 'events:source': 'cdk-tap-serverless' }, StringLike: { 'events:detail-type': `${kind}.*` } },
      }]);
    }
    // Every other principal, of this account or any other, is denied: an explicit deny wins over any identity policy's allow.
    const roleArn = (prefix: string) => ({ 'Fn::GetAtt': [Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.startsWith(`${prefix}Role`))!, 'Arn'] });
    template.resourceCountIs('AWS::Events::EventBusPolicy', 1);
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: { Ref: busId },
      StatementId: 'cdk-OnlyThePipelinePutsEvents',
      Statement: {
        Sid: 'cdk-OnlyThePipelinePutsEvents',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: ref,
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [roleArn('TapImageProcessor'), roleArn('TapDataValidator'), roleArn('TapFailureRecorder')] } },
      },
    });
    expect(stack.resolve((stack.node.findChild('Tap') as TapServerless).outcomeEventBus!.eventBusArn)).toEqual(ref);
  });

  test('without a dedicated bus, the construct adds no bus and no bus policy', () => {
    for (const outcomeEvents of [undefined, OutcomeEvents.defaultBus()]) {
      const { template } = synth(outcomeEvents ? { outcomeEvents } : undefined);
      template.resourceCountIs('AWS::Events::EventBus', 0);
      template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
    }
  });

  test('OutcomeEvents.bus(bus): that bus', () => {
    const { template } = synth(undefined, (stack) => ({ outcomeEvents: OutcomeEvents.bus(new events.EventBus(stack, 'Outcomes')) }));
    const ref = { 'Fn::GetAtt': [expect.stringMatching(/^Outcomes/), 'Arn'] };
    for (const [, fn] of s3Functions(template)) expect(fn.Properties.Environment.Variables.TAP_OUTCOME_EVENT_BUS).toEqual(ref);
    expect(putEvents(template, 'TapImageProcessor')).toEqual([{ Action: 'events:PutEvents', Effect: 'Allow', Resource: ref, Condition: { StringEquals: { 'events:source': 'cdk-tap-serverless' }, StringLike: { 'events:detail-type': 'image.*' } } }]);
  });
});
