import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ApiSettings } from './api-settings';
import { bundledFunctionCode, FUNCTION_ASSETS } from '../construct/assets';
import { createTapFunction, FunctionContext } from '../construct/function-factory';
import { suppressCheckov, suppressNag } from '../construct/nag';
import { ENV } from '../contract/env-names';
import { SERVICE_NAME } from '../contract/metric-names';
import { INDEX_BY_TIME, INDEX_BY_TYPE } from '../contract/notifications-model';

/** The notification handler: the function behind `/notifications` (Lambda proxy integration). */
export function createNotificationHandler(
  scope: Construct, api: ApiSettings, ctx: FunctionContext, routeNames: readonly string[] = [],
): lambda.Function {
  const { settings } = ctx;
  const origins = api.corsAllowedOrigins;
  const fn = createTapFunction(scope, {
    id: 'NotificationHandler',
    description: 'TapServerless: serves the /notifications API',
    serviceName: SERVICE_NAME.NOTIFICATION_HANDLER,
    code: bundledFunctionCode(scope, FUNCTION_ASSETS.NOTIFICATION_HANDLER),
    settings: settings.functions.notificationHandler,
    environment: {
      ...(origins ? { [ENV.CORS_ORIGINS]: origins.join(',') } : {}),
      // POST /notifications refuses the routes' namespaces as it does image.* and data.*.
      ...(routeNames.length > 0 ? { [ENV.ROUTE_NAMESPACES]: routeNames.join(',') } : {}),
    },
    queriedIndexes: [INDEX_BY_TIME, INDEX_BY_TYPE],
  }, ctx);
  const reason = 'Invoked synchronously by API Gateway: a failure is returned to the caller, there is no event to dead-letter.';
  suppressNag(fn, [{ id: 'Serverless-LambdaDLQ', reason }]);
  suppressCheckov(fn, [{ id: 'CKV_AWS_116', comment: reason }]);
  return fn;
}
