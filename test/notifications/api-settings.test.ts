import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { ApiAuthorization, ApiAuthorizationType } from '../../src';
import { API_DEFAULTS, resolveApiSettings } from '../../src/notifications/api-settings';

// The notifications API's options resolved alone, as TapServerless does before it creates anything.

describe('resolveApiSettings', () => {
  test('applies the defaults: IAM, 50 requests per second in bursts of 100, 2 exports of 31 days, logs, no SLOs', () => {
    const stack = new Stack();
    const api = resolveApiSettings(stack, {});
    expect(api).toMatchObject({
      throttlingRateLimit: 50,
      throttlingBurstLimit: 100,
      exportMaxConcurrency: 2,
      accessLogging: true,
      cloudWatchRole: true,
      corsAllowedOrigins: undefined,
      objectives: undefined,
    });
    expect(api.authorization.type).toBe(ApiAuthorizationType.IAM);
    expect(api.exportMaxRange.toDays()).toBe(31);
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('an empty apiObjectives turns the SLOs on with every default', () => {
    const { objectives } = resolveApiSettings(new Stack(), { apiObjectives: {} });
    expect(objectives).toEqual({
      availabilityPercent: 99.9,
      latencyThreshold: API_DEFAULTS.apiObjectives.latencyThreshold,
      latencyPercentile: 99,
      latencyAttainmentPercent: 99.9,
      windowDays: 28,
      burnRateAlarmThreshold: 14.4,
    });
  });

  test.each([
    [{ apiThrottlingRateLimit: 0 }, /invalid apiThrottlingRateLimit \(0\)/],
    [{ apiThrottlingBurstLimit: 1.5 }, /invalid apiThrottlingBurstLimit \(1.5\)/],
    [{ apiExportMaxConcurrency: 101 }, /invalid apiExportMaxConcurrency \(101\)/],
    [{ apiExportMaxRange: Duration.minutes(59) }, /invalid apiExportMaxRange \("59 minutes"\)/],
    [{ apiCorsAllowedOrigins: [] }, /invalid apiCorsAllowedOrigins \(\[\]\)/],
    [{ apiCorsAllowedOrigins: ['https://app.example.com/'] }, /invalid apiCorsAllowedOrigins \("https:\/\/app.example.com\/"\)/],
    [{ apiObjectives: { availabilityPercent: 100 } }, /invalid apiObjectives.availabilityPercent \(100\)/],
    [{ apiObjectives: { latencyThreshold: Duration.seconds(30) } }, /invalid apiObjectives.latencyThreshold/],
    [{ apiObjectives: { window: Duration.hours(36) } }, /invalid apiObjectives.window/],
    [{ apiObjectives: { burnRateAlarmThreshold: 0 } }, /invalid apiObjectives.burnRateAlarmThreshold \(0\)/],
  ])('fails on %j, naming the option and the value', (options, message) => {
    expect(() => resolveApiSettings(new Stack(), options)).toThrow(message);
  });

  test.each([
    ['cdk-tap-serverless:corsWildcard', { apiCorsAllowedOrigins: ['*'] }],
    ['cdk-tap-serverless:noAuthorization', { apiAuthorization: ApiAuthorization.none() }],
    ['cdk-tap-serverless:noAccessLogs', { apiAccessLogging: false }],
  ])('warns (%s) on a risky but legal choice', (id, options) => {
    const stack = new Stack();
    resolveApiSettings(stack, options);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp(`\\[ack: ${id}\\]`));
  });
});
