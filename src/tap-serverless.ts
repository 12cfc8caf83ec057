import { Stack, Tags } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as applicationsignals from 'aws-cdk-lib/aws-applicationsignals';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FunctionContext } from './construct/function-factory';
import { Monitoring, TapMetrics } from './construct/monitoring';
import { outcomeEventBus, restrictToPipeline } from './construct/outcome-bus';
import { enableEventBridge } from './construct/s3-trigger';
import { resolvePipelineSettings } from './construct/settings';
import { checkSharedBucket } from './construct/shared-bucket';
import { createBucket, createDeadLetterQueue, createNotificationsTable } from './construct/storage';
import { API_METRICS, EXPORT_METRICS, S3_METRICS, SERVICE_NAME } from './contract/metric-names';
import { dataValidatorFingerprint, resolveDataSettings } from './data/data-settings';
import { createDataValidator } from './data/data-validator';
import { createFailureRecorder } from './failures/failure-recorder';
import { createImageProcessor } from './images/image-processor';
import { imageProcessorFingerprint, resolveImageSettings } from './images/image-settings';
import { resolveApiSettings } from './notifications/api-settings';
import { createApiObjectives } from './notifications/api-slos';
import { createNotificationExport } from './notifications/notification-export';
import { createNotificationHandler } from './notifications/notification-handler';
import { createNotificationsApi } from './notifications/notifications-api';
import { createRouteDispatcher, routeConstructId, routeServiceName } from './routes/route-dispatcher';
import { resolveRouteSettings } from './routes/route-settings';
import { TapServerlessProps } from './tap-serverless-props';

/**
 * A serverless file-ingestion pipeline with a notifications API.
 *
 * Uploads under `images/` are turned into thumbnails, uploads under `data/` are
 * validated, and every outcome is recorded as a notification, readable through a
 * REST API. Failed events land in a dead-letter queue.
 */
export class TapServerless extends Construct {
  /** The ingestion bucket (created, or the `bucket`). */
  public readonly bucket: s3.IBucket;
  /** The function invoked for uploads under the images prefix. */
  public readonly imageProcessor: lambda.Function;
  /** The function invoked for uploads under the data prefix. */
  public readonly dataValidator: lambda.Function;
  /** The function behind `/notifications`. */
  public readonly notificationHandler: lambda.Function;
  /**
   * The function behind `GET /notifications/export`: streams notifications as NDJSON (Lambda
   * response streaming), for up to 15 minutes per request.
   */
  public readonly notificationExport: lambda.Function;
  /** The REST API. */
  public readonly api: apigw.RestApi;
  /** The URL of the API stage, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/dev/`. */
  public readonly apiUrl: string;
  /** The queue that receives events that failed every retry (created, or the `deadLetterQueue`). */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The notifications table. */
  public readonly notificationsTable: dynamodb.ITable;
  /**
   * The queue uploads under the images prefix wait in for the image processor.
   *
   * Conditional: only with `Ingestion.queue()`.
   */
  public readonly imageProcessorQueue?: sqs.IQueue;
  /**
   * The queue uploads under the data prefix wait in for the data validator.
   *
   * Conditional: only with `Ingestion.queue()`.
   */
  public readonly dataValidatorQueue?: sqs.IQueue;
  /**
   * The dispatcher function of each route (`routes`), by route name: it passes each object to the
   * route's function and records the outcome.
   */
  public readonly routeDispatchers: Record<string, lambda.Function>;
  /**
   * The queue of each route (`routes`), by route name.
   *
   * Conditional: only with `Ingestion.queue()`.
   */
  public readonly routeQueues?: Record<string, sqs.IQueue>;
  /**
   * The function that records the objects of every event that failed every attempt as
   * `<kind>.failed` (`image.failed`, `data.failed`, `<route>.failed`), then forwards the event to the
   * dead-letter queue.
   */
  public readonly failureRecorder: lambda.Function;
  /**
   * The queue the S3 functions' failed events go to first (their dead-letter target): the failure
   * recorder reads it and forwards every event to `deadLetterQueue`.
   */
  public readonly failureIntakeQueue: sqs.IQueue;
  /** The environment suffix in use. */
  public readonly environmentSuffix: string;
  /**
   * The API key callers must send.
   *
   * Conditional: only with `ApiAuthorization.apiKey()`.
   */
  public readonly apiKey?: apigw.IApiKey;
  /**
   * The log group of the API's access logs.
   *
   * Conditional: only when `apiAccessLogging` is true (the default).
   */
  public readonly apiAccessLogGroup?: logs.ILogGroup;

