import { Duration, Size, Token } from 'aws-cdk-lib';
import type { TapAlarmOptions } from './alarm-options';
import { DEFAULT_INDEX_SHARDS, MAX_INDEX_SHARDS } from '../contract/notifications-model';

/**
 * Synth-time validation of TapServerless props. Every error names the prop, the
 * value received and the fix.
 */

export function fail(prop: string, value: unknown, problem: string, fix: string): never {
  throw new Error(`TapServerless: invalid ${prop} (${JSON.stringify(value)}): ${problem}. ${fix}`);
}

/** Environment suffix: used in the stage name, tags and the /status body. */
export function validateEnvironmentSuffix(value: string): void {
  if (Token.isUnresolved(value)) {
    fail('environmentSuffix', value, 'it must be a literal string, not a token', 'Pass a plain string such as "dev" or "prod".');
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/.test(value)) {
    fail('environmentSuffix', value, 'it must be 1-32 letters, digits, "-" or "_", starting with a letter or digit',
      'Use a short name such as "dev", "staging" or "prod".');
  }
}

export interface Prefixes {
  readonly imageInputPrefix: string;
  readonly dataInputPrefix: string;
  readonly imageOutputPrefix: string;
  readonly dataOutputPrefix: string;
}

/** Whether one prefix starts with the other: some key lies under both. */
export function overlaps(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/** One prefix: a literal, non-empty, relative, ends with "/", at most 512 characters. */
export function validatePrefix(name: string, value: string): void {
  if (Token.isUnresolved(value)) {
    fail(name, value, 'it must be a literal string, not a token', 'Pass a plain string such as "images/".');
  }
  if (value.length === 0 || value === '/') {
    fail(name, value, 'a prefix must not be empty', 'Use a folder-like prefix such as "images/".');
  }
  if (!value.endsWith('/')) {
    fail(name, value, 'a prefix must end with "/"', `Use "${value}/".`);
  }
  if (value.startsWith('/')) {
    fail(name, value, 'S3 keys do not start with "/"', `Use "${value.replace(/^\/+/, '')}".`);
  }
  if (value.length > 512) {
    fail(name, value, 'a prefix must be at most 512 characters', 'Use a shorter prefix.');
  }
}

/**
 * Each prefix is non-empty, relative and ends with "/"; an input prefix (images, data)
 * shares no key with any other prefix, so that outputs can never re-trigger a function
 * and S3 accepts the two notification filters (overlapping filters are rejected by S3).
 */
export function validatePrefixes(p: Prefixes): void {
  const all: Array<[keyof Prefixes, string]> = [
    ['imageInputPrefix', p.imageInputPrefix],
    ['dataInputPrefix', p.dataInputPrefix],
    ['imageOutputPrefix', p.imageOutputPrefix],
    ['dataOutputPrefix', p.dataOutputPrefix],
  ];
  for (const [name, value] of all) {
    validatePrefix(name, value);
  }
  const inputs: Array<keyof Prefixes> = ['imageInputPrefix', 'dataInputPrefix'];
  for (const [name, value] of all) {
    for (const input of inputs) {
      if (name === input) continue;
      if (overlaps(value, p[input])) {
        fail(name, value, `it overlaps ${input} (${JSON.stringify(p[input])}), so ` +
          (name === 'imageOutputPrefix' || name === 'dataOutputPrefix'
            ? 'outputs would re-trigger the function that wrote them (recursive invocation)'
            : 'one upload would match both notification filters'),
        'Give every prefix its own top-level folder, e.g. images/, data/, thumbnails/, reports/.');
      }
    }
  }
}

/** Lifecycle transitions: Standard-IA no sooner than 30 days; Glacier at least 30 days after Standard-IA. */
export function validateLifecycle(iaDays: number, glacierDays: number, noncurrentDays: number): void {
  if (!Number.isInteger(iaDays) || iaDays < 30) {
    fail('bucketTransitionToInfrequentAccessAfter', `${iaDays} days`, 'S3 moves objects to STANDARD_IA no sooner than 30 days after creation',
      'Use Duration.days(30) or more.');
  }
  if (!Number.isInteger(glacierDays) || glacierDays < iaDays + 30) {
    fail('bucketTransitionToGlacierAfter', `${glacierDays} days`,
      `objects must stay at least 30 days in STANDARD_IA, so Glacier must come at least 30 days after the STANDARD_IA transition (${iaDays} days)`,
      `Use Duration.days(${iaDays + 30}) or more.`);
  }
  if (!Number.isInteger(noncurrentDays) || noncurrentDays < 1) {
    fail('bucketNoncurrentVersionExpiration', `${noncurrentDays} days`, 'it must be a whole number of days, at least 1',
      'Use Duration.days(1) or more.');
  }
}

export function validateIndexShards(value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_INDEX_SHARDS) {
    fail('tableIndexShards', value, `the listing indexes take 1 to ${MAX_INDEX_SHARDS} shards (each page reads every shard)`,
      `Use a whole number from 1 to ${MAX_INDEX_SHARDS}; ${DEFAULT_INDEX_SHARDS} sustains about ${DEFAULT_INDEX_SHARDS},000 outcomes per second.`);
  }
}

