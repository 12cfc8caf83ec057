import { Match } from 'aws-cdk-lib/assertions';
import { Ingestion, OutcomeEvents } from '../../src';
import { synth } from '../support/templates';

// The failure recorder, synthesized: its intake queue is every S3 function's dead-letter target, it
// records the failed outcomes of every kind and forwards the events to the dead-letter queue.

describe('the failure recorder', () => {
  test('reads its intake queue (redriven to the dead-letter queue after 5 receives) and knows every kind\'s prefix and fingerprint', () => {
    const { template, tap, stack } = synth();
    const intake = stack.resolve(tap.failureIntakeQueue.queueArn);
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TapDeadLetterQueue'), 'Arn'] }, maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: intake, FunctionName: { Ref: Match.stringLikeRegexp('^TapFailureRecorder') }, FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const [, fn] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('TapFailureRecorder'))!;
    const env = fn.Properties.Environment.Variables;
    expect(JSON.parse(env.TAP_FAILURE_ROUTES)).toEqual([
      { kind: 'image', prefix: 'images/', suffixes: [], fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) },
      { kind: 'data', prefix: 'data/', suffixes: [], fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) },
    ]);
    // Two retries plus the first attempt
    expect(env.TAP_FAILURE_ATTEMPTS).toBe('3');
    expect(env.TAP_DEAD_LETTER_QUEUE_URL).toEqual({ Ref: expect.stringMatching(/^TapDeadLetterQueue/) });
    // The S3 functions dead-letter to the intake, and name the dead-letter queue for the operations commands
    for (const prefix of ['TapImageProcessor', 'TapDataValidator']) {
      const [, s3fn] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(prefix) && !id.includes('Role'))!;
      expect(s3fn.Properties.DeadLetterConfig).toEqual({ TargetArn: intake });
      expect(s3fn.Properties.Environment.Variables.TAP_DEAD_LETTER_QUEUE).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^TapDeadLetterQueue/), 'Arn'] });
    }
  });

  test('IAM: writes outcomes (obj-) and version items (ver-) only, sends to the dead-letter queue, puts only the failed types on the bus', () => {
    const { template } = synth({ outcomeEvents: OutcomeEvents.dedicatedBus() });
    const policy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('TapFailureRecorderRoleDefaultPolicy'))![1];
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'dynamodb:PutItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['obj-*'] } } }),
      expect.objectContaining({ Action: 'dynamodb:UpdateItem', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ver-*'] } } }),
      expect.objectContaining({
        Action: 'events:PutEvents',
        Condition: { StringEquals: { 'events:source': 'cdk-tap-serverless', 'events:detail-type': ['image.failed', 'data.failed'] } },
      }),
      expect.objectContaining({ Action: expect.arrayContaining(['sqs:SendMessage']), Resource: { 'Fn::GetAtt': [expect.stringMatching(/^TapDeadLetterQueue/), 'Arn'] } }),
    ]));
    expect(JSON.stringify(statements)).not.toMatch(/s3:/);
  });

  test('in the queue mode, an event was tried maxReceiveCount times, and the queues redrive to the intake', () => {
    const { template } = synth({ ingestion: Ingestion.queue({ maxReceiveCount: 7 }) });
    const [, fn] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('TapFailureRecorder'))!;
    expect(fn.Properties.Environment.Variables.TAP_FAILURE_ATTEMPTS).toBe('7');
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TapFailureIntakeQueue'), 'Arn'] }, maxReceiveCount: 7 },
    });
  });
});
