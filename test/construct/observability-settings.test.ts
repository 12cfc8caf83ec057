import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { TapServerless, TapServerlessProps } from '../../src';
import { APPLICATION_SIGNALS_LAYERS, partitionOf } from '../../src/construct/application-signals-layers';
import { ENV, synth } from '../support/templates';

function functions(template: Template): Array<Record<string, any>> {
  return Object.values(template.findResources('AWS::Lambda::Function'))
    .map((f) => f.Properties)
    .filter((p) => p.Runtime === 'nodejs24.x' && p.Environment?.Variables?.POWERTOOLS_SERVICE_NAME !== undefined);
}

function synthIn(region: string | undefined, props: TapServerlessProps): Template {
  const app = new App();
  const stack = new Stack(app, 'RegionStack', region === undefined ? {} : { env: { account: ENV.account, region } });
  new TapServerless(stack, 'Tap', props);
  return Template.fromStack(stack);
}

describe('tracing', () => {
  test('on by default: X-Ray active tracing on every function and the stage, and the handlers\' OpenTelemetry spans on', () => {
    // GIVEN default props WHEN synthesized
    const { template } = synth();
    // THEN
    const fns = functions(template);
    expect(fns).toHaveLength(5);
    for (const fn of fns) {
      expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Environment.Variables.TAP_TRACING).toBe('true');
      expect(fn.Environment.Variables.POWERTOOLS_TRACE_ENABLED).toBeUndefined();
      expect(fn.Environment.Variables.AWS_LAMBDA_EXEC_WRAPPER).toBeUndefined();
      expect(fn.Layers).toBeUndefined();
    }
    template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: true });
    // Each role may send segments to X-Ray (the only "*" resource, required by X-Ray).
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).map((p) => JSON.stringify(p.Properties.PolicyDocument));
    expect(policies.filter((p) => p.includes('"xray:PutTraceSegments","xray:PutTelemetryRecords"'))).toHaveLength(5);
  });

  test('tracing: false turns X-Ray off and tells the handlers not to trace', () => {
    const { template } = synth({ tracing: false });
    for (const fn of functions(template)) {
      expect(fn.TracingConfig).toBeUndefined();
      expect(fn.Environment.Variables.TAP_TRACING).toBe('false');
    }
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).map((p) => JSON.stringify(p.Properties.PolicyDocument));
    expect(policies.join()).not.toContain('xray:PutTraceSegments');
  });
});

