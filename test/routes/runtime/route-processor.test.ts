import { InvokeCommand } from '@aws-sdk/client-lambda';
import { GetObjectTaggingCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import {
  createRouteProcessor, functionError, readRouteSettings, RouteFunctionError, routeOutcome, RouteRuntimeSettings,
} from '../../../src/routes/runtime/route-processor';
import { RejectionError, SkippedObjectError } from '../../../src/runtime/errors';

// The dispatcher's side of the route contract: the request it sends, the results and errors it reads.

const OBJECT = { bucket: 'b', key: 'csv/orders.csv', versionId: 'v1', eTag: 'e1', size: 120 };
const ROUTE: RouteRuntimeSettings = { name: 'csv', prefix: 'csv/', suffixes: ['.csv'], functionName: 'arn:aws:lambda:eu-west-1:1:function:csv' };

/** A Lambda client that answers every Invoke with `answer`, and records the requests. */
function fakeLambda(answer: { Payload?: string; FunctionError?: string }) {
  const sent: InvokeCommand[] = [];
  return {
    sent,
    send: jest.fn(async (command: InvokeCommand) => {
      sent.push(command);
      return { StatusCode: 200, ...answer, Payload: answer.Payload === undefined ? undefined : Buffer.from(answer.Payload) };
    }),
  };
}

function fakeS3(answers: { size?: number; tags?: Array<{ Key: string; Value: string }> }) {
  return {
    send: jest.fn(async (command: unknown) => {
      if (command instanceof HeadObjectCommand) return { ContentLength: answers.size };
      if (command instanceof GetObjectTaggingCommand) return { TagSet: answers.tags ?? [] };
      throw new Error('unexpected command');
    }),
  };
}

describe('createRouteProcessor', () => {
  test('invokes the function synchronously with one object version and the route, and returns its outcome', async () => {
    const lambda = fakeLambda({ Payload: JSON.stringify({ type: 'csv.summarized', message: '3 rows', details: { rows: 3 }, outputKeys: ['out/a.json'] }) });
    const processor = createRouteProcessor({ route: ROUTE, fingerprint: 'f'.repeat(16), lambda: lambda as any, s3: fakeS3({}) as any });
    await expect(processor(OBJECT)).resolves.toEqual({ type: 'csv.summarized', message: '3 rows', details: { rows: 3, outputKeys: ['out/a.json'] } });
    expect(lambda.sent).toHaveLength(1);
    const input = lambda.sent[0].input;
    expect(input.FunctionName).toBe(ROUTE.functionName);
    expect(input.InvocationType).toBe('RequestResponse');
    expect(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString())).toEqual({
      version: 1, route: 'csv', bucket: 'b', key: 'csv/orders.csv', versionId: 'v1', eTag: 'e1', size: 120, fingerprint: 'f'.repeat(16),
    });
  });

  test('an InputError of the function is a rejection (recorded once, not retried); any other error a failure (retried)', async () => {
    for (const errorType of ['InputError', 'handler.InputError', 'com.example.Csv$InputError']) {
      const lambda = fakeLambda({ FunctionError: 'Unhandled', Payload: JSON.stringify({ errorType, errorMessage: 'no header row' }) });
      const processor = createRouteProcessor({ route: ROUTE, fingerprint: 'f', lambda: lambda as any, s3: fakeS3({}) as any });
      const err = await processor(OBJECT).catch((e) => e);
      expect(err).toBeInstanceOf(RejectionError);
      expect(err.message).toBe('no header row');
      expect(err.details).toEqual({ errorType });
    }
    const lambda = fakeLambda({ FunctionError: 'Unhandled', Payload: JSON.stringify({ errorType: 'KeyError', errorMessage: "'x'" }) });
    const processor = createRouteProcessor({ route: ROUTE, fingerprint: 'f', lambda: lambda as any, s3: fakeS3({}) as any });
    const err = await processor(OBJECT).catch((e) => e);
    expect(err).toBeInstanceOf(RouteFunctionError);
    expect(err.message).toBe(`${ROUTE.functionName} failed: KeyError: 'x'`);
  });

  test('a timeout of the function (Lambda\'s own error payload) is a failure, retried', () => {
    const err = functionError(JSON.stringify({ errorMessage: '2026-12-07T00:00:00Z abc Task timed out after 3.00 seconds' }), 'fn');
    expect(err).toBeInstanceOf(RouteFunctionError);
    expect(err.message).toBe('fn failed: error: 2026-12-07T00:00:00Z abc Task timed out after 3.00 seconds');
    expect(functionError('not json', 'fn').message).toBe('fn failed: error: not json');
  });

  test('an object larger than maxObjectSize is rejected without invoking the function; the size is read when the event lacks it', async () => {
    const lambda = fakeLambda({ Payload: '{}' });
    const s3 = fakeS3({ size: 2048 });
    const processor = createRouteProcessor({ route: { ...ROUTE, maxObjectBytes: 1024 }, fingerprint: 'f', lambda: lambda as any, s3: s3 as any });
    const err = await processor({ ...OBJECT, size: undefined }).catch((e) => e);
    expect(err).toBeInstanceOf(RejectionError);
    expect(err.message).toMatch(/^the object is 2048 bytes, larger than the route's maxObjectSize \(1024 bytes\); .* was not invoked$/);
    expect(s3.send).toHaveBeenCalledTimes(1);
    expect(lambda.send).not.toHaveBeenCalled();
    await expect(processor({ ...OBJECT, size: 1024 })).resolves.toMatchObject({ type: 'csv.processed' });
  });

  test('an object with the skip tag is skipped, without invoking the function; another value is processed', async () => {
    const lambda = fakeLambda({ Payload: 'null' });
    const route = { ...ROUTE, skipTag: { key: 'scan', value: 'skip' } };
    const skipped = createRouteProcessor({ route, fingerprint: 'f', lambda: lambda as any, s3: fakeS3({ tags: [{ Key: 'scan', Value: 'skip' }] }) as any });
    const err = await skipped(OBJECT).catch((e) => e);
    expect(err).toBeInstanceOf(SkippedObjectError);
    expect(err.message).toBe('the object is tagged scan=skip, the route\'s skipTag; it was not processed');
    expect(lambda.send).not.toHaveBeenCalled();
    const processed = createRouteProcessor({ route, fingerprint: 'f', lambda: lambda as any, s3: fakeS3({ tags: [{ Key: 'scan', Value: 'yes' }] }) as any });
    await expect(processed(OBJECT)).resolves.toEqual({ type: 'csv.processed', message: 'Processed s3://b/csv/orders.csv', details: {} });
  });
});

describe('routeOutcome: the result contract', () => {
  test.each([
    ['null', 'csv.processed', 'Processed s3://b/k'],
    ['{}', 'csv.processed', 'Processed s3://b/k'],
    ['', 'csv.processed', 'Processed s3://b/k'],
    ['{"type": "csv.summary.ok", "message": "m"}', 'csv.summary.ok', 'm'],
  ])('%s → %s', (payload, type, message) => {
    expect(routeOutcome(payload, 'csv', { bucket: 'b', key: 'k' })).toMatchObject({ type, message });
  });

  test.each([
    ['[]', '[]', /a JSON array, not an object/],
    ['"done"', '"done"', /a JSON string, not an object/],
    ['{', '{', /not JSON/],
    ['{"type": "data.valid"}', '{"type": "data.valid"}', /type "data.valid" is not under the route's namespace "csv."/],
    ['{"type": "csv"}', '{"type": "csv"}', /type "csv" is not under the route's namespace/],
    ['{"type": "csv.rejected"}', '{"type": "csv.rejected"}', /type "csv.rejected" is one the pipeline records itself; raise an InputError to reject an object/],
    ['{"type": "csv.failed"}', '{"type": "csv.failed"}', /one the pipeline records itself/],
    ['{"type": "Csv.Done"}', '{"type": "Csv.Done"}', /is not a notification type/],
    ['{"message": ""}', '{"message": ""}', /message is not a non-empty string/],
    ['{"details": [1]}', '{"details": [1]}', /details is not a JSON object/],
    ['{"outputKeys": "a"}', '{"outputKeys": "a"}', /outputKeys is not a list of at most 100 keys/],
    ['101 output keys', JSON.stringify({ outputKeys: Array.from({ length: 101 }, (_, i) => `k${i}`) }), /outputKeys is not a list of at most 100 keys/],
    ['{"status": "ok"}', '{"status": "ok"}', /unknown field\(s\) "status"/],
  ])('%s is outside the contract: the function\'s fault, retried', (_, payload, message) => {
    const err = (() => {
      try {
        routeOutcome(payload, 'csv', { bucket: 'b', key: 'k' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(RouteFunctionError);
    expect((err as Error).message).toMatch(/^the route's function returned a result outside the contract: /);
    expect((err as Error).message).toMatch(message);
  });
});

describe('readRouteSettings', () => {
  test('reads the route from the environment the construct sets', () => {
    expect(readRouteSettings({
      TAP_ROUTE_NAME: 'csv',
      TAP_ROUTE_PREFIX: 'csv/',
      TAP_ROUTE_FUNCTION: 'fn',
      TAP_ROUTE_SUFFIXES: '.csv,.CSV',
      TAP_ROUTE_MAX_OBJECT_BYTES: '1024',
      TAP_ROUTE_SKIP_TAG: 'scan=a=b',
    })).toEqual({
      name: 'csv', prefix: 'csv/', functionName: 'fn', suffixes: ['.csv', '.CSV'], maxObjectBytes: 1024, skipTag: { key: 'scan', value: 'a=b' },
    });
    expect(readRouteSettings({ TAP_ROUTE_NAME: 'csv', TAP_ROUTE_PREFIX: 'csv/', TAP_ROUTE_FUNCTION: 'fn', TAP_ROUTE_SKIP_TAG: 'scan' }))
      .toEqual({ name: 'csv', prefix: 'csv/', functionName: 'fn', suffixes: [], skipTag: { key: 'scan' } });
  });

  test('fails on a missing or malformed setting, naming it', () => {
    expect(() => readRouteSettings({ TAP_ROUTE_PREFIX: 'csv/', TAP_ROUTE_FUNCTION: 'fn' })).toThrow(/TAP_ROUTE_NAME/);
    expect(() => readRouteSettings({ TAP_ROUTE_NAME: 'csv', TAP_ROUTE_PREFIX: 'csv/', TAP_ROUTE_FUNCTION: 'fn', TAP_ROUTE_MAX_OBJECT_BYTES: '1e3' }))
      .toThrow(/TAP_ROUTE_MAX_OBJECT_BYTES must be a whole number of bytes, got "1e3"/);
  });
});
