import { Duration, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { ApiAuthorization, TapServerless, TapServerlessProps } from '../../src';
import { synth } from '../support/templates';

/** The CloudFormation properties of a method of the construct's API. */
function methodProps(stack: Stack, tap: TapServerless, path: string, verb = 'GET'): Record<string, any> {
  const method = tap.api.root.resourceForPath(path).node.findChild(verb) as apigw.Method;
  const id = stack.getLogicalId(method.node.defaultChild as apigw.CfnMethod);
  return stack.resolve((method.node.defaultChild as apigw.CfnMethod)._toCloudFormation()).Resources[id].Properties;
}

function exportFunctionId(stack: Stack, tap: TapServerless): string {
  return stack.getLogicalId(tap.notificationExport.node.defaultChild as any);
}

describe('GET /notifications/export', () => {
  test('is a Lambda proxy integration in STREAM mode, invoking the export function through response-streaming-invocations', () => {
    // GIVEN the default construct
    const { stack, tap } = synth();
    // WHEN
    const props = methodProps(stack, tap, '/notifications/export');
    // THEN
    const fnId = exportFunctionId(stack, tap);
    expect(props.Integration).toEqual({
      Type: 'AWS_PROXY',
      IntegrationHttpMethod: 'POST',
      ResponseTransferMode: 'STREAM',
      // 15 minutes: the longest API Gateway allows a streamed response (29 s for a buffered one).
      TimeoutInMillis: 900_000,
      Uri: {
        'Fn::Join': ['', [
          'arn:', { Ref: 'AWS::Partition' }, ':apigateway:eu-west-1:lambda:path/2021-11-15/functions/',
          { 'Fn::GetAtt': [fnId, 'Arn'] }, '/response-streaming-invocations',
        ]],
      },
    });
  });

  test('the function\'s timeout equals the integration\'s', () => {
    const { template, stack, tap } = synth();
    template.hasResourceProperties('AWS::Lambda::Function', Match.objectLike({ Timeout: 900, Handler: 'index.handler' }));
    const fn = template.toJSON().Resources[exportFunctionId(stack, tap)];
    expect(fn.Properties.Timeout * 1000).toBe(methodProps(stack, tap, '/notifications/export').Integration.TimeoutInMillis);
    expect(fn.Properties.Environment.Variables).toMatchObject({ TAP_TABLE_NAME: { Ref: expect.any(String) }, TAP_INDEX_SHARDS: '16' });
  });

  test('API Gateway may invoke the export function (lambda:InvokeFunction covers InvokeWithResponseStream)', () => {
    const { template, stack, tap } = synth();
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [exportFunctionId(stack, tap), 'Arn'] },
      Principal: 'apigateway.amazonaws.com',
    });
  });

  test('validates its optional query string parameters: type, since, until', () => {
    const { stack, tap } = synth();
    const props = methodProps(stack, tap, '/notifications/export');
    expect(props.RequestParameters).toEqual({
      'method.request.querystring.type': false,
      'method.request.querystring.since': false,
      'method.request.querystring.until': false,
    });
    expect(props.RequestValidatorId).toEqual(methodProps(stack, tap, '/notifications').RequestValidatorId);
  });

  test.each<[string, (stack: Stack) => TapServerlessProps]>([
    ['IAM (default)', () => ({})],
    ['API key', () => ({ apiAuthorization: ApiAuthorization.apiKey() })],
    ['Cognito', (stack) => ({
      apiAuthorization: ApiAuthorization.cognito([new cognito.UserPool(stack, 'Pool')], { scopes: ['notifications/read'] }),
    })],
    ['none', () => ({ apiAuthorization: ApiAuthorization.none() })],
  ])('has the same authorization as GET /notifications: %s', (_name, build) => {
    const { stack, tap } = synth(undefined, build);
    const auth = (p: Record<string, any>) => ({
      AuthorizationType: p.AuthorizationType,
      AuthorizerId: p.AuthorizerId,
      AuthorizationScopes: p.AuthorizationScopes,
      ApiKeyRequired: p.ApiKeyRequired,
    });
    const listing = auth(methodProps(stack, tap, '/notifications'));
    expect(auth(methodProps(stack, tap, '/notifications/export'))).toEqual(listing);
  });

  test('IAM authorization by default', () => {
    const { stack, tap } = synth();
    expect(methodProps(stack, tap, '/notifications/export').AuthorizationType).toBe('AWS_IAM');
  });

  test('gets a CORS preflight and the allowed origins when CORS is configured', () => {
    const { template, stack, tap } = synth({ apiCorsAllowedOrigins: ['https://app.example.com'] });
    expect(methodProps(stack, tap, '/notifications/export', 'OPTIONS').AuthorizationType).toBe('NONE');
    const fn = template.toJSON().Resources[exportFunctionId(stack, tap)];
    expect(fn.Properties.Environment.Variables.TAP_CORS_ORIGINS).toBe('https://app.example.com');
  });
});

