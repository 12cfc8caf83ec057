import { Duration, Names, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { ApiAuthorization, ApiAuthorizationType } from './api-authorization';
import { ApiSettings } from './api-settings';
import { LOG_GROUP_KMS_SKIP, suppressCheckov, suppressNag } from '../construct/nag';
import { PipelineSettings } from '../construct/settings';
import { CREATE_NOTIFICATION_SCHEMA, EXPORT_MAX_SECONDS, EXPORT_PARAMETERS } from '../contract/notifications-model';


/** The REST API and what comes with it. */
export interface NotificationsApi {
  readonly api: apigw.RestApi;
  readonly apiKey?: apigw.IApiKey;
  readonly accessLogGroup?: logs.LogGroup;
}

/**
 * The notifications REST API: `/notifications` (GET, POST) and `/notifications/{id}` (GET) on the
 * notification handler, `/notifications/export` (GET, streamed) on the export function, `/status`
 * as a MOCK integration. Its constructs are children of `scope`
 * (the TapServerless), so their ids are those of the construct's public contract.
 */
/** Requests per second of GET /notifications/export (at most the stage's rate). */
const EXPORT_RATE_LIMIT = 1;

export function createNotificationsApi(
  scope: Construct,
  tap: PipelineSettings,
  settings: ApiSettings,
  handler: lambda.IFunction,
  notificationExport: lambda.IFunction,
): NotificationsApi {
  const { authorization, throttlingRateLimit: rate, throttlingBurstLimit: burst, cloudWatchRole } = settings;
  const accessLogGroup = settings.accessLogging
    ? new logs.LogGroup(scope, 'ApiAccessLogGroup', { retention: tap.logRetention, removalPolicy: tap.removalPolicy })
    : undefined;
  if (accessLogGroup) suppressCheckov(accessLogGroup, [LOG_GROUP_KMS_SKIP]);

  const loggingLevel = cloudWatchRole ? apigw.MethodLoggingLevel.ERROR : apigw.MethodLoggingLevel.OFF;
  const api = new apigw.RestApi(scope, 'Api', {
    // Unique in the account and region (stack, construct path, suffix): the alarms and the dashboard
    // select the API's metrics by this name.
    restApiName: apiName(scope, tap.environmentSuffix),
    description: `TapServerless notifications API (${tap.environmentSuffix})`,
    endpointTypes: [apigw.EndpointType.REGIONAL],
    // The account-level logging role is shared by every TapServerless of the stack (apiGatewayAccount).
    cloudWatchRole: false,
    deployOptions: {
      stageName: tap.environmentSuffix,
      throttlingRateLimit: rate,
      throttlingBurstLimit: burst,
      tracingEnabled: tap.tracing,
      metricsEnabled: true,
      loggingLevel,
      dataTraceEnabled: false,
      // Each export holds an execution for up to 15 minutes: its method gets 1 request per second,
      // with a burst of the exports that may run at once (the stage's settings otherwise).
      methodOptions: {
        '/notifications/export/GET': {
          throttlingRateLimit: Math.min(EXPORT_RATE_LIMIT, rate),
          throttlingBurstLimit: Math.min(settings.exportMaxConcurrency, burst),
          metricsEnabled: true,
          loggingLevel,
          dataTraceEnabled: false,
        },
      },
      accessLogDestination: accessLogGroup ? new apigw.LogGroupLogDestination(accessLogGroup) : undefined,
      accessLogFormat: accessLogGroup ? apigw.AccessLogFormat.jsonWithStandardFields({
        caller: true,
        httpMethod: true,
        ip: true,
        protocol: true,
        requestTime: true,
        resourcePath: true,
        responseLength: true,
        status: true,
        user: true,
      }) : undefined,
    },
  });
  if (cloudWatchRole) {
    // Execution logs need the account's logging role in place before the stage is created.
    api.deploymentStage.node.addDependency(apiGatewayAccount(scope, tap.tags));
  }
  suppressCheckov(api.deploymentStage, [{
    id: 'CKV_AWS_120',
    comment: 'No cache: notifications change with every upload and POST, and /status must show the current time; a cache would ' +
      'serve stale answers and is billed by the hour.',
  }]);
  suppressNag(api.deploymentStage, [{
    id: 'AwsSolutions-APIG3',
    reason: 'A WAF web ACL is an account-level choice (rules, cost); associate one with the stage (api.deploymentStage.stageArn) if needed.',
  }]);

  const validator = api.addRequestValidator('RequestValidator', {
    validateRequestBody: true,
    validateRequestParameters: true,
  });
  const { methodOptions, apiKey } = bindAuthorization(scope, tap.environmentSuffix, authorization, api, rate, burst);
  const integration = new apigw.LambdaIntegration(handler, { proxy: true, scopePermissionToMethod: false });

  const notifications = api.root.addResource('notifications');
  const byId = notifications.addResource('{id}');
  // A static segment: API Gateway matches it before `{id}`.
  const exportResource = notifications.addResource('export');
  if (settings.corsAllowedOrigins) {
    const cors: apigw.CorsOptions = {
      allowOrigins: settings.corsAllowedOrigins,
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: [...apigw.Cors.DEFAULT_HEADERS, 'X-Amz-Content-Sha256'],
      maxAge: Duration.hours(1),
    };
    for (const resource of [notifications, byId, exportResource]) {
      resource.addCorsPreflight(cors);
      suppressPublicMethod(resource.node.findChild('OPTIONS'), 'CORS preflight requests carry no credentials by design (Fetch standard).');
    }
  }

  const model = api.addModel('CreateNotificationModel', {
    contentType: 'application/json',
    modelName: 'CreateNotification',
    description: 'Body of POST /notifications',
    schema: toApiGatewaySchema(CREATE_NOTIFICATION_SCHEMA),
  });
  const list = notifications.addMethod('GET', integration, {
    ...methodOptions,
    requestValidator: validator,
    requestParameters: {
      'method.request.querystring.limit': false,
      'method.request.querystring.nextToken': false,
      'method.request.querystring.type': false,
    },
  });
  const create = notifications.addMethod('POST', integration, {
    ...methodOptions,
    requestValidator: validator,
    requestModels: { 'application/json': model },
  });
  const get = byId.addMethod('GET', integration, {
    ...methodOptions,
    requestValidator: validator,
    requestParameters: { 'method.request.path.id': true },
  });
  // Response streaming: API Gateway invokes the function with InvokeWithResponseStream and passes the
  // body on as it comes, past the 10 MB and 29 s limits of buffered responses, for up to 15 minutes.
  const exportIntegration = new apigw.LambdaIntegration(notificationExport, {
    proxy: true,
    scopePermissionToMethod: false,
    responseTransferMode: apigw.ResponseTransferMode.STREAM,
    timeout: Duration.seconds(EXPORT_MAX_SECONDS),
  });
  const exportMethod = exportResource.addMethod('GET', exportIntegration, {
    ...methodOptions,
    requestValidator: validator,
    requestParameters: Object.fromEntries(EXPORT_PARAMETERS.map((name) => [`method.request.querystring.${name}`, false])),
  });
  for (const method of [list, create, get, exportMethod]) {
    suppressAuthorizedMethod(method, authorization);
  }

  const status = api.root.addResource('status');
  const statusMethod = status.addMethod('GET', new apigw.MockIntegration({
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    passthroughBehavior: apigw.PassthroughBehavior.NEVER,
    integrationResponses: [{
      statusCode: '200',
      responseParameters: { 'method.response.header.Cache-Control': "'no-store'" },
      responseTemplates: {
        'application/json': JSON.stringify({
          status: 'healthy',
          timestamp: '$context.requestTime',
          environment: tap.environmentSuffix,
        }),
      },
    }],
  }), {
    authorizationType: apigw.AuthorizationType.NONE,
    methodResponses: [{
      statusCode: '200',
      responseModels: { 'application/json': apigw.Model.EMPTY_MODEL },
      responseParameters: { 'method.response.header.Cache-Control': true },
    }],
  });
  suppressPublicMethod(statusMethod, 'A health check for load balancers and monitors: it reveals only "healthy", the time and the environment name.');

  return { api, apiKey, accessLogGroup };
}

function bindAuthorization(
  scope: Construct,
  environmentSuffix: string,
  authorization: ApiAuthorization,
  api: apigw.RestApi,
  rate: number,
  burst: number,
): { methodOptions: apigw.MethodOptions; apiKey?: apigw.IApiKey } {
  switch (authorization.type) {
    case ApiAuthorizationType.IAM:
      return { methodOptions: { authorizationType: apigw.AuthorizationType.IAM } };
    case ApiAuthorizationType.NONE:
      return { methodOptions: { authorizationType: apigw.AuthorizationType.NONE } };
    case ApiAuthorizationType.COGNITO: {
      const authorizer = new apigw.CognitoUserPoolsAuthorizer(scope, 'CognitoAuthorizer', {
        cognitoUserPools: authorization.userPools,
      });
      return {
        methodOptions: {
          authorizationType: apigw.AuthorizationType.COGNITO,
          authorizer,
          authorizationScopes: authorization.scopes.length > 0 ? authorization.scopes : undefined,
        },
      };
    }
    case ApiAuthorizationType.API_KEY: {
      const apiKey = api.addApiKey('ApiKey', { description: `TapServerless notifications API key (${environmentSuffix})` });
      const plan = api.addUsagePlan('UsagePlan', {
        description: `TapServerless notifications API (${environmentSuffix})`,
        throttle: { rateLimit: rate, burstLimit: burst },
        apiStages: [{ api, stage: api.deploymentStage }],
      });
      plan.addApiKey(apiKey);
      return { methodOptions: { authorizationType: apigw.AuthorizationType.NONE, apiKeyRequired: true }, apiKey };
    }
  }
}

function suppressAuthorizedMethod(method: apigw.Method, authorization: ApiAuthorization): void {
  switch (authorization.type) {
    case ApiAuthorizationType.IAM:
      suppressNag(method, [{ id: 'AwsSolutions-COG4', reason: 'The method uses AWS IAM (SigV4) authorization instead of Cognito.' }]);
      break;
    case ApiAuthorizationType.API_KEY:
      suppressNag(method, [
        { id: 'AwsSolutions-APIG4', reason: 'The user chose API key authorization (ApiAuthorization.apiKey()).' },
        { id: 'AwsSolutions-COG4', reason: 'The user chose API key authorization (ApiAuthorization.apiKey()).' },
      ]);
      break;
    // ApiAuthorization.none() is left to cdk-nag to report: a risky choice stays visible.
    case ApiAuthorizationType.NONE:
    case ApiAuthorizationType.COGNITO:
      break;
  }
}

function suppressPublicMethod(method: IConstruct, reason: string): void {
  suppressCheckov(method, [{ id: 'CKV_AWS_59', comment: reason }]);
  suppressNag(method, [
    { id: 'AwsSolutions-APIG4', reason },
    { id: 'AwsSolutions-COG4', reason },
  ]);
}

type SchemaNode = { readonly [key: string]: unknown };

/** Converts the shared (plain JSON) draft-04 schema to the API Gateway model schema type. */
function toApiGatewaySchema(node: SchemaNode, root = true): apigw.JsonSchema {
  const typeMap: Record<string, apigw.JsonSchemaType> = {
    object: apigw.JsonSchemaType.OBJECT,
    string: apigw.JsonSchemaType.STRING,
    number: apigw.JsonSchemaType.NUMBER,
    integer: apigw.JsonSchemaType.INTEGER,
    boolean: apigw.JsonSchemaType.BOOLEAN,
    array: apigw.JsonSchemaType.ARRAY,
  };
  const out: Record<string, unknown> = {};
  if (root) out.schema = apigw.JsonSchemaVersion.DRAFT4;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'type') {
      out.type = typeMap[value as string];
    } else if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, SchemaNode>)
        .map(([name, child]) => [name, toApiGatewaySchema(child, false)]));
    } else {
      out[key] = value;
    }
  }
  return out as apigw.JsonSchema;
}

