import { Duration, Names } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as applicationsignals from 'aws-cdk-lib/aws-applicationsignals';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { ApiObjectiveSettings } from './api-settings';

/** Look-back windows of each objective's burn rates, in minutes: a long one and a short one. */
export const BURN_RATE_WINDOWS_MINUTES = [60, 5] as const;

/** One objective: the SLO and its burn-rate metric (both windows, the lower of the two). */
export interface ApiObjective {
  readonly name: 'Availability' | 'Latency';
  readonly slo: applicationsignals.CfnServiceLevelObjective;
  /** The lower of the 60- and 5-minute burn rates: at or above a threshold only when both are. */
  readonly burnRate: cloudwatch.IMetric;
  readonly description: string;
}

/**
 * Creates the API's two Application Signals SLOs on API Gateway's own metrics of this API and
 * stage (`ApiName`, `Stage`): availability as a request-based SLI (bad requests = `5XXError`, total
 * = `Count`), latency as a period-based SLI (the stage's per-minute `Latency` percentile at most the
 * threshold). Application Signals' service and operation SLIs would need the OpenTelemetry layer on
 * the API's function and would measure the function, not what callers of the REST API see.
 */
export function createApiObjectives(scope: Construct, api: apigw.RestApi, o: ApiObjectiveSettings, environmentSuffix: string): ApiObjective[] {
  const dims = api.deploymentStage.metricCount().dimensions ?? {};
  const dimensions = Object.entries(dims).map(([name, value]) => ({ name, value: String(value) }));
  const stat = (id: string, metricName: string, statistic: string, returnData: boolean) => ({
    id,
    metricStat: { metric: { namespace: 'AWS/ApiGateway', metricName, dimensions }, period: 60, stat: statistic },
    returnData,
  });
  const goal = (attainmentGoal: number) => ({
    attainmentGoal,
    interval: { rollingInterval: { duration: o.windowDays, durationUnit: 'DAY' } },
    warningThreshold: 50,
  });
  const burnRateConfigurations = BURN_RATE_WINDOWS_MINUTES.map((lookBackWindowMinutes) => ({ lookBackWindowMinutes }));
  const base = Names.uniqueResourceName(scope, { maxLength: 100, separator: '-' });
  const latencyStat = `p${o.latencyPercentile}`;

  const availability = new applicationsignals.CfnServiceLevelObjective(scope, 'ApiAvailabilityObjective', {
    name: `${base}-api-availability`,
    description: `TapServerless (${environmentSuffix}): ${o.availabilityPercent} % of API requests answered without a 5XX, ` +
      `over a rolling ${o.windowDays} days`,
    requestBasedSli: {
      requestBasedSliMetric: {
        totalRequestCountMetric: [stat('total', 'Count', 'Sum', true)],
        monitoredRequestCountMetric: { badCountMetric: [stat('bad', '5XXError', 'Sum', true)] },
      },
    },
    goal: goal(o.availabilityPercent),
    burnRateConfigurations,
  });
  const latency = new applicationsignals.CfnServiceLevelObjective(scope, 'ApiLatencyObjective', {
    name: `${base}-api-latency`,
    description: `TapServerless (${environmentSuffix}): API ${latencyStat} latency at most ${o.latencyThreshold.toMilliseconds()} ms in ` +
      `${o.latencyAttainmentPercent} % of the minutes, over a rolling ${o.windowDays} days`,
    sli: {
      sliMetric: { metricDataQueries: [stat('latency', 'Latency', latencyStat, true)], periodSeconds: 60 },
      comparisonOperator: 'LessThanOrEqualTo',
      metricThreshold: o.latencyThreshold.toMilliseconds(),
    },
    goal: goal(o.latencyAttainmentPercent),
    burnRateConfigurations,
  });
  // Metric ids are unique per objective: the dashboard graphs both objectives together.
  const burnRate = (slo: applicationsignals.CfnServiceLevelObjective, id: string, label: string): cloudwatch.IMetric => {
    const [long, short] = BURN_RATE_WINDOWS_MINUTES.map((minutes) => new cloudwatch.Metric({
      namespace: 'AWS/ApplicationSignals',
      metricName: 'BurnRate',
      dimensionsMap: { SloName: slo.name, BurnRateWindowMinutes: String(minutes) },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(1),
    }));
    return new cloudwatch.MathExpression({
      expression: `MIN([${id}60, ${id}5])`,
      usingMetrics: { [`${id}60`]: long, [`${id}5`]: short },
      period: Duration.minutes(1),
      label,
    });
  };
  return [
    {
      name: 'Availability',
      slo: availability,
      burnRate: burnRate(availability, 'availability', 'Availability burn rate (min of 60 and 5 min)'),
      description: `the API spends its availability error budget (${o.availabilityPercent} %) fast`,
    },
    {
      name: 'Latency',
      slo: latency,
      burnRate: burnRate(latency, 'latency', 'Latency burn rate (min of 60 and 5 min)'),
      description: `the API spends its ${latencyStat} latency error budget (${o.latencyThreshold.toMilliseconds()} ms) fast`,
    },
  ];
}
