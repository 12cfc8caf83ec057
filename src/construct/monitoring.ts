import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as applicationsignals from 'aws-cdk-lib/aws-applicationsignals';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MonitoringSettings } from './settings';
import { API_METRICS, EXPORT_METRICS, FAILURE_METRICS, METRICS_NAMESPACE, S3_METRICS, SERVICE_NAME } from '../contract/metric-names';
import { INDEX_BY_TIME, INDEX_BY_TYPE } from '../contract/notifications-model';

/** A service-level objective to alarm on: what the notifications API's SLOs (notifications/api-slos.ts) give. */
export interface MonitoredObjective {
  readonly name: string;
  /** Its burn rate: the alarm fires at or above `burnRateAlarmThreshold`. */
  readonly burnRate: cloudwatch.IMetric;
  readonly description: string;
  /** The SLO (its name is in the alarm's description). */
  readonly slo: applicationsignals.CfnServiceLevelObjective;
}

export interface MonitoringProps {
  readonly environmentSuffix: string;
  readonly imageProcessor: lambda.IFunction;
  readonly dataValidator: lambda.IFunction;
  readonly notificationHandler: lambda.IFunction;
  readonly notificationExport: lambda.IFunction;
  readonly failureRecorder: lambda.IFunction;
  readonly table: dynamodb.ITable;
  /** The S3 functions' queues, in the queue ingestion mode. */
  readonly queues?: Array<[string, sqs.IQueue | undefined]>;
  /** The routes' dispatchers: alarmed and drawn as the image and data functions are. */
  readonly routes?: MonitoredRoute[];
  readonly settings: MonitoringSettings;
  /** The API's service-level objectives (`apiObjectives`), each alarmed on its burn rate. */
  readonly objectives?: MonitoredObjective[];
  /** Burn rate at or above which an objective's alarm fires. */
  readonly burnRateAlarmThreshold?: number;
}

/** A route's dispatcher, for its alarms and dashboard row. */
export interface MonitoredRoute {
  /** The name in its alarms' ids and widget titles (`RouteCsvSummary`). */
  readonly name: string;
  readonly fn: lambda.IFunction;
  /** The `service` dimension of its metrics. */
  readonly service: string;
  readonly queue?: sqs.IQueue;
}

/** Builds the metrics the construct exposes and, in `Monitoring`, its alarms and dashboard. */
export class TapMetrics {
  constructor(private readonly environmentSuffix: string, private readonly queue: sqs.IQueue, private readonly api: apigw.RestApi) {}

  /** A metric published by one of the handlers (EMF), summed. */
  public handlerMetric(service: string, metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service, environment: this.environmentSuffix },
      statistic: cloudwatch.Stats.SUM,
      ...props,
    });
  }

  public deadLetterQueueMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  public apiRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.api.deploymentStage.metricCount({ statistic: cloudwatch.Stats.SUM, ...props });
  }

  public apiServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.api.deploymentStage.metricServerError({ statistic: cloudwatch.Stats.SUM, ...props });
  }

  public apiClientErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.api.deploymentStage.metricClientError({ statistic: cloudwatch.Stats.SUM, ...props });
  }

  public apiLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.api.deploymentStage.metricLatency({ statistic: cloudwatch.Stats.p(99), ...props });
  }

  /** Read and write throttle events of the table and of each listing index, summed. */
  public tableThrottleEvents(table: dynamodb.ITable, props: { period?: Duration } = {}): cloudwatch.MathExpression {
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    const scopes: Array<[string, Record<string, string>]> = [
      ['t', { TableName: table.tableName }],
      ...[INDEX_BY_TIME, INDEX_BY_TYPE].map((index, i): [string, Record<string, string>] =>
        [`i${i}`, { TableName: table.tableName, GlobalSecondaryIndexName: index }]),
    ];
    for (const [id, dimensionsMap] of scopes) {
      for (const [kind, metricName] of [['r', 'ReadThrottleEvents'], ['w', 'WriteThrottleEvents']]) {
        usingMetrics[`${kind}${id}`] = new cloudwatch.Metric({
          namespace: 'AWS/DynamoDB', metricName, dimensionsMap, statistic: cloudwatch.Stats.SUM, period: props.period,
        });
      }
    }
    return new cloudwatch.MathExpression({
      // Throttle metrics are published only when non-zero: fill the gaps, or the sum would be empty.
      expression: Object.keys(usingMetrics).map((id) => `FILL(${id}, 0)`).join(' + '),
      usingMetrics,
      period: props.period,
      label: 'Throttled requests (table and indexes)',
    });
  }
}

