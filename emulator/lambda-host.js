// A minimal local Lambda host: loads one bundled function in its own Node.js process (as the
// Lambda runtime does: real module loading, its own environment) and invokes its handler for
// each event received over IPC. Started by local-function.ts.
'use strict';
const path = require('path');
const { Writable } = require('stream');

// The Lambda Node.js runtime gives every function an `awslambda` global; response-streaming
// handlers (GET /notifications/export) wrap themselves with its streamifyResponse and open the HTTP
// response with HttpResponseStream.from, which writes the prelude (status and headers, as JSON)
// and 8 NUL bytes before the body. This host provides both. It invokes a streamified handler with
// a stream it collects, and the invocation's result is what API Gateway sends the client: the
// prelude's status and headers, and the body.
const STREAMING = Symbol('streamifyResponse');
const PRELUDE_DELIMITER = Buffer.alloc(8);
globalThis.awslambda = {
  ...globalThis.awslambda,
  streamifyResponse(fn) {
    const streamed = async () => {
      throw new Error('a streamified handler is invoked by the host with a response stream');
    };
    streamed[STREAMING] = fn;
    return streamed;
  },
  HttpResponseStream: {
    from(stream, prelude) {
      stream.write(Buffer.concat([Buffer.from(JSON.stringify(prelude)), PRELUDE_DELIMITER]));
      return stream;
    },
  },
};

async function invokeStreaming(fn, event, context) {
  const chunks = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  const finished = new Promise((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  await fn(event, stream, context);
  if (!stream.writableEnded) throw new Error('the handler returned without ending its response stream');
  await finished;
  const all = Buffer.concat(chunks);
  const at = all.indexOf(PRELUDE_DELIMITER);
  if (at < 0) throw new Error('the handler wrote no HTTP prelude (awslambda.HttpResponseStream.from) before its body');
  const prelude = JSON.parse(all.subarray(0, at).toString('utf8'));
  return { statusCode: prelude.statusCode, headers: prelude.headers ?? {}, body: all.subarray(at + PRELUDE_DELIMITER.length).toString('utf8') };
}

const [, , assetDir, handlerSpec, functionName, timeoutMs] = process.argv;
const dot = handlerSpec.lastIndexOf('.');
const modulePath = path.join(assetDir, handlerSpec.slice(0, dot));
const exportName = handlerSpec.slice(dot + 1);

let handler;
try {
  handler = require(modulePath)[exportName];
  if (typeof handler !== 'function') throw new Error(`${handlerSpec} is not a function in ${assetDir}`);
} catch (err) {
  process.send({ type: 'init-error', error: { name: err.name, message: err.message, stack: err.stack } });
  process.exit(1);
}

let invocation = 0;
process.on('message', async (msg) => {
  if (msg.type !== 'invoke') return;
  invocation += 1;
  const deadline = Date.now() + Number(timeoutMs);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE || '128',
    awsRequestId: `local-${process.pid}-${invocation}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = handler[STREAMING]
      ? await invokeStreaming(handler[STREAMING], msg.event, context)
      : await handler(msg.event, context);
    process.send({ type: 'result', id: msg.id, result: result === undefined ? null : result });
  } catch (err) {
    process.send({ type: 'error', id: msg.id, error: { name: err && err.name, message: err && err.message, stack: err && err.stack } });
  }
});
process.send({ type: 'ready' });
