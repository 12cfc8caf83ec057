import { CfnResource, Stack, Tags } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import { hasNagSuppression, helperFunctionSkips, LOG_GROUP_KMS_SKIP, suppressCheckov, suppressNag } from './nag';
import { TapSettings } from './settings';

/** Invokes `fn` (asynchronously) for every object created under `prefix` of `bucket`. */
export function addS3Trigger(scope: Construct, bucket: s3.IBucket, fn: lambda.IFunction, prefix: string, settings: TapSettings): void {
  bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(fn), { prefix });
  configureBucketNotificationsHandler(scope, settings);
}

/**
 * aws-cdk-lib's stack-wide function that writes the bucket's notification configuration (at deployment):
 * its logs go to a log group with the construct's retention (it would otherwise create one that never
 * expires), and its cdk-nag and checkov findings are explained. Once per stack, by the first trigger.
 */
function configureBucketNotificationsHandler(scope: Construct, settings: TapSettings): void {
  const stack = Stack.of(scope);
  const handler = stack.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
  const role = handler?.node.tryFindChild('Role');
  // Several triggers (and TapServerless constructs) in one stack share the handler: configure once.
  if (!role || hasNagSuppression(role, 'AwsSolutions-IAM4')) return;
  const logGroup = new logs.LogGroup(stack, 'TapServerlessBucketNotificationsHandlerLogs', {
    retention: settings.logRetention,
    removalPolicy: settings.removalPolicy,
  });
  suppressCheckov(logGroup, [LOG_GROUP_KMS_SKIP]);
  // Outside the construct, so not reached by its tags: tagged as the first TapServerless of the stack.
  for (const [key, value] of Object.entries(settings.tags)) {
    Tags.of(logGroup).add(key, value);
  }
  // Its role has AWSLambdaBasicExecutionRole, which lets it write to any log group.
  (handler!.node.defaultChild as CfnResource).addPropertyOverride('LoggingConfig', { LogGroup: logGroup.logGroupName });
  suppressCheckov(handler!, helperFunctionSkips('aws-cdk-lib\'s BucketNotificationsHandler, which writes the bucket\'s notification configuration'));
  suppressNag(role, [{
    id: 'AwsSolutions-IAM4',
    reason: 'aws-cdk-lib\'s BucketNotificationsHandler (configures S3 event notifications) uses AWSLambdaBasicExecutionRole for its logs.',
    appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
  }]);
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy) {
    suppressNag(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'aws-cdk-lib\'s BucketNotificationsHandler needs s3:PutBucketNotification, which it is granted on "*".',
      appliesTo: ['Resource::*'],
    }]);
  }
}
