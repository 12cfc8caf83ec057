import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { RejectionError, SkippedObjectError } from '../../src/runtime/errors';
import type { Notification } from '../../src/runtime/notification-item';
import { createNotificationsTable } from '../../src/runtime/notifications-table';
import { OutcomePublishError } from '../../src/runtime/outcome-events';
import { ObjectProcessor, processS3Event, ProcessS3EventOptions, S3EventProcessingError } from '../../src/runtime/s3-event';
import { CapturedOutput, captureConsole } from '../support/console-capture';
import { fakeConditionalPuts, fakeGets } from '../support/fake-table';
import { FIXTURE_BUCKET, FUNCTION_ENV, s3Event } from '../support/fixtures';

const ddb = mockClient(DynamoDBDocumentClient);
let output: CapturedOutput;

beforeAll(() => {
  // Powertools dev mode: Logger and Metrics write through the console captured below.
  Object.assign(process.env, FUNCTION_ENV);
});

beforeEach(() => {
  ddb.reset();
  output = captureConsole();
});

afterEach(() => {
  output.restore();
});

function options(processor: ObjectProcessor, overrides: Partial<ProcessS3EventOptions> = {}): ProcessS3EventOptions {
  const logger = new Logger({ serviceName: 'test', logLevel: 'INFO' });
  return {
    kind: 'image',
    inputPrefix: 'images/',
    outputPrefixes: ['thumbnails/', 'reports/'],
    processor,
    store: { table: createNotificationsTable('notifications'), fingerprint: 'fp1', logger },
    logger,
    metrics: new Metrics({ namespace: 'TapServerless', serviceName: 'test' }),
    expectedBucket: FIXTURE_BUCKET,
    ...overrides,
  };
}

