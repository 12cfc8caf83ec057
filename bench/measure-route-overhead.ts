// Measures what a route's dispatcher adds to each object: the Python example processor
// (examples/csv-summary) invoked directly through the local Lambda service, against the bundled
// dispatcher receiving the object's S3 event and invoking the same function (its outcome check, the
// Invoke, the outcome written). Same objects, alternating which goes first; moto on 127.0.0.1.
// Absolute times are this machine's; the difference is the dispatcher's own calls and the extra hop.
// Usage: npx ts-node --project tsconfig.dev.json bench/measure-route-overhead.ts [objects]
import * as path from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { summarize } from './stats';
import {
  createBucket, createNotificationsTable, dynamoClient, emulatorClientConfig, s3Client, s3Event, s3FunctionEnv, s3Record, startBundledFunction,
} from '../emulator/bundled';
import { functionArn, LambdaService } from '../emulator/lambda-service';
import { LocalFunction } from '../emulator/local-function';
import { EMULATOR_AWS_ENV, pythonBin, ROOT, startMoto } from '../emulator/moto';

const BUCKET = 'bench-routes';
const TABLE = 'bench-routes-table';
const WARMUP = 10;

async function main(): Promise<void> {
  const objects = Number(process.argv[2] ?? 50);
  const moto = await startMoto();
  const started: Array<{ stop: () => Promise<void> }> = [moto];
  try {
    const s3 = s3Client(moto.endpoint);
    await createBucket(s3, BUCKET);
    await createNotificationsTable(dynamoClient(moto.endpoint), TABLE);
    const fn = await LocalFunction.start({
      assetDir: path.join(ROOT, 'examples', 'csv-summary'), handler: 'handler.handler', functionName: 'csv', python: path.join(pythonBin(), 'python'),
      environment: { ...EMULATOR_AWS_ENV, AWS_ENDPOINT_URL: moto.endpoint },
    });
    started.push(fn);
    const service = await LambdaService.start({ functions: [{ name: 'csv', fn, environment: {} }], sqs: new SQSClient(emulatorClientConfig(moto.endpoint)) });
    started.push(service);
    const dispatcher = await startBundledFunction('route-dispatcher', {
      ...s3FunctionEnv(TABLE, BUCKET), TAP_ROUTE_NAME: 'csv', TAP_ROUTE_PREFIX: 'csv/', TAP_ROUTE_FUNCTION: functionArn('csv'), AWS_ENDPOINT_URL_LAMBDA: service.endpoint,
    }, moto.endpoint);
    started.push(dispatcher);
    const lambda = new LambdaClient(emulatorClientConfig(service.endpoint));
    const body = Buffer.from('a,b\n' + Array.from({ length: 200 }, (_, i) => `${i},${i * 2}`).join('\n') + '\n');
    const direct: number[] = [];
    const dispatched: number[] = [];
    const timed = async (into: number[], run: () => Promise<unknown>) => {
      const t = process.hrtime.bigint();
      await run();
      into.push(Number(process.hrtime.bigint() - t) / 1e6);
    };
    for (let i = 0; i < objects + WARMUP; i++) {
      const key = `csv/o${i}.csv`;
      const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
      const request = { version: 1, route: 'csv', bucket: BUCKET, key, versionId: put.VersionId, eTag: put.ETag?.replace(/"/g, ''), size: body.length, fingerprint: 'x' };
      const runDirect = () => timed(direct, () => lambda.send(new InvokeCommand({ FunctionName: 'csv', Payload: Buffer.from(JSON.stringify(request)) })));
      const runDispatched = () => timed(dispatched, () => dispatcher.invoke(s3Event(s3Record(BUCKET, key, put, body.length))));
      if (i % 2 === 0) {
        await runDirect();
        await runDispatched();
      } else {
        await runDispatched();
        await runDirect();
      }
    }
    lambda.destroy();
    const [d, r] = [summarize(direct.slice(WARMUP)), summarize(dispatched.slice(WARMUP))];
    console.log(JSON.stringify({
      objects, warmup: WARMUP,
      directMs: { median: +d.median.toFixed(1), min: +d.min.toFixed(1), max: +d.max.toFixed(1) },
      dispatchedMs: { median: +r.median.toFixed(1), min: +r.min.toFixed(1), max: +r.max.toFixed(1) },
      overheadMedianMs: +(r.median - d.median).toFixed(1),
    }));
  } finally {
    for (const s of started.reverse()) await s.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