describe('the export function', () => {
  test('has a least-privilege role: its log group, Query on the two listing indexes, BatchGetItem on the table, nothing else', () => {
    const { template, stack, tap } = synth({ tracing: false });
    const policies = Object.values<any>(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(stack.getLogicalId(tap.notificationExport.role!.node.defaultChild as any)));
    expect(policies).toHaveLength(1);
    const table = stack.getLogicalId(tap.notificationsTable.node.defaultChild as any);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^TapNotificationExportLogGroup/), 'Arn'] } },
      {
        Action: 'dynamodb:Query',
        Effect: 'Allow',
        Resource: ['byTime', 'byType'].map((index) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, `/index/${index}`]] })),
      },
      { Action: 'dynamodb:BatchGetItem', Effect: 'Allow', Resource: { 'Fn::GetAtt': [table, 'Arn'] } },
    ].map((statement) => expect.objectContaining(statement)));
    const role = template.toJSON().Resources[stack.getLogicalId(tap.notificationExport.role!.node.defaultChild as any)];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('has its own log group, and the notification handler keeps its own function and rights', () => {
    const { template, tap } = synth();
    expect(tap.notificationExport).not.toBe(tap.notificationHandler);
    expect(tap.notificationExport.node.id).toBe('NotificationExport');
    expect(tap.notificationExport.logGroup.node.id).toBe('NotificationExportLogGroup');
    // The buffered handler still writes (POST /notifications) and reads by id.
    const handlerPolicy = JSON.stringify(Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('NotificationHandlerRole')));
    expect(handlerPolicy).toContain('dynamodb:PutItem');
    expect(handlerPolicy).toContain('dynamodb:GetItem');
  });

  test('inherits the notification handler\'s memory and architecture, not its reserved concurrency: its own is apiExportMaxConcurrency (finding: the export starves the account)', () => {
    const { template, stack, tap } = synth({ notificationHandler: { memorySize: 1024, reservedConcurrentExecutions: 5 } });
    const fn = template.toJSON().Resources[exportFunctionId(stack, tap)];
    expect(fn.Properties.MemorySize).toBe(1024);
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(2);
    expect(fn.Properties.Environment.Variables.TAP_EXPORT_MAX_RANGE_SECONDS).toBe(String(31 * 86_400));
  });

  test('apiExportMaxConcurrency and apiExportMaxRange: the reserved concurrency, the method\'s burst, the range the function allows', () => {
    const { template, stack, tap } = synth({ apiExportMaxConcurrency: 5, apiExportMaxRange: Duration.days(7) });
    const fn = template.toJSON().Resources[exportFunctionId(stack, tap)];
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(5);
    expect(fn.Properties.Environment.Variables.TAP_EXPORT_MAX_RANGE_SECONDS).toBe(String(7 * 86_400));
    const [stage] = Object.values<any>(template.findResources('AWS::ApiGateway::Stage'));
    expect(stage.Properties.MethodSettings).toEqual(expect.arrayContaining([
      expect.objectContaining({ ResourcePath: '/~1notifications~1export', HttpMethod: 'GET', ThrottlingRateLimit: 1, ThrottlingBurstLimit: 5, MetricsEnabled: true }),
      expect.objectContaining({ ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }),
    ]));
    // No reserved-concurrency findings to suppress on it any more
    expect(JSON.stringify(fn.Metadata ?? {})).not.toContain('CKV_AWS_115');
  });

  test.each([
    [{ apiExportMaxConcurrency: 0 }, /invalid apiExportMaxConcurrency \(0\): it must be a whole number from 1 to 100/],
    [{ apiExportMaxConcurrency: 1.5 }, /invalid apiExportMaxConcurrency/],
    [{ apiExportMaxRange: Duration.minutes(30) }, /invalid apiExportMaxRange \("30 minutes"\): it must be from 1 hour to 366 days/],
    [{ apiExportMaxRange: Duration.days(400) }, /invalid apiExportMaxRange/],
  ])('%j fails at synth with the reason', (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  test('has error and throttle alarms and dashboard graphs, as the other functions do', () => {
    const { template, stack, tap } = synth();
    const fnId = exportFunctionId(stack, tap);
    for (const metricName of ['Errors', 'Throttles']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metricName,
        Namespace: 'AWS/Lambda',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
        AlarmDescription: Match.stringLikeRegexp(metricName === 'Errors'
          ? '^TapServerless \\(dev\\): NotificationExport invocations'
          : '^TapServerless \\(dev\\): exports were refused: more GET /notifications/export calls ran at once than apiExportMaxConcurrency'),
      });
    }
    const body = JSON.stringify(Object.values<any>(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    expect(body).toContain('NotificationExport: invocations, errors, throttles');
    expect(body).toContain('NotificationExport: duration');
  });
});