describe('processS3Event with a swapped-in processor', () => {
  test('a RejectionError from the processor is recorded as <kind>.rejected with its details, without throwing', async () => {
    // GIVEN a processor that rejects PNGs and accepts the rest
    const items = fakeConditionalPuts(ddb);
    const processor: ObjectProcessor = async (object) => {
      if (object.key.endsWith('.png')) {
        throw new RejectionError('PNG is not allowed here', { format: 'png' });
      }
      return { type: 'image.processed', message: 'ok', details: { width: 10 } };
    };

    // WHEN
    const summary = await processS3Event(s3Event('s3-images-several-records.json'), options(processor));

    // THEN
    expect(summary.records.map((r) => r.outcome)).toEqual(['image.processed', 'image.rejected', 'image.processed']);
    const rejected = [...items.values()].find((i) => i.type === 'image.rejected');
    expect(rejected?.details).toEqual(expect.objectContaining({ reason: 'PNG is not allowed here', format: 'png', key: 'images/cats/tabby.png' }));
    expect(rejected?.message).toBe(`Rejected s3://${FIXTURE_BUCKET}/images/cats/tabby.png: PNG is not allowed here`);
    expect([...items.values()].find((i) => i.type === 'image.processed')?.details).toEqual(expect.objectContaining({ width: 10 }));
  });

  test('a SkippedObjectError is recorded as <kind>.skipped under the function\'s namespace (a route\'s name); keys without a listed suffix are not processed', async () => {
    // GIVEN a route's processor that skips PNGs, taking only .png and .jpg keys
    const items = fakeConditionalPuts(ddb);
    const seen: string[] = [];
    const processor: ObjectProcessor = async (object) => {
      seen.push(object.key);
      if (object.key.endsWith('.png')) throw new SkippedObjectError('tagged skip=yes', { skipTag: { key: 'skip', value: 'yes' } });
      return { type: 'pics.done', message: 'ok' };
    };

    // WHEN
    const summary = await processS3Event(s3Event('s3-images-several-records.json'), options(processor, { kind: 'pics', suffixes: ['.png', '.jpg'] }));

    // THEN the PNG is pics.skipped with its reason and details; a key with another ending is skipped unrecorded
    expect(summary.records.map((r) => r.outcome)).toEqual(['pics.done', 'pics.skipped', 'skipped']);
    expect(summary.records[2].reason).toBe('key does not end with ".png" or ".jpg"');
    expect(seen).toHaveLength(2);
    const skipped = [...items.values()].find((i) => i.type === 'pics.skipped');
    expect(skipped?.details).toEqual(expect.objectContaining({ reason: 'tagged skip=yes', skipTag: { key: 'skip', value: 'yes' } }));
    expect(skipped?.message).toBe(`Skipped s3://${FIXTURE_BUCKET}/images/cats/tabby.png: tagged skip=yes`);
  });

  test('records that are not ObjectCreated events and folder markers are skipped; a record of another bucket is refused, failing the event (finding: foreign buckets)', async () => {
    // GIVEN
    const event = s3Event('s3-images-several-records.json');
    event.Records[0].eventName = 'ObjectRemoved:Delete';
    event.Records[1].s3.object.key = 'images/albums/';
    event.Records[2].s3.bucket.name = 'someone-elses-bucket';
    const processed: string[] = [];
    fakeConditionalPuts(ddb);

    // WHEN
    const error = await processS3Event(event, options(async (object) => {
      processed.push(`${object.bucket}/${object.key}`);
      return { type: 'image.received', message: 'ok' };
    })).catch((err: unknown) => err);

    // THEN the event fails (retried, then dead-lettered) for that record alone; nothing of it is read or recorded
    expect(error).toBeInstanceOf(S3EventProcessingError);
    expect((error as S3EventProcessingError).summary.records.map((r) => [r.outcome, r.reason])).toEqual([
      ['skipped', 'event ObjectRemoved:Delete is not an ObjectCreated event'],
      ['skipped', 'key is a folder placeholder'],
      ['failed', expect.stringMatching(/^ForeignBucketError: The record names bucket "someone-elses-bucket", not "tap-dev-ingest-123456789012"/)],
    ]);
    expect(processed).toEqual([]);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(output.logs().some((l) => l.level === 'ERROR' && String(l.message).startsWith('Record refused: it names a bucket other than'))).toBe(true);
  });

  test('a malformed key under an output prefix is skipped, not rejected', async () => {
    const event = s3Event('s3-images-malformed-key.json');
    event.Records[0].s3.object.key = 'thumbnails/holiday%E0%A4%A.jpg/128.webp';

    const summary = await processS3Event(event, options(async () => ({ type: 'image.received', message: 'ok' })));

    expect(summary.records).toEqual([expect.objectContaining({ outcome: 'skipped' })]);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  test('metrics are flushed once per invocation, even when it throws', async () => {
    fakeConditionalPuts(ddb);

    await expect(processS3Event(s3Event('s3-images-several-records.json'), options(async () => {
      throw new Error('socket hang up');
    }))).rejects.toThrow(/3 of 3/);

    expect(output.emf()).toHaveLength(1);
    expect(output.metric('ObjectsFailed')).toBe(3);
    expect(output.metric('ObjectsReceived')).toBe(3);
  });
});

describe('processS3Event with skipRecordedObjects', () => {
  test('an object version that already has a notification is not processed again', async () => {
    // GIVEN a first delivery, recorded
    const items = fakeConditionalPuts(ddb);
    fakeGets(ddb, items);
    let calls = 0;
    const processor: ObjectProcessor = async () => {
      calls += 1;
      return { type: 'image.processed', message: 'ok' };
    };
    await processS3Event(s3Event('s3-images-several-records.json'), options(processor, { skipRecordedObjects: true }));
    expect(calls).toBe(3);

    // WHEN the same event is delivered again
    const summary = await processS3Event(s3Event('s3-images-several-records.json'), options(processor, { skipRecordedObjects: true }));

    // THEN the processor did not run again, and nothing was written
    expect(calls).toBe(3);
    expect(summary.records.map((r) => [r.outcome, r.type])).toEqual([
      ['duplicate', 'image.processed'], ['duplicate', 'image.processed'], ['duplicate', 'image.processed'],
    ]);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(6);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(3);
    expect(output.metric('DuplicateDeliveries')).toBe(3);
    // AND each version's index item was (re)marked with the configuration, by both deliveries
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(6);
  });

  test('after a configuration change, the same object version is processed again and recorded under a new id', async () => {
    // GIVEN the event recorded under fingerprint fp1
    const items = fakeConditionalPuts(ddb);
    fakeGets(ddb, items);
    let calls = 0;
    const processor: ObjectProcessor = async () => {
      calls += 1;
      return { type: 'image.processed', message: 'ok' };
    };
    const first = await processS3Event(s3Event('s3-images-several-records.json'), options(processor, { skipRecordedObjects: true }));

    // WHEN it is delivered again to a function configured differently (fingerprint fp2)
    const table = createNotificationsTable('notifications');
    const second = await processS3Event(s3Event('s3-images-several-records.json'), options(processor, {
      skipRecordedObjects: true, store: { table, fingerprint: 'fp2' },
    }));

    // THEN every object was processed again and has a second outcome, each naming its configuration
    expect(calls).toBe(6);
    expect(second.records.map((r) => r.outcome)).toEqual(['image.processed', 'image.processed', 'image.processed']);
    expect(items.size).toBe(6);
    const ids = (summary: typeof first) => summary.records.map((r) => r.notificationId);
    expect(ids(second).every((id) => !ids(first).includes(id))).toBe(true);
    expect([...items.values()].map((i) => (i.details as Record<string, unknown>).fingerprint).sort())
      .toEqual(['fp1', 'fp1', 'fp1', 'fp2', 'fp2', 'fp2']);
  });

  test('is off by default: no lookup, duplicates are caught by the conditional write after processing', async () => {
    const items = fakeConditionalPuts(ddb);
    fakeGets(ddb, items);
    let calls = 0;
    const processor: ObjectProcessor = async () => {
      calls += 1;
      return { type: 'image.processed', message: 'ok' };
    };
    await processS3Event(s3Event('s3-images-several-records.json'), options(processor));
    const summary = await processS3Event(s3Event('s3-images-several-records.json'), options(processor));
    expect(calls).toBe(6);
    expect(summary.records.map((r) => r.outcome)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    expect(items.size).toBe(3);
  });
});

describe('processS3Event with outcome events', () => {
  const processed: ObjectProcessor = async () => ({ type: 'image.processed', message: 'ok', details: { width: 10 } });
  const publisher = (failures = 0) => {
    const published: Notification[] = [];
    let calls = 0;
    return {
      published,
      publish: async (n: Notification) => {
        calls += 1;
        if (calls <= failures) throw new OutcomePublishError(n.id, 'ThrottlingException', 'Rate exceeded');
        published.push(n);
      },
    };
  };

  test('every recorded outcome is published: the notification as stored, rejections included', async () => {
    const items = fakeConditionalPuts(ddb);
    fakeGets(ddb, items);
    const events = publisher();
    const rejectPng: ObjectProcessor = async (o) => {
      if (o.key.endsWith('.png')) throw new RejectionError('no PNG');
      return processed(o);
    };

    const summary = await processS3Event(s3Event('s3-images-several-records.json'), options(rejectPng, { publisher: events }));

    expect(events.published.map((n) => n.type)).toEqual(['image.processed', 'image.rejected', 'image.processed']);
    expect(events.published.map((n) => n.id)).toEqual(summary.records.map((r) => r.notificationId));
    // The event is the stored notification, in the API's shape (no index attributes).
    for (const n of events.published) {
      const { feedShard: _f, typeShard: _t, sortKey: _s, ...stored } = items.get(n.id)!;
      expect(n).toEqual(stored);
    }
  });

  test('a failed publication fails the record; the retry finds it recorded and publishes it again (at least once)', async () => {
    // GIVEN EventBridge refusing the first publication
    const items = fakeConditionalPuts(ddb);
    fakeGets(ddb, items);
    const events = publisher(1);
    const event = s3Event('s3-images-several-records.json');
    event.Records = [event.Records[0]];

    // WHEN the event is processed, then retried as Lambda would
    await expect(processS3Event(event, options(processed, { publisher: events, skipRecordedObjects: true }))).rejects.toThrow(S3EventProcessingError);
    const retry = await processS3Event(event, options(processed, { publisher: events, skipRecordedObjects: true }));

    // THEN the outcome was recorded once, and published by the retry with its original content
    expect(items.size).toBe(1);
    expect(retry.records[0].outcome).toBe('duplicate');
    expect(events.published).toHaveLength(1);
    expect(events.published[0]).toMatchObject({ id: [...items.keys()][0], type: 'image.processed', createdAt: [...items.values()][0].createdAt });
  });

  test('without skipRecordedObjects, a duplicate found by the conditional write publishes the stored notification too', async () => {
    const items = fakeConditionalPuts(ddb);
    fakeGets(ddb, items);
    const events = publisher();
    const event = s3Event('s3-images-several-records.json');
    await processS3Event(event, options(processed, { publisher: events }));
    await processS3Event(event, options(processed, { publisher: events }));
    expect(events.published).toHaveLength(6);
    expect(new Set(events.published.map((n) => n.id)).size).toBe(3);
    expect(events.published.slice(3)).toEqual(events.published.slice(0, 3));
  });
});
