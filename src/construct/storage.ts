import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULTS } from './defaults';
import { helperFunctionSkips, suppressCheckov, suppressNag } from './nag';
import { BucketSettings, TableSettings } from './settings';
import { ATTR, INDEX_BY_TIME, INDEX_BY_TYPE } from '../contract/notifications-model';

/**
 * The stateful resources TapServerless creates: the hardened bucket, the dead-letter queue and
 * the notifications table. Children of `scope` (the TapServerless), with the construct's ids.
 */

export function createBucket(scope: Construct, props: BucketSettings, removalPolicy: RemovalPolicy): s3.Bucket {
  const ia = props.transitionToInfrequentAccessAfter;
  const glacier = props.transitionToGlacierAfter;
  const noncurrent = props.noncurrentVersionExpiration;

  const destroy = removalPolicy === RemovalPolicy.DESTROY;
  const bucket = new s3.Bucket(scope, 'Bucket', {
    versioned: true,
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{
      id: 'tiering-and-noncurrent-expiration',
      transitions: [
        { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: ia },
        { storageClass: s3.StorageClass.GLACIER, transitionAfter: glacier },
      ],
      noncurrentVersionExpiration: noncurrent,
      abortIncompleteMultipartUploadAfter: DEFAULTS.abortIncompleteMultipartUploadAfter,
    }],
    removalPolicy: removalPolicy,
    autoDeleteObjects: destroy,
    ...props.bucketProps,
  });
  if (!props.bucketProps?.serverAccessLogsBucket && !props.bucketProps?.serverAccessLogsPrefix) {
    // Not a substitute: the construct keeps no record of who read or wrote an object. The README says so.
    const reason = 'Access logging is the user\'s choice: server access logs need a second bucket the user owns ' +
      '(bucketProps.serverAccessLogsBucket enables them); CloudTrail data events are the alternative. The construct creates neither.';
    suppressNag(bucket, [{ id: 'AwsSolutions-S1', reason }]);
    suppressCheckov(bucket, [{ id: 'CKV_AWS_18', comment: reason }]);
  }
  if (destroy) {
    // aws-cdk-lib's provider that empties the bucket on deletion (one per stack).
    const provider = Stack.of(scope).node.tryFindChild('Custom::S3AutoDeleteObjectsCustomResourceProvider');
    const handler = provider?.node.tryFindChild('Handler');
    if (handler) suppressCheckov(handler, helperFunctionSkips('aws-cdk-lib\'s auto-delete-objects provider, run by CloudFormation on stack deletion'));
  }
  return bucket;
}

export function createDeadLetterQueue(scope: Construct, removalPolicy: RemovalPolicy): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    retentionPeriod: DEFAULTS.deadLetterQueueRetention,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    removalPolicy: removalPolicy,
  });
  suppressCheckov(queue, [{
    id: 'CKV_AWS_27',
    comment: 'The queue is encrypted at rest with SQS-managed keys (SqsManagedSseEnabled); the check looks for a KMS key only.',
  }]);
  suppressNag(queue, [{
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself the dead-letter queue of the functions\' asynchronous invocations.',
  }, {
    id: 'Serverless-SQSRedrivePolicy',
    reason: 'This queue is itself the dead-letter queue: its messages are redriven to the functions by the redrive tool, not to another queue.',
  }]);
  return queue;
}

/**
 * Construct id of the notifications table. It was `NotificationsTable` while the listing indexes
 * had a constant partition key; the sharded indexes live in a new table, because DynamoDB changes
 * at most one global secondary index per update and both indexes changed keys.
 */
export const NOTIFICATIONS_TABLE_ID = 'Notifications';

export function createNotificationsTable(scope: Construct, settings: TableSettings, removalPolicy: RemovalPolicy): dynamodb.Table {
  const table = new dynamodb.Table(scope, NOTIFICATIONS_TABLE_ID, {
    partitionKey: { name: ATTR.ID, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: settings.retention ? ATTR.EXPIRES_AT : undefined,
    warmThroughput: settings.warmThroughput,
    removalPolicy: removalPolicy,
    // A retained table is also protected from a DeleteTable outside CloudFormation (a console click,
    // a script); RemovalPolicy.DESTROY means the table may go, with the stack.
    deletionProtection: removalPolicy !== RemovalPolicy.DESTROY,
  });
  // Listing newest first without a scan: one index over every notification, one by type. Each
  // spreads its writes over `indexShards` partitions (`ALL#07`, `image.processed#07`) and holds
  // keys only: a listing reads the newest keys of every shard, then the items by key.
  table.addGlobalSecondaryIndex({
    indexName: INDEX_BY_TIME,
    partitionKey: { name: ATTR.FEED_SHARD, type: dynamodb.AttributeType.STRING },
    sortKey: { name: ATTR.SORT_KEY, type: dynamodb.AttributeType.STRING },
    projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    warmThroughput: settings.warmThroughput,
  });
  table.addGlobalSecondaryIndex({
    indexName: INDEX_BY_TYPE,
    partitionKey: { name: ATTR.TYPE_SHARD, type: dynamodb.AttributeType.STRING },
    sortKey: { name: ATTR.SORT_KEY, type: dynamodb.AttributeType.STRING },
    projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    warmThroughput: settings.warmThroughput,
  });
  suppressCheckov(table, [{
    id: 'CKV_AWS_119',
    comment: 'Encrypted at rest with the AWS-managed key (aws/dynamodb): notifications hold object keys, sizes and validation ' +
      'counts, no object content; a customer-managed key would add a key policy to run and per-request KMS costs.',
  }]);
  return table;
}
