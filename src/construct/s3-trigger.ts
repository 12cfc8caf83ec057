import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import { hasNagSuppression, HELPER_FUNCTION_SKIPS, suppressCheckov, suppressNag } from './nag';

/** Invokes `fn` (asynchronously) for every object created under `prefix` of `bucket`. */
export function addS3Trigger(scope: Construct, bucket: s3.IBucket, fn: lambda.IFunction, prefix: string): void {
  bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(fn), { prefix });
  suppressBucketNotificationsHandler(scope);
}

/** The stack-wide singleton that configures S3 notifications is created by aws-cdk-lib. */
function suppressBucketNotificationsHandler(scope: Construct): void {
  const stack = Stack.of(scope);
  const handler = stack.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
  const role = handler?.node.tryFindChild('Role');
  // Several triggers (and TapServerless constructs) in one stack share the handler: suppress once.
  if (!role || hasNagSuppression(role, 'AwsSolutions-IAM4')) return;
  suppressCheckov(handler!, HELPER_FUNCTION_SKIPS('aws-cdk-lib\'s BucketNotificationsHandler, which writes the bucket\'s notification configuration'));
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