export function validateNotificationRetention(value: Duration): void {
  const seconds = value.toMilliseconds() / 1000;
  if (!Number.isInteger(seconds) || seconds < 24 * 3600 || seconds > 100 * 365 * 24 * 3600) {
    fail('tableRetention', value.toHumanString(), 'DynamoDB\'s time to live deletes items within days of their expiry, so a ' +
      'retention is whole seconds from 1 day to 100 years', 'Use, for example, Duration.days(90); leave it unset to keep everything.');
  }
}

export function validateWarmThroughput(value: { readUnitsPerSecond?: number; writeUnitsPerSecond?: number }): void {
  for (const [name, units] of [['readUnitsPerSecond', value.readUnitsPerSecond], ['writeUnitsPerSecond', value.writeUnitsPerSecond]] as const) {
    if (units !== undefined && (!Number.isInteger(units) || units < 1)) {
      fail(`tableWarmThroughput.${name}`, units, 'warm throughput is a whole number of units per second', 'Use, for example, 20000.');
    }
  }
  if (value.readUnitsPerSecond === undefined && value.writeUnitsPerSecond === undefined) {
    fail('tableWarmThroughput', value, 'it sets neither reads nor writes', 'Give readUnitsPerSecond, writeUnitsPerSecond or both.');
  }
}

/** The queue ingestion mode's options, resolved. */
export interface QueueIngestionLimits {
  readonly batchSize: number;
  readonly maxBatchingWindow?: Duration;
  readonly maxConcurrency?: number;
  readonly maxReceiveCount: number;
}

export function validateQueueIngestion(q: QueueIngestionLimits): void {
  const windowSeconds = q.maxBatchingWindow?.toSeconds({ integral: false });
  if (!Number.isInteger(q.batchSize) || q.batchSize < 1 || q.batchSize > 10_000) {
    fail('ingestion batchSize', q.batchSize, 'an SQS event source reads 1 to 10,000 messages per invocation', 'Use, for example, 10.');
  }
  if (q.batchSize > 10 && !(windowSeconds !== undefined && windowSeconds > 0)) {
    fail('ingestion batchSize', q.batchSize, 'more than 10 messages per invocation need a batching window',
      'Set maxBatchingWindow (for example Duration.seconds(5)), or use a batchSize of at most 10.');
  }
  if (windowSeconds !== undefined && !(Number.isInteger(windowSeconds) && windowSeconds >= 0 && windowSeconds <= 300)) {
    fail('ingestion maxBatchingWindow', q.maxBatchingWindow!.toHumanString(), 'the batching window is whole seconds up to 5 minutes',
      'Use, for example, Duration.seconds(5).');
  }
  if (q.maxConcurrency !== undefined && (!Number.isInteger(q.maxConcurrency) || q.maxConcurrency < 2 || q.maxConcurrency > 1000)) {
    fail('ingestion maxConcurrency', q.maxConcurrency, 'an SQS event source\'s maximum concurrency is 2 to 1,000', 'Use, for example, 50.');
  }
  if (!Number.isInteger(q.maxReceiveCount) || q.maxReceiveCount < 1 || q.maxReceiveCount > 1000) {
    fail('ingestion maxReceiveCount', q.maxReceiveCount, 'SQS moves a message to the dead-letter queue after 1 to 1,000 receives', 'Use, for example, 3.');
  }
}

export function validateRetryAttempts(value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 2) {
    fail('retryAttempts', value, 'Lambda retries asynchronous invocations 0, 1 or 2 times', 'Use 0, 1 or 2.');
  }
}

export function validateMaxEventAge(value: Duration): void {
  const seconds = value.toSeconds();
  if (seconds < 60 || seconds > 6 * 3600) {
    fail('maxEventAge', value.toHumanString(), 'Lambda accepts a maximum event age from 60 seconds to 6 hours',
      'Use a Duration between Duration.minutes(1) and Duration.hours(6).');
  }
}

/** The resolved settings of one function, validated before use. */
export interface ResolvedFunctionSettings {
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly reservedConcurrentExecutions?: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly vpc?: unknown;
  readonly vpcSubnets?: unknown;
  readonly securityGroups?: unknown;
}

