import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ApiSettings } from './api-settings';
import { bundledFunctionCode, FUNCTION_ASSETS } from '../construct/assets';
import { createTapFunction, FunctionContext } from '../construct/function-factory';
import { suppressCheckov, suppressNag } from '../construct/nag';
import { ENV } from '../contract/env-names';
import { SERVICE_NAME } from '../contract/metric-names';
import { EXPORT_MAX_SECONDS, INDEX_BY_TIME, INDEX_BY_TYPE } from '../contract/notifications-model';

/**
 * The notification export: the function behind `GET /notifications/export` (Lambda response
 * streaming, so a function of its own: a streaming handler cannot serve buffered proxy requests).
 * It has the notification handler's settings (memory, architecture, VPC, layers, environment) but
 * its own timeout, {@link EXPORT_MAX_SECONDS}, and its own reserved concurrency,
 * `apiExportMaxConcurrency`: exports, each holding an execution for up to 15 minutes, can never take
 * the account's concurrency from ingestion. It only reads the table.
 */
export function createNotificationExport(scope: Construct, api: ApiSettings, ctx: FunctionContext): lambda.Function {
  const { settings } = ctx;
  const origins = api.corsAllowedOrigins;
  const fn = createTapFunction(scope, {
    id: 'NotificationExport',
    description: 'TapServerless: streams GET /notifications/export (NDJSON)',
    serviceName: SERVICE_NAME.NOTIFICATION_EXPORT,
    code: bundledFunctionCode(scope, FUNCTION_ASSETS.NOTIFICATION_EXPORT),
    settings: {
      ...settings.functions.notificationHandler,
      timeout: Duration.seconds(EXPORT_MAX_SECONDS),
      reservedConcurrentExecutions: api.exportMaxConcurrency,
    },
    environment: {
      [ENV.EXPORT_MAX_RANGE_SECONDS]: String(api.exportMaxRange.toSeconds()),
      ...(origins ? { [ENV.CORS_ORIGINS]: origins.join(',') } : {}),
    },
    queriedIndexes: [INDEX_BY_TIME, INDEX_BY_TYPE],
    readOnly: true,
  }, ctx);
  const reason = 'Invoked synchronously by API Gateway (response streaming): a failure is returned to the caller, there is no event to dead-letter.';
  suppressNag(fn, [{ id: 'Serverless-LambdaDLQ', reason }]);
  suppressCheckov(fn, [{ id: 'CKV_AWS_116', comment: reason }]);
  return fn;
}
