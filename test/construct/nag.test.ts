import { Aspects, CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ApiAuthorization, Ingestion, OutcomeEvents, TapServerless, TapServerlessProps } from '../../src';
import { nagStack } from '../support/templates';

/** Every cdk-nag finding (errors and warnings) reported on the stack. */
function findings(stack: Stack): string[] {
  const annotations = Annotations.fromStack(stack);
  return [
    ...annotations.findError('*', Match.stringLikeRegexp('.*')),
    ...annotations.findWarning('*', Match.stringLikeRegexp('(AwsSolutions|Serverless)-.*')),
  ].map((f) => `${f.id}: ${String(f.entry.data).split('\n')[0]}`);
}

const CONFIGURATIONS: Array<[string, (stack: Stack) => TapServerlessProps]> = [
  ['defaults', () => ({})],
  ['CORS, API key, x86_64, reserved concurrency, DESTROY', () => ({
    apiCorsAllowedOrigins: ['https://app.example.com'],
    apiAuthorization: ApiAuthorization.apiKey(),
    imageProcessor: { architecture: lambda.Architecture.X86_64, reservedConcurrentExecutions: 2 },
    removalPolicy: RemovalPolicy.DESTROY,
  })],
  ['Cognito', (stack) => ({
    apiAuthorization: ApiAuthorization.cognito([new cognito.UserPool(stack, 'Pool', {
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireSymbols: true, requireUppercase: true },
      featurePlan: cognito.FeaturePlan.PLUS,
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { sms: false, otp: true },
    })]),
  })],
  ['existing bucket', (stack) => ({ bucket: s3.Bucket.fromBucketName(stack, 'Existing', 'my-uploads') })],
  ['queue ingestion, outcome events on the default bus', () => ({ ingestion: Ingestion.queue({ maxConcurrency: 20 }), outcomeEvents: OutcomeEvents.defaultBus() })],
  ['EventBridge ingestion', () => ({ ingestion: Ingestion.eventBridge() })],
  ['outcome events on a dedicated bus', () => ({ outcomeEvents: OutcomeEvents.dedicatedBus() })],
  ['EventBridge ingestion on an existing bucket', (stack) => ({
    ingestion: Ingestion.eventBridge(), bucket: s3.Bucket.fromBucketName(stack, 'Existing', 'my-uploads'),
  })],
  ['Application Signals with discovery, API objectives, a layer of the user\'s', (stack) => ({
    applicationSignals: true,
    applicationSignalsDiscovery: true,
    apiObjectives: {},
    functionDefaults: { layers: [lambda.LayerVersion.fromLayerVersionArn(stack, 'Layer', 'arn:aws:lambda:eu-west-1:123456789012:layer:extension:3')] },
  })],
  ['functions in a VPC, with a layer', (stack) => ({
    functionDefaults: {
      vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1234', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-1234'] }),
      layers: [lambda.LayerVersion.fromLayerVersionArn(stack, 'Layer', 'arn:aws:lambda:eu-west-1:123456789012:layer:extension:3')],
    },
  })],
];

describe('cdk-nag AwsSolutions and Serverless packs', () => {
  test.each(CONFIGURATIONS)('reports no unsuppressed finding: %s', (_name, build) => {
    // GIVEN
    const { app, stack } = nagStack();
    // WHEN
    new TapServerless(stack, 'Tap', build(stack));
    app.synth();
    // THEN
    expect(findings(stack)).toEqual([]);
  });

  test('risky choices stay visible: no authorization and no tracing are reported', () => {
    // GIVEN
    const { app, stack } = nagStack();
    // WHEN
    new TapServerless(stack, 'Tap', { apiAuthorization: ApiAuthorization.none(), tracing: false });
    app.synth();
    // THEN
    const found = findings(stack);
    expect(found.filter((f) => f.includes('AwsSolutions-APIG4'))).toHaveLength(4);
    expect(found.filter((f) => f.includes('Serverless-LambdaTracing'))).toHaveLength(5);
    expect(found.some((f) => f.includes('Serverless-APIGWXrayEnabled'))).toBe(true);
  });

  test('the packs are active: a bare, non-compliant resource in the same setup is reported', () => {
    // GIVEN a stack with the packs and an unhardened bucket
    const { app, stack } = nagStack();
    new s3.Bucket(stack, 'Unhardened');
    // WHEN
    app.synth();
    // THEN
    const found = findings(stack);
    expect(found.some((f) => f.includes('AwsSolutions-S1'))).toBe(true);
    expect(found.some((f) => f.includes('AwsSolutions-S10'))).toBe(true);
  });

  test('every suppression names one rule and gives a reason', () => {
    // GIVEN
    const { app, stack } = nagStack();
    new TapServerless(stack, 'Tap', { apiCorsAllowedOrigins: ['https://app.example.com'] });
    app.synth();
    // THEN
    const suppressions = stack.node.findAll()
      .filter((c): c is CfnResource => c instanceof CfnResource)
      .flatMap((r) => (r.getMetadata('cdk_nag')?.rules_to_suppress ?? []) as Array<{ id: string; reason: string }>);
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) {
      expect(s.id).toMatch(/^(AwsSolutions|Serverless)-[A-Za-z0-9]+$/);
      expect(s.reason.length).toBeGreaterThanOrEqual(40);
    }
    // No stack-wide suppression: each one is attached to a single resource.
    expect(stack.templateOptions.metadata?.cdk_nag).toBeUndefined();
    expect(Aspects.of(stack).all.length).toBe(2);
  });
});