  /** The built-in alarms (see `alarmOptions`). */
  public readonly alarms: cloudwatch.IAlarm[];
  /**
   * The CloudWatch dashboard of the pipeline.
   *
   * Conditional: only when `dashboard` is true (the default).
   */
  public readonly dashboard?: cloudwatch.Dashboard;

  /**
   * The API's service-level objectives: availability, then latency.
   *
   * Conditional: only when `apiObjectives` is set.
   */
  public readonly serviceLevelObjectives?: applicationsignals.CfnServiceLevelObjective[];

  /**
   * The account's Application Signals discovery resource.
   *
   * Conditional: only when `applicationSignalsDiscovery` is true.
   */
  public readonly applicationSignalsDiscovery?: applicationsignals.CfnDiscovery;

  /**
   * The bus the outcomes are published to, for your rules: the construct's own with
   * `OutcomeEvents.dedicatedBus()`, else the bus `outcomeEvents` names.
   *
   * Conditional: only with `outcomeEvents`.
   */
  public readonly outcomeEventBus?: events.IEventBus;

  private readonly metrics: TapMetrics;

  constructor(scope: Construct, id: string, props: TapServerlessProps = {}) {
    super(scope, id);
    // Every default applied and every prop validated before anything is created.
    // The props resolved before anything is created: the shared settings, then each feature's own.
    const settings = resolvePipelineSettings(this, props);
    const imageSettings = resolveImageSettings(this, props, settings.functions.imageProcessor.memorySize);
    const dataSettings = resolveDataSettings(props);
    const apiSettings = resolveApiSettings(this, props);
    const routeSettings = resolveRouteSettings(props, settings);
    this.environmentSuffix = settings.environmentSuffix;

    this.bucket = settings.bucket.existing ?? createBucket(this, settings.bucket, settings.removalPolicy);
    this.deadLetterQueue = settings.reliability.deadLetterQueue ?? createDeadLetterQueue(this, settings.removalPolicy);
    const table = createNotificationsTable(this, settings.table, settings.removalPolicy);
    this.notificationsTable = table;

    const outcomeBus = settings.outcomeEvents ? outcomeEventBus(this, settings.outcomeEvents) : undefined;
    this.outcomeEventBus = outcomeBus;
    const functions: FunctionContext = { settings, table, deadLetterQueue: this.deadLetterQueue, outcomeBus };
    checkSharedBucket(this, this.bucket, settings);
    enableEventBridge(this, this.bucket, settings.bucket.existing === undefined, settings);
    // Every S3 function's failed events go to the failure recorder first, which records their objects and forwards them.
    const recorder = createFailureRecorder(this, functions, this.bucket, [
      { kind: 'image', prefix: settings.prefixes.imageInputPrefix, suffixes: [], fingerprint: imageProcessorFingerprint(imageSettings) },
      { kind: 'data', prefix: settings.prefixes.dataInputPrefix, suffixes: [], fingerprint: dataValidatorFingerprint(dataSettings) },
      ...routeSettings.map((route) => ({ kind: route.name, prefix: route.prefix, suffixes: route.suffixes, fingerprint: route.fingerprint })),
    ], props);
    this.failureRecorder = recorder.fn;
    this.failureIntakeQueue = recorder.intake;
    const s3Functions: FunctionContext = { ...functions, deadLetterQueue: recorder.intake, finalDeadLetterQueue: this.deadLetterQueue };
    const images = createImageProcessor(this, this.bucket, imageSettings, s3Functions);
    const data = createDataValidator(this, this.bucket, dataSettings, s3Functions);
    this.imageProcessor = images.fn;
    this.imageProcessorQueue = images.queue;
    this.dataValidator = data.fn;
    this.dataValidatorQueue = data.queue;
    const routes = routeSettings.map((route) => ({ route, ...createRouteDispatcher(this, this.bucket, route, s3Functions) }));
    this.routeDispatchers = Object.fromEntries(routes.map(({ route, fn }) => [route.name, fn]));
    const routeQueues = routes.filter(({ queue }) => queue !== undefined).map(({ route, queue }) => [route.name, queue!]);
    this.routeQueues = routeQueues.length > 0 ? Object.fromEntries(routeQueues) : undefined;
    if (outcomeBus instanceof events.EventBus && settings.outcomeEvents?.dedicated) {
      restrictToPipeline(outcomeBus, [images.fn.role!, data.fn.role!, ...routes.map(({ fn }) => fn.role!), recorder.fn.role!]);
    }
    this.notificationHandler = createNotificationHandler(this, apiSettings, functions, routeSettings.map((route) => route.name));
    this.notificationExport = createNotificationExport(this, apiSettings, functions);

    const { api, apiKey, accessLogGroup } = createNotificationsApi(this, settings, apiSettings, this.notificationHandler, this.notificationExport);
    this.api = api;
    this.apiUrl = api.url;
    this.apiKey = apiKey;
    this.apiAccessLogGroup = accessLogGroup;

    if (settings.applicationSignals?.discovery) {
      this.applicationSignalsDiscovery = new applicationsignals.CfnDiscovery(this, 'ApplicationSignalsDiscovery', {});
    }
    const objectives = apiSettings.objectives ? createApiObjectives(this, api, apiSettings.objectives, this.environmentSuffix) : undefined;
    this.serviceLevelObjectives = objectives?.map((objective) => objective.slo);

    this.metrics = new TapMetrics(this.environmentSuffix, this.deadLetterQueue, api);
    const monitoring = new Monitoring(this, 'Monitoring', {
      environmentSuffix: this.environmentSuffix,
      imageProcessor: this.imageProcessor,
      dataValidator: this.dataValidator,
      notificationHandler: this.notificationHandler,
      notificationExport: this.notificationExport,
      failureRecorder: recorder.fn,
      table,
      queues: [['ImageProcessor', images.queue], ['DataValidator', data.queue]],
      routes: routes.map(({ route, fn, queue }) => ({ name: routeConstructId(route.name), fn, service: routeServiceName(route.name), queue })),
      settings: settings.monitoring,
      objectives,
      burnRateAlarmThreshold: apiSettings.objectives?.burnRateAlarmThreshold,
    }, this.metrics);
    this.alarms = monitoring.alarms;
    this.dashboard = monitoring.dashboard;

    for (const [key, value] of Object.entries(settings.tags)) {
      Tags.of(this).add(key, value);
    }
  }