/** The RestApi's name: `<stack>-<construct path>-<suffix>`, with a hash when the path is long (unique in the account and region). */
function apiName(scope: Construct, environmentSuffix: string): string {
  return `${Names.uniqueResourceName(scope, { maxLength: 200, separator: '-' })}-Api-${environmentSuffix}`;
}

/** Id, in the stack, of the API Gateway account setting shared by every TapServerless of the stack. */
const ACCOUNT_ID = 'TapServerlessApiGatewayAccount';

/**
 * The region's API Gateway account setting (`AWS::ApiGateway::Account`) and the role it names, which let
 * API Gateway write execution and access logs to CloudWatch. One per stack, however many TapServerless
 * it holds, and always retained: the setting is account-wide, and deleting it (or its role) with a
 * stack would break the logging of every other API in the region.
 */
function apiGatewayAccount(scope: Construct, tags: Readonly<Record<string, string>>): apigw.CfnAccount {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(ACCOUNT_ID);
  if (existing) {
    return existing.node.findChild('Account') as apigw.CfnAccount;
  }
  const holder = new Construct(stack, ACCOUNT_ID);
  // Outside the construct, so not reached by its tags: tagged as the first TapServerless of the stack.
  for (const [key, value] of Object.entries(tags)) {
    Tags.of(holder).add(key, value);
  }
  const role = new iam.Role(holder, 'CloudWatchRole', {
    assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
    description: 'Lets API Gateway write the logs of this account\'s APIs to CloudWatch (created by TapServerless, retained)',
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
  });
  role.applyRemovalPolicy(RemovalPolicy.RETAIN);
  suppressNag(role, [{
    id: 'AwsSolutions-IAM4',
    reason: 'AmazonAPIGatewayPushToCloudWatchLogs is the AWS-managed policy API Gateway documents for its account-level logging role.',
    appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs'],
  }]);
  const account = new apigw.CfnAccount(holder, 'Account', { cloudWatchRoleArn: role.roleArn });
  account.applyRemovalPolicy(RemovalPolicy.RETAIN);
  account.node.addDependency(role);
  return account;
}