/** The construct's alarms and dashboard. */
export class Monitoring extends Construct {
  public readonly alarms: cloudwatch.Alarm[] = [];
  public readonly dashboard?: cloudwatch.Dashboard;

  private readonly table: dynamodb.ITable;

  constructor(scope: Construct, id: string, props: MonitoringProps, metrics: TapMetrics) {
    super(scope, id);
    this.table = props.table;
    const o = props.settings.alarms;
    const period = o.period;
    // The S3 functions first: the image processor, the data validator, then each route's dispatcher.
    const s3Functions: Array<[string, lambda.IFunction, string]> = [
      ['ImageProcessor', props.imageProcessor, SERVICE_NAME.IMAGE_PROCESSOR],
      ['DataValidator', props.dataValidator, SERVICE_NAME.DATA_VALIDATOR],
      ...(props.routes ?? []).map((route): [string, lambda.IFunction, string] => [route.name, route.fn, route.service]),
    ];
    const functions: Array<[string, lambda.IFunction, string]> = [
      ...s3Functions,
      ['NotificationHandler', props.notificationHandler, SERVICE_NAME.NOTIFICATION_HANDLER],
      ['NotificationExport', props.notificationExport, SERVICE_NAME.NOTIFICATION_EXPORT],
      ['FailureRecorder', props.failureRecorder, SERVICE_NAME.FAILURE_RECORDER],
    ];
    const env = props.environmentSuffix;

    const alarm = (alarmId: string, metric: cloudwatch.IMetric, threshold: number, description: string) => {
      const a = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `TapServerless (${env}): ${description}`,
      });
      if (props.settings.alarmTopic) {
        a.addAlarmAction(new cw_actions.SnsAction(props.settings.alarmTopic));
        a.addOkAction(new cw_actions.SnsAction(props.settings.alarmTopic));
      }
      this.alarms.push(a);
      return a;
    };

    for (const [name, fn] of functions) {
      alarm(`${name}Errors`, fn.metricErrors({ period, statistic: cloudwatch.Stats.SUM }), o.functionErrors, name === 'FailureRecorder'
        ? 'the failure recorder could not record or forward failed events: they stay in its intake queue and, after 5 receives, reach the '
          + 'dead-letter queue without their <kind>.failed outcome. Check its logs.'
        : `${name} invocations failed. S3 events are retried and then sent to the dead-letter queue; check the function's logs.`);
      alarm(`${name}Throttles`, fn.metricThrottles({ period, statistic: cloudwatch.Stats.SUM }), o.functionThrottles,
        name === 'NotificationExport'
          ? 'exports were refused: more GET /notifications/export calls ran at once than apiExportMaxConcurrency allows. '
            + 'Callers retry later; raise apiExportMaxConcurrency if this is the normal load.'
          : `${name} invocations were throttled. Raise reserved concurrency or the account's concurrency limit.`);
    }
    alarm('DeadLetterQueueMessages', metrics.deadLetterQueueMessages({ period: Duration.minutes(1) }), o.deadLetterQueueMessages,
      'events failed every retry and are waiting in the dead-letter queue. Fix the cause, then redrive them (npx cdk-tap-serverless redrive).');
    alarm('ApiServerErrorRate', new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { errors: metrics.apiServerErrors({ period }), requests: metrics.apiRequests({ period }) },
      period,
      label: 'API 5XX rate (%)',
    }), o.apiServerErrorRatePercent, 'the API answers too many requests with 5XX. Check the notification handler\'s logs and the table.');
    alarm('ApiLatencyP99', metrics.apiLatency({ period }), o.apiLatencyP99.toMilliseconds(),
      'the API\'s p99 latency is high. Check the notification handler\'s duration and DynamoDB throttling.');
    for (const [name, , service] of s3Functions) {
      alarm(`${name}RejectionRate`, new cloudwatch.MathExpression({
        expression: 'IF(received > 0, 100 * rejected / received, 0)',
        usingMetrics: {
          rejected: metrics.handlerMetric(service, S3_METRICS.REJECTED, { period }),
          received: metrics.handlerMetric(service, S3_METRICS.RECEIVED, { period }),
        },
        period,
        label: `${name} rejection rate (%)`,
      }), o.rejectionRatePercent, `many uploads to ${name} are rejected as bad input. Read the *.rejected notifications for the reasons.`);
    }

    for (const [name, fn] of s3Functions) {
      alarm(`${name}AsyncEventAge`, fn.metric('AsyncEventAge', { period, statistic: cloudwatch.Stats.MAXIMUM }),
        o.asyncEventAge.toMilliseconds(),
        `uploads wait long in ${name}'s asynchronous queue: they arrive faster than its concurrency processes them. ` +
        'Raise its reserved concurrency or the account\'s concurrency limit.');
      alarm(`${name}AsyncEventsDropped`, fn.metric('AsyncEventsDropped', { period, statistic: cloudwatch.Stats.SUM }), o.asyncEventsDropped,
        `${name} dropped asynchronous events (too old, or out of retries); they are in the dead-letter queue. ` +
        'Fix the cause, then redrive them (npx cdk-tap-serverless redrive).');
    }
    for (const [name, queue] of [...props.queues ?? [], ...(props.routes ?? []).map((r): [string, sqs.IQueue | undefined] => [r.name, r.queue])]) {
      if (!queue) continue;
      alarm(`${name}QueueMessageAge`, queue.metricApproximateAgeOfOldestMessage({ period, statistic: cloudwatch.Stats.MAXIMUM }),
        o.asyncEventAge.toSeconds(),
        `uploads wait long in ${name}'s queue: they arrive faster than its concurrency (maxConcurrency) processes them. ` +
        'Raise maxConcurrency, the function\'s reserved concurrency or the account\'s concurrency limit.');
    }
    alarm('TableThrottledRequests', metrics.tableThrottleEvents(props.table, { period }), o.tableThrottledRequests,
      'DynamoDB throttled reads or writes of the notifications table or its listing indexes. Sustained throttling means outcomes ' +
      'arrive faster than an index partition takes: raise tableIndexShards (see docs/capacity-and-cost.md).');

    for (const objective of props.objectives ?? []) {
      alarm(`Api${objective.name}BurnRate`, objective.burnRate, props.burnRateAlarmThreshold ?? 1,
        `${objective.description}: its 60-minute and 5-minute burn rates are both at or above ${props.burnRateAlarmThreshold}. ` +
        `At this rate the objective is missed before the window ends; see the SLO ${objective.slo.name} in CloudWatch Application Signals.`);
    }

    if (props.settings.dashboard) {
      this.dashboard = this.createDashboard(functions, s3Functions, metrics);
      if (props.objectives && props.objectives.length > 0) {
        this.dashboard.addWidgets(new cloudwatch.GraphWidget({
          title: 'API service-level objectives: burn rate (min of 60 and 5 min)',
          left: props.objectives.map((objective) => objective.burnRate),
          leftAnnotations: [{ value: props.burnRateAlarmThreshold ?? 1, label: 'alarm' }, { value: 1, label: 'budget spent exactly over the window' }],
          width: 24,
        }));
      }
    }
  }

  private createDashboard(
    functions: Array<[string, lambda.IFunction, string]>, s3Functions: Array<[string, lambda.IFunction, string]>, metrics: TapMetrics,
  ): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
    for (const [name, fn] of functions) {
      dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: `${name}: invocations, errors, throttles`,
          left: [fn.metricInvocations({ statistic: 'Sum' }), fn.metricErrors({ statistic: 'Sum' }), fn.metricThrottles({ statistic: 'Sum' })],
          width: 12,
        }),
        new cloudwatch.GraphWidget({
          title: `${name}: duration`,
          left: [fn.metricDuration({ statistic: 'p50' }), fn.metricDuration({ statistic: 'p99' })],
          width: 12,
        }),
      );
    }
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Dead-letter queue: messages waiting', left: [metrics.deadLetterQueueMessages()], width: 8 }),
      new cloudwatch.GraphWidget({
        title: 'API: requests, 4XX, 5XX',
        left: [metrics.apiRequests(), metrics.apiClientErrors(), metrics.apiServerErrors()],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'API: latency',
        left: [metrics.apiLatency({ statistic: 'p50' }), metrics.apiLatency()],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'S3 functions: oldest event waiting (async queue)',
        left: s3Functions.map(([name, fn]) => fn.metric('AsyncEventAge', { statistic: cloudwatch.Stats.MAXIMUM, label: name })),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Notifications table: throttled requests (table and indexes)',
        left: [metrics.tableThrottleEvents(this.table)],
        width: 12,
      }),
    );
    const business = (service: string, names: string[]) => names.map((n) => metrics.handlerMetric(service, n, { label: n }));
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Images: processed, rejected, skipped, failed',
        left: business(SERVICE_NAME.IMAGE_PROCESSOR, [S3_METRICS.PROCESSED, S3_METRICS.REJECTED, S3_METRICS.SKIPPED, S3_METRICS.FAILED]),
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Data files: processed, rejected, skipped, failed',
        left: business(SERVICE_NAME.DATA_VALIDATOR, [S3_METRICS.PROCESSED, S3_METRICS.REJECTED, S3_METRICS.SKIPPED, S3_METRICS.FAILED]),
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Notifications created through the API',
        left: business(SERVICE_NAME.NOTIFICATION_HANDLER, [API_METRICS.CREATED]),
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Export: notifications exported, incomplete exports',
        left: business(SERVICE_NAME.NOTIFICATION_EXPORT, [EXPORT_METRICS.EXPORTED]),
        right: business(SERVICE_NAME.NOTIFICATION_EXPORT, [EXPORT_METRICS.INCOMPLETE]),
        width: 6,
      }),
    );
    // The failed outcomes recorded, then a widget of outcomes per route (its invocations and duration are in its function's rows above).
    const routeWidgets = [new cloudwatch.GraphWidget({
      title: 'Failed events: objects recorded as <kind>.failed, events forwarded to the dead-letter queue',
      left: business(SERVICE_NAME.FAILURE_RECORDER, [FAILURE_METRICS.RECORDED, FAILURE_METRICS.FORWARDED]),
      width: 6,
    }), ...s3Functions.slice(2).map(([name, , service]) => new cloudwatch.GraphWidget({
      title: `${name}: processed, rejected, skipped, failed, duplicates`,
      left: business(service, [S3_METRICS.PROCESSED, S3_METRICS.REJECTED, S3_METRICS.SKIPPED, S3_METRICS.FAILED, S3_METRICS.DUPLICATES]),
      width: 6,
    }))];
    for (let i = 0; i < routeWidgets.length; i += 4) {
      dashboard.addWidgets(...routeWidgets.slice(i, i + 4));
    }
    return dashboard;
  }
}