  /**
   * Grants `grantee` the right to read through the API, with IAM authorization (the default):
   * `execute-api:Invoke` on `GET /notifications`, `GET /notifications/{id}` and
   * `GET /notifications/export`. It does not allow `POST`: see `grantCreateNotifications`.
   */
  public grantReadNotifications(grantee: iam.IGrantable): iam.Grant {
    return this.grantApi(grantee, 'GET', ['/notifications', '/notifications/*']);
  }

  /**
   * Grants `grantee` the right to create notifications through the API (`POST /notifications`,
   * `execute-api:Invoke`), with IAM authorization (the default). The pipeline's own types
   * (`image.*`, `data.*`) stay refused. It does not allow reading: see `grantReadNotifications`.
   */
  public grantCreateNotifications(grantee: iam.IGrantable): iam.Grant {
    return this.grantApi(grantee, 'POST', ['/notifications']);
  }

  /**
   * Grants `grantee` what `npx cdk-tap-serverless redrive` needs: consume the dead-letter queue,
   * read the image and data functions' and the routes' dispatchers' configuration (their input
   * prefixes) and invoke them.
   */
  public grantRedrive(grantee: iam.IGrantable): iam.Grant {
    let grant = this.deadLetterQueue.grantConsumeMessages(grantee);
    for (const fn of [this.imageProcessor, this.dataValidator, ...Object.values(this.routeDispatchers)]) {
      grant = grant.combine(fn.grantInvoke(grantee)).combine(
        iam.Grant.addToPrincipal({ grantee, actions: ['lambda:GetFunctionConfiguration'], resourceArns: [fn.functionArn] }));
    }
    return grant;
  }