describe('applicationSignals', () => {
  test('off by default: no OpenTelemetry layer, no managed policy, no discovery', () => {
    const { template } = synth();
    expect(JSON.stringify(template.toJSON())).not.toContain('AWSOpenTelemetryDistroJs');
    expect(JSON.stringify(template.toJSON())).not.toContain('CloudWatchLambdaApplicationSignalsExecutionRolePolicy');
    template.resourceCountIs('AWS::ApplicationSignals::Discovery', 0);
  });

  test('instruments the five functions: the region\'s layer after the user\'s layers, the exec wrapper, the managed policy, active tracing', () => {
    // GIVEN a user's layer on every function
    const { template } = synth(undefined, (stack) => ({
      applicationSignals: true,
      functionDefaults: { layers: [lambda.LayerVersion.fromLayerVersionArn(stack, 'Mine', 'arn:aws:lambda:eu-west-1:111122223333:layer:mine:3')] },
    }));
    // THEN
    const layer = 'arn:aws:lambda:eu-west-1:615299751070:layer:AWSOpenTelemetryDistroJs:15';
    const fns = functions(template);
    expect(fns).toHaveLength(5);
    for (const fn of fns) {
      expect(fn.Layers).toEqual(['arn:aws:lambda:eu-west-1:111122223333:layer:mine:3', layer]);
      // The functions' own spans stay on: the layer cannot instrument the AWS SDK bundled into the functions.
      expect(fn.Environment.Variables).toMatchObject({ AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-instrument', TAP_TRACING: 'true' });
      expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
    }
    const roles = Object.values(template.findResources('AWS::IAM::Role'))
      .filter((r) => JSON.stringify(r.Properties.ManagedPolicyArns ?? []).includes('CloudWatchLambdaApplicationSignalsExecutionRolePolicy'));
    expect(roles).toHaveLength(5);
    template.resourceCountIs('AWS::ApplicationSignals::Discovery', 0);
  });

  test('the layer follows the stack\'s region, for either architecture', () => {
    const template = synthIn('ap-northeast-1', { applicationSignals: true, imageProcessor: { architecture: lambda.Architecture.X86_64 } });
    const fns = functions(template);
    expect(fns.map((f) => f.Architectures).sort()).toEqual([['arm64'], ['arm64'], ['arm64'], ['arm64'], ['x86_64']]);
    for (const fn of fns) {
      expect(fn.Layers).toEqual(['arn:aws:lambda:ap-northeast-1:615299751070:layer:AWSOpenTelemetryDistroJs:15']);
    }
  });

  test('applicationSignalsDiscovery creates the account\'s discovery resource', () => {
    const { template, tap } = synth({ applicationSignals: true, applicationSignalsDiscovery: true });
    template.resourceCountIs('AWS::ApplicationSignals::Discovery', 1);
    expect(tap.applicationSignalsDiscovery).toBeDefined();
  });

  test.each([
    ['us-east-1', 'arn:aws:lambda:us-east-1:615299751070:layer:AWSOpenTelemetryDistroJs:15'],
    ['af-south-1', 'arn:aws:lambda:af-south-1:904233096616:layer:AWSOpenTelemetryDistroJs:15'],
    ['me-south-1', 'arn:aws:lambda:me-south-1:980921751758:layer:AWSOpenTelemetryDistroJs:12'],
    ['mx-central-1', 'arn:aws:lambda:mx-central-1:610118373846:layer:AWSOpenTelemetryDistroJs:8'],
    ['cn-north-1', 'arn:aws-cn:lambda:cn-north-1:440179912924:layer:AWSOpenTelemetryDistroJs:8'],
  ])('in %s the layer is AWS\'s of that region, publishing account and partition included', (region, arn) => {
    for (const fn of functions(synthIn(region, { applicationSignals: true }))) {
      expect(fn.Layers).toEqual([arn]);
    }
  });

  test('the partition of every region in the layer table, and of every region aws-cdk-lib knows, is RegionInfo\'s', () => {
    // The construct derives it from the region's name rather than loading region-info at synth.
    const regions = [...Object.keys(APPLICATION_SIGNALS_LAYERS), ...RegionInfo.regions.map((r) => r.name)];
    expect(regions.length).toBeGreaterThan(Object.keys(APPLICATION_SIGNALS_LAYERS).length);
    for (const region of regions) {
      expect([region, partitionOf(region)]).toEqual([region, RegionInfo.get(region).partition]);
    }
  });

  test('applicationSignalsLayerArn replaces the table\'s layer, in a region of the table or not', () => {
    const newer = 'arn:aws:lambda:us-east-1:615299751070:layer:AWSOpenTelemetryDistroJs:16';
    for (const fn of functions(synthIn('us-east-1', { applicationSignals: true, applicationSignalsLayerArn: newer }))) {
      expect(fn.Layers).toEqual([newer]);
    }
    const elsewhere = 'arn:aws-us-gov:lambda:us-gov-west-1:123456789012:layer:AWSOpenTelemetryDistroJs:3';
    for (const fn of functions(synthIn('us-gov-west-1', { applicationSignals: true, applicationSignalsLayerArn: elsewhere }))) {
      expect(fn.Layers).toEqual([elsewhere]);
    }
  });

  test('fails when the region has no OpenTelemetry layer in the table and none is given', () => {
    expect(() => synthIn('us-gov-west-1', { applicationSignals: true }))
      .toThrow(/invalid applicationSignals \(true\): the construct's table has no AWS OpenTelemetry \(AWSOpenTelemetryDistroJs\) layer in region us-gov-west-1\. Pass the ARN AWS publishes for that region .* as applicationSignalsLayerArn/);
  });

  test('fails when applicationSignalsLayerArn is not a layer version ARN, is in another region, or comes without applicationSignals', () => {
    expect(() => synthIn('eu-west-1', { applicationSignals: true, applicationSignalsLayerArn: 'arn:aws:lambda:eu-west-1:615299751070:layer:AWSOpenTelemetryDistroJs' }))
      .toThrow(/invalid applicationSignalsLayerArn \("arn:aws:lambda:eu-west-1:615299751070:layer:AWSOpenTelemetryDistroJs"\): it is not a Lambda layer version ARN/);
    expect(() => synthIn('eu-west-1', { applicationSignals: true, applicationSignalsLayerArn: 'arn:aws:lambda:us-east-1:615299751070:layer:AWSOpenTelemetryDistroJs:16' }))
      .toThrow(/the layer is in us-east-1 and the stack in eu-west-1; a function can only use layers of its own region/);
    expect(() => synthIn('eu-west-1', { applicationSignalsLayerArn: 'arn:aws:lambda:eu-west-1:615299751070:layer:AWSOpenTelemetryDistroJs:16' }))
      .toThrow(/invalid applicationSignalsLayerArn .*applicationSignals, which is off.*Set applicationSignals: true too/);
  });

  test('fails when the stack has no concrete region', () => {
    expect(() => synthIn(undefined, { applicationSignals: true })).toThrow(/invalid applicationSignals \(true\): the stack has no concrete region.*env with a region/);
  });

  test('fails when a function\'s architecture is not served by the layer', () => {
    expect(() => synth({ applicationSignals: true, dataValidator: { architecture: lambda.Architecture.custom('riscv64') } }))
      .toThrow(/invalid dataValidator.architecture \("riscv64"\): the AWS OpenTelemetry layer serves x86_64 and arm64 only/);
  });

  test('fails when tracing is off', () => {
    expect(() => synth({ applicationSignals: true, tracing: false })).toThrow(/invalid tracing \(false\): applicationSignals needs X-Ray active tracing/);
  });

  test('fails when discovery is asked without applicationSignals', () => {
    expect(() => synth({ applicationSignalsDiscovery: true })).toThrow(/invalid applicationSignalsDiscovery \(true\).*Set applicationSignals: true too/);
  });

  test('fails when the user sets the exec wrapper', () => {
    expect(() => synth({ applicationSignals: true, notificationHandler: { environment: { AWS_LAMBDA_EXEC_WRAPPER: '/opt/mine' } } }))
      .toThrow(/invalid notificationHandler.environment \("AWS_LAMBDA_EXEC_WRAPPER"\)/);
  });

  test('fails when a function would get more than five layers', () => {
    expect(() => synth(undefined, (stack) => ({
      applicationSignals: true,
      imageProcessor: { layers: [1, 2, 3, 4, 5].map((i) => lambda.LayerVersion.fromLayerVersionArn(stack, `L${i}`, `arn:aws:lambda:eu-west-1:111122223333:layer:l${i}:1`)) },
    }))).toThrow(/invalid imageProcessor.layers \("5 layers"\): applicationSignals adds the OpenTelemetry layer/);
  });
});

describe('apiObjectives', () => {
  function slos(template: Template): Array<Record<string, any>> {
    return Object.values(template.findResources('AWS::ApplicationSignals::ServiceLevelObjective')).map((r) => r.Properties);
  }

  test('none by default', () => {
    const { template, tap } = synth();
    template.resourceCountIs('AWS::ApplicationSignals::ServiceLevelObjective', 0);
    expect(tap.serviceLevelObjectives).toBeUndefined();
  });

  test('{} creates the availability and latency SLOs with the documented defaults, on this API\'s stage', () => {
    // GIVEN apiObjectives with every default WHEN synthesized
    const { template, tap } = synth({ apiObjectives: {} });
    // THEN two SLOs, exposed in order
    const [availability, latency] = slos(template);
    expect(tap.serviceLevelObjectives).toHaveLength(2);
    const apiDimensions = [
      { Name: 'ApiName', Value: Match.anyValue() },
      { Name: 'Stage', Value: Match.anyValue() },
    ];
    template.hasResourceProperties('AWS::ApplicationSignals::ServiceLevelObjective', {
      Name: Match.stringLikeRegexp('-api-availability$'),
      RequestBasedSli: {
        RequestBasedSliMetric: {
          TotalRequestCountMetric: [{
            Id: 'total',
            ReturnData: true,
            MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Count', Dimensions: apiDimensions }, Period: 60, Stat: 'Sum' },
          }],
          MonitoredRequestCountMetric: {
            BadCountMetric: [{
              Id: 'bad',
              ReturnData: true,
              MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5XXError', Dimensions: apiDimensions }, Period: 60, Stat: 'Sum' },
            }],
          },
        },
      },
      Goal: { AttainmentGoal: 99.9, Interval: { RollingInterval: { Duration: 28, DurationUnit: 'DAY' } } },
      BurnRateConfigurations: [{ LookBackWindowMinutes: 60 }, { LookBackWindowMinutes: 5 }],
    });
    template.hasResourceProperties('AWS::ApplicationSignals::ServiceLevelObjective', {
      Name: Match.stringLikeRegexp('-api-latency$'),
      Sli: {
        SliMetric: {
          MetricDataQueries: [{
            Id: 'latency',
            ReturnData: true,
            MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'Latency', Dimensions: apiDimensions }, Period: 60, Stat: 'p99' },
          }],
          PeriodSeconds: 60,
        },
        ComparisonOperator: 'LessThanOrEqualTo',
        MetricThreshold: 2000,
      },
      Goal: { AttainmentGoal: 99.9, Interval: { RollingInterval: { Duration: 28, DurationUnit: 'DAY' } } },
      BurnRateConfigurations: [{ LookBackWindowMinutes: 60 }, { LookBackWindowMinutes: 5 }],
    });
    // The API's own name and stage, the same the API's other alarms use.
    const [stageId] = Object.keys(template.findResources('AWS::ApiGateway::Stage'));
    const apiName = Object.values(template.findResources('AWS::ApiGateway::RestApi'))[0].Properties.Name;
    for (const slo of [availability, latency]) {
      expect(JSON.stringify(slo)).toContain(`"Dimensions":[{"Name":"ApiName","Value":"${apiName}"},{"Name":"Stage","Value":{"Ref":"${stageId}"}}]`);
    }
    // Valid SLO names (Application Signals' pattern).
    for (const slo of [availability, latency]) {
      expect(slo.Name).toMatch(/^[0-9A-Za-z][-._0-9A-Za-z ]{0,126}[0-9A-Za-z]$/);
    }
  });

  test('alarms on each SLO\'s burn rate (both the 60- and the 5-minute window), to the alarm topic, and shows them on the dashboard', () => {
    const { template, tap } = synth(undefined, (stack) => ({ apiObjectives: {}, alarmTopic: new sns.Topic(stack, 'Topic') }));
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties)
      .filter((a) => a.AlarmDescription.includes('error budget'));
    expect(alarms).toHaveLength(2);
    expect(tap.alarms).toHaveLength(22);
    const [availabilityName, latencyName] = slos(template).map((s) => s.Name);
    for (const [alarm, sloName, id] of [[alarms[0], availabilityName, 'availability'], [alarms[1], latencyName, 'latency']]) {
      expect(alarm).toMatchObject({ Threshold: 14.4, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [{ Ref: expect.stringMatching(/^Topic/) }] });
      expect(alarm.Metrics).toEqual([
        { Id: 'expr_1', Expression: `MIN([${id}60, ${id}5])`, Label: expect.any(String), ReturnData: true },
        ...[[`${id}60`, '60'], [`${id}5`, '5']].map(([metricId, minutes]) => ({
          Id: metricId,
          ReturnData: false,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/ApplicationSignals',
              MetricName: 'BurnRate',
              Dimensions: expect.arrayContaining([{ Name: 'SloName', Value: sloName }, { Name: 'BurnRateWindowMinutes', Value: minutes }]),
            },
            Period: 60,
            Stat: 'Maximum',
          },
        })),
      ]);
    }
    const dashboard = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard).toContain('API service-level objectives: burn rate');
    expect(dashboard).toContain('AWS/ApplicationSignals');
  });

  test('takes its objectives, window and burn-rate threshold from the props', () => {
    const { template } = synth({
      apiObjectives: {
        availabilityPercent: 99.5,
        latencyThreshold: Duration.millis(800),
        latencyPercentile: 95,
        latencyAttainmentPercent: 99,
        window: Duration.days(7),
        burnRateAlarmThreshold: 6,
      },
    });
    const [availability, latency] = slos(template);
    expect(availability.Goal).toMatchObject({ AttainmentGoal: 99.5, Interval: { RollingInterval: { Duration: 7, DurationUnit: 'DAY' } } });
    expect(latency.Goal).toMatchObject({ AttainmentGoal: 99, Interval: { RollingInterval: { Duration: 7, DurationUnit: 'DAY' } } });
    expect(latency.Sli.MetricThreshold).toBe(800);
    expect(latency.Sli.SliMetric.MetricDataQueries[0].MetricStat.Stat).toBe('p95');
    const thresholds = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties)
      .filter((a) => a.AlarmDescription.includes('error budget')).map((a) => a.Threshold);
    expect(thresholds).toEqual([6, 6]);
  });

  test('works without applicationSignals, and with it', () => {
    expect(synth({ apiObjectives: {} }).template.findResources('AWS::ApplicationSignals::ServiceLevelObjective')).not.toEqual({});
    const { template } = synth({ apiObjectives: {}, applicationSignals: true });
    template.resourceCountIs('AWS::ApplicationSignals::ServiceLevelObjective', 2);
  });

  test.each([
    [{ availabilityPercent: 100 }, /invalid apiObjectives.availabilityPercent \(100\): the availability objective is a percentage greater than 0 and less than 100/],
    [{ availabilityPercent: 0 }, /invalid apiObjectives.availabilityPercent \(0\)/],
    [{ latencyPercentile: 100 }, /invalid apiObjectives.latencyPercentile \(100\)/],
    [{ latencyAttainmentPercent: -1 }, /invalid apiObjectives.latencyAttainmentPercent \(-1\)/],
    [{ latencyThreshold: Duration.seconds(30) }, /invalid apiObjectives.latencyThreshold \("30 seconds"\): .*at most 29 seconds/],
    [{ latencyThreshold: Duration.millis(0) }, /invalid apiObjectives.latencyThreshold/],
    [{ window: Duration.days(366) }, /invalid apiObjectives.window \("366 days"\): .*whole number of days from 1 to 365/],
    [{ window: Duration.hours(36) }, /invalid apiObjectives.window \("1 day 12 hours"\)/],
    [{ burnRateAlarmThreshold: 0 }, /invalid apiObjectives.burnRateAlarmThreshold \(0\): a burn rate is a number greater than 0/],
  ])('fails when apiObjectives is %j', (apiObjectives, message) => {
    expect(() => synth({ apiObjectives })).toThrow(message);
  });
});