export function validateFunctionSettings(prop: string, s: ResolvedFunctionSettings, maxTimeoutSeconds: number, reserved: string[]): void {
  if (!Number.isInteger(s.memorySize) || s.memorySize < 128 || s.memorySize > 10240) {
    fail(`${prop}.memorySize`, s.memorySize, 'Lambda memory is a whole number of MiB from 128 to 10240', 'Use, for example, 512.');
  }
  const timeout = s.timeout.toSeconds();
  if (timeout < 1 || timeout > maxTimeoutSeconds) {
    fail(`${prop}.timeout`, s.timeout.toHumanString(), `this function's timeout must be between 1 second and ${maxTimeoutSeconds} seconds`,
      maxTimeoutSeconds === 29
        ? 'API Gateway gives up after 29 seconds; use Duration.seconds(29) or less.'
        : 'Use, for example, Duration.minutes(5).');
  }
  if (s.reservedConcurrentExecutions !== undefined &&
    (!Number.isInteger(s.reservedConcurrentExecutions) || s.reservedConcurrentExecutions < 1)) {
    fail(`${prop}.reservedConcurrentExecutions`, s.reservedConcurrentExecutions,
      'it must be a whole number of at least 1 (0 would stop the function from ever running)',
      'Use a positive integer, or leave it unset for unreserved concurrency.');
  }
  if (s.vpc === undefined && (s.vpcSubnets !== undefined || s.securityGroups !== undefined)) {
    fail(`${prop}.${s.vpcSubnets !== undefined ? 'vpcSubnets' : 'securityGroups'}`, 'given without a vpc',
      'subnets and security groups place the function\'s network interfaces in a VPC', `Set ${prop}.vpc (or functionDefaults.vpc) too, or remove them.`);
  }
  for (const key of Object.keys(s.environment)) {
    if (reserved.some((p) => key.startsWith(p))) {
      fail(`${prop}.environment`, key, `variables starting with ${reserved.join(' or ')} are set by the construct`,
        'Rename the variable.');
    }
  }
}

/** Alarm thresholds: counts are whole numbers ≥ 1, rates are percentages in (0, 100], periods whole minutes. */
export function validateAlarmOptions(o: TapAlarmOptions): void {
  const counts: Array<[keyof TapAlarmOptions, number | undefined]> = [
    ['functionErrors', o.functionErrors], ['functionThrottles', o.functionThrottles], ['deadLetterQueueMessages', o.deadLetterQueueMessages],
    ['tableThrottledRequests', o.tableThrottledRequests], ['asyncEventsDropped', o.asyncEventsDropped],
  ];
  for (const [name, value] of counts) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      fail(`alarmOptions.${name}`, value, 'an alarm threshold on a count must be a whole number of at least 1', 'Use, for example, 1.');
    }
  }
  const rates: Array<[keyof TapAlarmOptions, number | undefined]> = [
    ['apiServerErrorRatePercent', o.apiServerErrorRatePercent], ['rejectionRatePercent', o.rejectionRatePercent],
  ];
  for (const [name, value] of rates) {
    if (value !== undefined && !(value > 0 && value <= 100)) {
      fail(`alarmOptions.${name}`, value, 'a rate is a percentage above 0 and at most 100', 'Use, for example, 5.');
    }
  }
  if (o.apiLatencyP99 !== undefined && (o.apiLatencyP99.toMilliseconds() < 1 || o.apiLatencyP99.toSeconds({ integral: false }) > 29)) {
    fail('alarmOptions.apiLatencyP99', o.apiLatencyP99.toHumanString(), 'API Gateway answers within 29 seconds, so the threshold must be between 1 ms and 29 s',
      'Use, for example, Duration.seconds(2).');
  }
  if (o.asyncEventAge !== undefined && (o.asyncEventAge.toSeconds({ integral: false }) < 1 || o.asyncEventAge.toHours({ integral: false }) > 6)) {
    fail('alarmOptions.asyncEventAge', o.asyncEventAge.toHumanString(), 'Lambda keeps an asynchronous event at most 6 hours, so the threshold ' +
      'must be between 1 second and 6 hours', 'Use, for example, Duration.minutes(30).');
  }
  if (o.period !== undefined) {
    const seconds = o.period.toSeconds();
    if (seconds < 60 || seconds % 60 !== 0) {
      fail('alarmOptions.period', o.period.toHumanString(), 'alarms on these metrics evaluate whole minutes', 'Use, for example, Duration.minutes(5).');
    }
  }
}

/** A Size prop as bytes, failing clearly on a token (the limit is needed at synth). */
export function sizeInBytes(prop: string, size: Size): number {
  if (size.isUnresolved()) {
    fail(prop, 'a token', 'the limit is needed at synth', 'Pass a literal Size, e.g. Size.mebibytes(1).');
  }
  return size.toBytes();
}

