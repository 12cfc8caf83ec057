import { ExportResult, ExportResultCode } from '@opentelemetry/core';
import { AlwaysOnSampler, InMemorySpanExporter, ReadableSpan, SimpleSpanProcessor, SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { MAX_DATAGRAM_BYTES, OtlpUdpSpanExporter, traceEndpoint } from '../../src/runtime/otlp-udp-exporter';
import {
  configureTracing, objectKeyHash, setOutcome, SPAN, traceInvocation, traceObject, traceStage, tracingEnabled,
} from '../../src/runtime/tracing';
import { decodeDatagram, OtlpUdpReceiver } from '../support/otlp-receiver';

const HEADER = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const LAMBDA_ENV = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_SERVICE_NAME: 'unit' };

let savedHeader: string | undefined;
beforeEach(() => {
  savedHeader = process.env._X_AMZN_TRACE_ID;
  process.env._X_AMZN_TRACE_ID = HEADER;
});
afterEach(() => {
  if (savedHeader === undefined) delete process.env._X_AMZN_TRACE_ID;
  else process.env._X_AMZN_TRACE_ID = savedHeader;
  configureTracing({ env: {} }); // off again for the other tests of this worker
});

describe('tracingEnabled', () => {
  test.each([
    [{ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' }, true],
    [{ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', TAP_TRACING: 'true' }, true],
    [{ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', TAP_TRACING: 'false' }, false],
    [{}, false],
  ])('%j → %s', (env, expected) => {
    expect(tracingEnabled(env)).toBe(expected);
  });
});

describe('spans of an invocation', () => {
  test('a root span under the header\'s parent, stages nested under it, an error recorded on its stage and the root', async () => {
    // GIVEN tracing with an in-memory exporter
    const exporter = new InMemorySpanExporter();
    configureTracing({ exporter, env: LAMBDA_ENV });
    // WHEN an invocation processes an object whose validation fails
    await expect(traceInvocation(() => traceObject('bucket', 'data/secret name.csv', async () => {
      await traceStage(SPAN.READ, async () => 'read');
      setOutcome('data.valid', 'data.valid');
      await traceStage(SPAN.VALIDATE, async () => {
        throw new Error('the validator broke');
      });
    }), { 'tap.config.fingerprint': 'fp' }, 'request-1')).rejects.toThrow('the validator broke');

    // THEN four spans, exported when the invocation ended
    const spans = exporter.getFinishedSpans();
    const byName = (name: string) => spans.find((s) => s.name === name)!;
    expect(spans.map((s) => s.name).sort()).toEqual([SPAN.INVOCATION, SPAN.OBJECT, SPAN.READ, SPAN.VALIDATE].sort());
    const root = byName(SPAN.INVOCATION);
    expect(root.spanContext().traceId).toBe('5759e988bd862e3fe1be46a994272793');
    expect(root.parentSpanContext?.spanId).toBe('53995c3f42cd8ad8');
    expect(root.attributes).toMatchObject({ 'faas.invocation_id': 'request-1', 'tap.config.fingerprint': 'fp' });
    expect(root.status.code).toBe(2);
    expect(byName(SPAN.OBJECT).parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(byName(SPAN.OBJECT).attributes).toMatchObject({
      'aws.s3.bucket': 'bucket',
      'tap.object.key_sha256': objectKeyHash('data/secret name.csv'),
      'tap.outcome.type': 'data.valid',
      'aws.xray.annotations': ['aws.s3.bucket', 'tap.object.key_sha256', 'tap.outcome.type'],
    });
    expect(byName(SPAN.READ).parentSpanContext?.spanId).toBe(byName(SPAN.OBJECT).spanContext().spanId);
    expect(byName(SPAN.VALIDATE).status).toEqual({ code: 2, message: 'the validator broke' });
    expect(byName(SPAN.VALIDATE).events.map((e) => e.name)).toEqual(['exception']);
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain('secret name');
  });

  test('the header of the runtime\'s per-invocation store comes before the environment variable', async () => {
    const exporter = new InMemorySpanExporter();
    configureTracing({ exporter, env: LAMBDA_ENV });
    const global = globalThis as { awslambda?: unknown };
    const saved = global.awslambda;
    global.awslambda = { InvokeStore: { getXRayTraceId: () => 'Root=1-6759e988-0000000000000000000000ab;Parent=1111111111111111;Sampled=1' } };
    try {
      await traceInvocation(async () => 'ok');
    } finally {
      global.awslambda = saved;
    }
    const [root] = exporter.getFinishedSpans();
    expect(root.spanContext().traceId).toBe('6759e9880000000000000000000000ab');
    expect(root.parentSpanContext?.spanId).toBe('1111111111111111');
  });

  test('the first invocation of an environment is its cold start, the next ones are not', async () => {
    const exporter = new InMemorySpanExporter();
    configureTracing({ exporter, env: LAMBDA_ENV });
    await traceInvocation(async () => 1);
    await traceInvocation(async () => 2);
    // (the module's first invocation may have been another test's: only "the second is warm" is certain)
    expect(exporter.getFinishedSpans().map((s) => s.attributes['faas.coldstart'])[1]).toBe(false);
  });

  test('without tracing, functions run and nothing is recorded', async () => {
    const exporter = new InMemorySpanExporter();
    configureTracing({ exporter, env: {} });
    await expect(traceInvocation(() => traceStage(SPAN.READ, async () => 'value'))).resolves.toBe('value');
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});

describe('a failing export never fails an invocation', () => {
  const cases: Array<[string, SpanExporter]> = [
    ['an exporter that throws', { export: () => { throw new Error('boom'); }, shutdown: async () => undefined }],
    ['an exporter that reports a failure', {
      export: (_: ReadableSpan[], done: (r: ExportResult) => void) => done({ code: ExportResultCode.FAILED, error: new Error('refused') }),
      shutdown: async () => undefined,
    }],
    ['an exporter that never answers', { export: () => undefined, shutdown: async () => undefined }],
  ];
  test.each(cases)('%s: the invocation returns its result', async (_, exporter) => {
    configureTracing({ exporter, env: LAMBDA_ENV });
    const started = Date.now();
    await expect(traceInvocation(() => traceStage(SPAN.READ, async () => 'result'))).resolves.toBe('result');
    // An export that never answers is abandoned after its timeout (1 s), not waited for.
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('OtlpUdpSpanExporter', () => {
  test.each([
    [undefined, { host: '127.0.0.1', port: 2000 }],
    ['169.254.79.129:2000', { host: '169.254.79.129', port: 2000 }],
    ['tcp:127.0.0.1:2000 udp:127.0.0.2:2001', { host: '127.0.0.2', port: 2001 }],
    ['udp:', { host: '127.0.0.1', port: 2000 }],
    ['host:notaport', { host: '127.0.0.1', port: 2000 }],
  ])('the endpoint of %j is %j', (address, expected) => {
    expect(traceEndpoint(address)).toEqual(expected);
  });

  test('splits spans over datagrams that each fit, drops a span too large alone, and says so', async () => {
    // GIVEN a receiver, and 120 spans of about 600 bytes each plus one of 70 KB (the receiver shares this
    // process's event loop, so the whole export must fit in its socket's receive buffer: about 200 KB here)
    const receiver = await OtlpUdpReceiver.start();
    const exporter = new OtlpUdpSpanExporter(receiver.address);
    const memory = new InMemorySpanExporter();
    const provider = new TracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
    const tracer = provider.getTracer('test');
    for (let i = 0; i < 120; i++) tracer.startSpan(`span ${i}`, { attributes: { filler: 'x'.repeat(600) } }).end();
    tracer.startSpan('huge', { attributes: { filler: 'y'.repeat(70_000) } }).end();
    try {
      // WHEN they are exported
      const result = await new Promise<ExportResult>((resolve) => exporter.export(memory.getFinishedSpans(), resolve));
      // THEN every span but the huge one arrives, in datagrams that each fit and decode
      expect(result.code).toBe(ExportResultCode.SUCCESS);
      await receiver.waitFor(() => receiver.spans.length >= 120);
      expect(receiver.datagrams.length).toBeGreaterThan(1);
      expect(Math.max(...receiver.datagrams.map((d) => d.length))).toBeLessThanOrEqual(MAX_DATAGRAM_BYTES);
      expect(receiver.malformed).toEqual([]);
      expect(new Set(receiver.spans.map((s) => s.name)).size).toBe(120);
      expect(receiver.spans.some((s) => s.name === 'huge')).toBe(false);
      expect(exporter.dropped).toBe(1);
    } finally {
      await exporter.shutdown();
      await receiver.stop();
    }
  });

  test('an export to an address that does not resolve reports a failure, never throws', async () => {
    const exporter = new OtlpUdpSpanExporter('no-such-trace-endpoint.invalid:2000');
    const memory = new InMemorySpanExporter();
    const provider = new TracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
    provider.getTracer('test').startSpan('one').end();
    const result = await new Promise<ExportResult>((resolve) => exporter.export(memory.getFinishedSpans(), resolve));
    expect(result.code).toBe(ExportResultCode.FAILED);
    await exporter.shutdown();
  });

  test('decodeDatagram refuses what is not OTLP over UDP', () => {
    expect(() => decodeDatagram(Buffer.from('{"format":"json","version":1}\n{"name":"segment"}'))).toThrow('not an OTLP datagram');
  });
});
