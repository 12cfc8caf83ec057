import { Stack, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { IngestionMode } from './ingestion';
import { PipelineSettings } from './settings';

/**
 * S3 refuses a notification configuration in which two rules for the same event type have
 * overlapping prefixes ("Configuration is ambiguously defined"), at deployment. Two TapServerless
 * constructs on one bucket in the direct or queue mode, with overlapping input prefixes, would
 * write exactly that: refused here, at synth, naming both. The EventBridge mode writes no rule per
 * function, so it may share a bucket freely.
 */

interface BucketUse {
  readonly path: string;
  readonly prefixes: readonly string[];
}

/** The direct- and queue-mode constructs seen so far in one app, by bucket. */
const USES = new WeakMap<IConstruct, Map<string, BucketUse[]>>();

export function checkSharedBucket(scope: Construct, bucket: s3.IBucket, settings: PipelineSettings): void {
  if (settings.ingestion.mode === IngestionMode.EVENT_BRIDGE) return;
  const root = scope.node.root;
  const byBucket = USES.get(root) ?? new Map<string, BucketUse[]>();
  USES.set(root, byBucket);
  // A bucket is known by its name, or, when the name is a token (a bucket created in the app, a name
  // from a CfnParameter or another resource), by what that token resolves to in its stack: two
  // imports of one parameter-named bucket are the same bucket.
  const key = Token.isUnresolved(bucket.bucketName)
    ? `token:${Stack.of(bucket).node.path}:${JSON.stringify(Stack.of(bucket).resolve(bucket.bucketName))}`
    : `name:${bucket.bucketName}`;
  const prefixes = [settings.prefixes.imageInputPrefix, settings.prefixes.dataInputPrefix];
  const earlier = byBucket.get(key) ?? [];
  for (const other of earlier) {
    for (const mine of prefixes) {
      const theirs = other.prefixes.find((p) => p.startsWith(mine) || mine.startsWith(p));
      if (theirs !== undefined) {
        throw new Error(`TapServerless: ${scope.node.path} and ${other.path} both deliver uploads of the same bucket through S3 ` +
          `notifications, with the overlapping prefixes "${mine}" and "${theirs}": S3 refuses such a notification configuration at ` +
          'deployment ("Configuration is ambiguously defined"). Give one of them other imageInputPrefix and dataInputPrefix values, or use ' +
          'ingestion: Ingestion.eventBridge() in both (EventBridge rules may overlap).');
      }
    }
  }
  byBucket.set(key, [...earlier, { path: scope.node.path, prefixes }]);
}
