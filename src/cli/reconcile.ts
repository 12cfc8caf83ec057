import { S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AuditScope, classifiedObjects, fingerprintOf, functionScopes } from './audit';
import { ClassifiedObject, OutcomeStatus } from './outcomes';
import { printable } from './printable';
import { Progress } from './progress';
import { isFailedType } from '../runtime/outcome-store';

/**
 * `reconcile`: a read-only audit of a pipeline's completeness. Every input object's current
 * version must have an outcome under its function's current configuration fingerprint.
 */

/** One object without a current outcome. */
export interface UnreconciledObject {
  readonly key: string;
  readonly versionId?: string;
  readonly eTag: string;
  readonly status: Exclude<OutcomeStatus, 'current'>;
  /** The function that processes it. */
  readonly functionName: string;
}

/** The counts of one input prefix. */
export interface PrefixReport {
  readonly prefix: string;
  readonly functionName: string;
  readonly fingerprint: string;
  readonly objects: number;
  readonly current: number;
  /** Current outcomes per type, e.g. `{ "image.processed": 17, "image.rejected": 2 }`. */
  readonly byType: Record<string, number>;
  readonly olderConfiguration: number;
  readonly missing: number;
  /** Current outcomes that are `<kind>.failed`: the object's event failed every attempt (counted in `current` too). */
  readonly failed: number;
}

export interface ReconcileReport {
  readonly bucket: string;
  readonly table: string;
  readonly prefixes: PrefixReport[];
  readonly objects: number;
  readonly current: number;
  readonly olderConfiguration: number;
  readonly missing: number;
  /** Objects whose current outcome is `<kind>.failed`: redrive the dead-letter queue, or reprocess them. */
  readonly failed: number;
  /** The first `show` objects with no outcome at all. */
  readonly missingObjects: UnreconciledObject[];
  /** The first `show` objects recorded only under an older configuration. */
  readonly olderConfigurationObjects: UnreconciledObject[];
  /** The dead-letter queue's depth, when the pipeline has one. */
  readonly deadLetterQueue?: { readonly url: string; readonly visible: number; readonly inFlight: number };
  /** True when every object has a current outcome, and none of them is a failure. */
  readonly complete: boolean;
  readonly elapsedSeconds: number;
}

export interface ReconcileOptions extends AuditScope {
  /** How many keys of each list the report names. @default 20 */
  readonly show?: number;
  /** Called with every object that has no current outcome (e.g. to write them all to a file). */
  readonly onUnreconciled?: (object: UnreconciledObject) => void;
  readonly progress?: Progress;
}

export interface ReconcileClients {
  readonly s3: S3Client;
  readonly ddb: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
}

export async function reconcile(clients: ReconcileClients, options: ReconcileOptions): Promise<ReconcileReport> {
  const show = options.show ?? 20;
  const started = Date.now();
  const prefixes: PrefixReport[] = [];
  const missingObjects: UnreconciledObject[] = [];
  const olderConfigurationObjects: UnreconciledObject[] = [];
  let listed = 0;
  let checked = 0;
  let missingTotal = 0;
  let olderTotal = 0;
  const tick = () => options.progress?.update({ listed, checked, missing: missingTotal, older: olderTotal });

  for (const fs of functionScopes(options)) {
    const fingerprint = fingerprintOf(fs.fn);
    const byType: Record<string, number> = {};
    let objects = 0;
    let current = 0;
    let older = 0;
    let missing = 0;
    const onListed = () => {
      listed += 1;
      if (listed % 100 === 0) tick();
    };
    for await (const c of classifiedObjects(clients.s3, clients.ddb, options, fs, onListed)) {
      objects += 1;
      checked += 1;
      if (c.status === 'current') {
        current += 1;
        byType[c.type!] = (byType[c.type!] ?? 0) + 1;
      } else {
        const u = unreconciled(c, fs.fn.functionName);
        if (c.status === 'missing') {
          missing += 1;
          missingTotal += 1;
          if (missingObjects.length < show) missingObjects.push(u);
        } else {
          older += 1;
          olderTotal += 1;
          if (olderConfigurationObjects.length < show) olderConfigurationObjects.push(u);
        }
        options.onUnreconciled?.(u);
      }
      tick();
    }
    prefixes.push({
      prefix: fs.listPrefix,
      functionName: fs.fn.functionName,
      fingerprint,
      objects,
      current,
      byType: sortedKeys(byType),
      olderConfiguration: older,
      missing,
      failed: Object.entries(byType).filter(([type]) => isFailedType(type)).reduce((n, [, count]) => n + count, 0),
    });
  }
  options.progress?.update({ listed, checked, missing: missingTotal, older: olderTotal });
  options.progress?.done();

  const deadLetterQueue = options.pipeline.queueUrl ? await queueDepth(clients.sqs, options.pipeline.queueUrl) : undefined;
  const sum = (f: (p: PrefixReport) => number) => prefixes.reduce((n, p) => n + f(p), 0);
  return {
    bucket: options.pipeline.bucket,
    table: options.pipeline.table,
    prefixes,
    objects: sum((p) => p.objects),
    current: sum((p) => p.current),
    olderConfiguration: olderTotal,
    missing: missingTotal,
    failed: sum((p) => p.failed),
    missingObjects,
    olderConfigurationObjects,
    deadLetterQueue,
    complete: missingTotal === 0 && olderTotal === 0 && sum((p) => p.failed) === 0,
    elapsedSeconds: (Date.now() - started) / 1000,
  };
}