  /**
   * Grants `grantee` exactly what the operations commands need, `reconcile`, `reprocess` and
   * `redrive`, found from `--stack`: list this stack's resources, read the image and data
   * functions' configuration and invoke them, list the bucket (objects and versions) and read its
   * versioning state, read outcomes by key from the notifications table (BatchGetItem: no Scan, no
   * write), and consume the dead-letter queue. Reading an S3 Inventory report (`--inventory`)
   * needs `s3:GetObject` on the bucket that holds the report: grant it there.
   */
  public grantOperations(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    return this.grantRedrive(grantee)
      .combine(iam.Grant.addToPrincipal({
        grantee,
        actions: ['cloudformation:ListStackResources'],
        resourceArns: [stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stack.stackName}/*` })],
      }))
      .combine(iam.Grant.addToPrincipal({
        grantee,
        actions: ['s3:ListBucket', 's3:ListBucketVersions', 's3:GetBucketVersioning'],
        resourceArns: [this.bucket.bucketArn],
      }))
      .combine(iam.Grant.addToPrincipal({
        grantee,
        actions: ['dynamodb:BatchGetItem'],
        resourceArns: [this.notificationsTable.tableArn],
      }));
  }

  /**
   * Grants an S3 Batch Operations job's role (assumed by `batchoperations.s3.amazonaws.com`) the
   * right to invoke the image and data functions and the routes' dispatchers, so that a job can
   * backfill objects listed in an S3 Inventory manifest. The job's role also needs `s3:GetObject` on
   * the manifest and `s3:PutObject` where the completion report goes: grant those on the buckets that hold them.
   */
  public grantBatchOperations(grantee: iam.IGrantable): iam.Grant {
    let grant = this.imageProcessor.grantInvoke(grantee).combine(this.dataValidator.grantInvoke(grantee));
    for (const fn of Object.values(this.routeDispatchers)) {
      grant = grant.combine(fn.grantInvoke(grantee));
    }
    return grant;
  }

  /** Messages visible in the dead-letter queue (maximum): events waiting to be redriven. */
  public metricDeadLetterQueueMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.deadLetterQueueMessages(props);
  }

  /**
   * Read requests DynamoDB throttled on the notifications table (sum; the metric has data only
   * when there were some). The `TableThrottledRequests` alarm adds the listing indexes' and the
   * writes: `tap.notificationsTable.metricThrottledRequestsForOperations()` gives a sum of your own.
   */
  public metricTableReadThrottleEvents(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.notificationsTable.metric('ReadThrottleEvents', { statistic: cloudwatch.Stats.SUM, ...props });
  }

  /**
   * Write requests DynamoDB throttled on the notifications table (sum; the metric has data only
   * when there were some). A write that an index cannot take in time is throttled on the table.
   */
  public metricTableWriteThrottleEvents(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.notificationsTable.metric('WriteThrottleEvents', { statistic: cloudwatch.Stats.SUM, ...props });
  }

  /** Requests to the API stage (sum). */
  public metricApiRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.apiRequests(props);
  }

  /** API requests answered with a 5XX (sum). */
  public metricApiServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.apiServerErrors(props);
  }

  /** API requests answered with a 4XX (sum). */
  public metricApiClientErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.apiClientErrors(props);
  }

  /** API latency (p99). */
  public metricApiLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.apiLatency(props);
  }

  /** Images recorded with the image processor's outcome (sum). */
  public metricImagesProcessed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.handlerMetric(SERVICE_NAME.IMAGE_PROCESSOR, S3_METRICS.PROCESSED, props);
  }

  /** Images rejected as bad input (sum). */
  public metricImagesRejected(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.handlerMetric(SERVICE_NAME.IMAGE_PROCESSOR, S3_METRICS.REJECTED, props);
  }

  /** Data files recorded with the data validator's outcome (sum). */
  public metricDataFilesProcessed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.handlerMetric(SERVICE_NAME.DATA_VALIDATOR, S3_METRICS.PROCESSED, props);
  }

  /** Data files rejected as bad input (sum). */
  public metricDataFilesRejected(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.handlerMetric(SERVICE_NAME.DATA_VALIDATOR, S3_METRICS.REJECTED, props);
  }

  /** Images whose processing failed with a possibly transient error, to be retried (sum). */
  public metricImagesFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.handlerMetric(SERVICE_NAME.IMAGE_PROCESSOR, S3_METRICS.FAILED, props);
  }

  /** Data files whose validation failed with a possibly transient error, to be retried (sum). */
  public metricDataFilesFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.handlerMetric(SERVICE_NAME.DATA_VALIDATOR, S3_METRICS.FAILED, props);
  }

  /** Notifications created through `POST /notifications` (sum). */
  public metricNotificationsCreated(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.handlerMetric(SERVICE_NAME.NOTIFICATION_HANDLER, API_METRICS.CREATED, props);
  }

  /** Notifications written by `GET /notifications/export` (sum). */
  public metricNotificationsExported(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.handlerMetric(SERVICE_NAME.NOTIFICATION_EXPORT, EXPORT_METRICS.EXPORTED, props);
  }

  /**
   * Exports that stopped before the end of their range, at the time limit or on a read error (sum).
   * Their trailer says `complete: false` and where to resume; a client that closes the stream early
   * is not counted.
   */
  public metricIncompleteExports(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.handlerMetric(SERVICE_NAME.NOTIFICATION_EXPORT, EXPORT_METRICS.INCOMPLETE, props);
  }

  private grantApi(grantee: iam.IGrantable, method: string, paths: string[]): iam.Grant {
    const stage = this.api.deploymentStage.stageName;
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: paths.map((p) => this.api.arnForExecuteApi(method, p, stage)),
    });
  }
}