function unreconciled(c: ClassifiedObject, functionName: string): UnreconciledObject {
  return {
    key: c.object.key,
    ...(c.object.versionId ? { versionId: c.object.versionId } : {}),
    eTag: c.object.eTag,
    status: c.status as UnreconciledObject['status'],
    functionName,
  };
}

function sortedKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function queueDepth(sqs: SQSClient, url: string): Promise<{ url: string; visible: number; inFlight: number }> {
  const result = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  }));
  return {
    url,
    visible: Number(result.Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(result.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/** The report as people read it. */
export function formatReconcileReport(report: ReconcileReport, context: { stack?: string }): string {
  const lines: string[] = [];
  lines.push(`Bucket ${report.bucket}, table ${report.table}${context.stack ? ` (stack ${context.stack})` : ''}`);
  for (const p of report.prefixes) {
    lines.push('');
    lines.push(`${p.prefix}  → ${p.functionName}  (configuration ${p.fingerprint})`);
    lines.push(`  objects               ${p.objects}`);
    const types = Object.entries(p.byType).map(([t, n]) => `${t} ${n}`).join(', ');
    lines.push(`  current outcome       ${p.current}${types ? `   (${types})` : ''}`);
    lines.push(`  older configuration   ${p.olderConfiguration}`);
    lines.push(`  no outcome            ${p.missing}`);
    if (p.failed > 0) lines.push(`  failed                ${p.failed}   (their events failed every attempt; counted in current outcome)`);
  }
  const list = (title: string, total: number, objects: UnreconciledObject[]) => {
    if (total === 0) return;
    lines.push('');
    lines.push(`${title} (${objects.length < total ? `first ${objects.length} of ${total}` : total}):`);
    for (const o of objects) lines.push(`  ${printable(o.key)}${o.versionId ? `  (version ${o.versionId})` : ''}`);
  };
  list('No outcome', report.missing, report.missingObjects);
  list('Recorded only under an older configuration', report.olderConfiguration, report.olderConfigurationObjects);
  lines.push('');
  if (report.deadLetterQueue) {
    lines.push(`Dead-letter queue: ${report.deadLetterQueue.visible} messages waiting, ${report.deadLetterQueue.inFlight} in flight`);
  }
  const where = context.stack ? ` --stack ${context.stack}` : '';
  if (report.complete) {
    lines.push(`Complete: all ${report.objects} objects have an outcome under the current configuration.`);
  } else {
    const parts: string[] = [];
    if (report.missing > 0) parts.push(`${report.missing} without an outcome (deliver them: npx cdk-tap-serverless reprocess${where})`);
    if (report.failed > 0) {
      parts.push(`${report.failed} recorded as failed (fix the cause, then: npx cdk-tap-serverless redrive${where}, or reprocess them)`);
    }
    if (report.olderConfiguration > 0) {
      parts.push(`${report.olderConfiguration} recorded only under an older configuration (redo them: npx cdk-tap-serverless reprocess${where} --older)`);
    }
    lines.push(`Incomplete: ${parts.join('; ')}.`);
  }
  return lines.join('\n');
}
