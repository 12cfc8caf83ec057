// The Node.js runtime of the local Lambda image: a client of the Lambda Runtime API
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html), which the emulator's runtime
// init serves at AWS_LAMBDA_RUNTIME_API inside the function's container. It loads the handler named
// by _HANDLER from LAMBDA_TASK_ROOT once (CommonJS or ES module), then loops: take the next event,
// call the handler with a Lambda context, post its result or its error.
//
// AWS's own client (aws-lambda-ric) builds a native module; this one needs only Node.js. It gives
// functions what the managed runtime gives them and this project's functions use: the context, the
// trace header in _X_AMZN_TRACE_ID, callback- and promise-style handlers, and the `awslambda` global
// with streamifyResponse and HttpResponseStream. A streamed response is collected and posted
// whole (prelude, eight NUL bytes, body): the emulator's Invoke returns what
// InvokeWithResponseStream would stream.
'use strict';
const http = require('http');
const path = require('path');
const { Writable } = require('stream');
const { pathToFileURL } = require('url');

const [apiHost, apiPort] = (process.env.AWS_LAMBDA_RUNTIME_API || '').split(':');
if (!apiHost) {
  console.error('AWS_LAMBDA_RUNTIME_API is not set: this runtime runs inside a Lambda execution environment');
  process.exit(1);
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const req = http.request({
      host: apiHost,
      port: Number(apiPort || 80),
      path: `/2018-06-01/runtime${urlPath}`,
      method,
      agent,
      headers: { ...headers, ...(data ? { 'Content-Length': data.length } : {}) },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

function errorBody(err) {
  const e = err instanceof Error ? err : new Error(typeof err === 'string' ? err : JSON.stringify(err));
  return {
    errorType: e.name || 'Error',
    errorMessage: e.message,
    trace: typeof e.stack === 'string' ? e.stack.split('\n') : [],
  };
}

async function postError(urlPath, err) {
  const body = errorBody(err);
  console.error(JSON.stringify({ level: 'ERROR', ...body }));
  await call('POST', urlPath, JSON.stringify(body), {
    'Content-Type': 'application/json',
    'Lambda-Runtime-Function-Error-Type': `Runtime.${body.errorType}`,
  });
}

// awslambda.streamifyResponse / HttpResponseStream.from, as the managed runtime gives them.
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const PRELUDE_DELIMITER = Buffer.alloc(8);
globalThis.awslambda = {
  ...globalThis.awslambda,
  streamifyResponse(fn) {
    fn[STREAMING] = 'response';
    return fn;
  },
  HttpResponseStream: {
    from(stream, prelude) {
      stream.write(Buffer.concat([Buffer.from(JSON.stringify(prelude)), PRELUDE_DELIMITER]));
      return stream;
    },
  },
};

async function loadHandler() {
  const spec = process.env._HANDLER || '';
  const taskRoot = process.env.LAMBDA_TASK_ROOT || '/var/task';
  const dot = spec.lastIndexOf('.');
  if (dot <= 0) throw Object.assign(new Error(`bad handler "${spec}": expected <module>.<function>`), { name: 'Runtime.MalformedHandlerName' });
  const base = path.resolve(taskRoot, spec.slice(0, dot));
  const exportPath = spec.slice(dot + 1).split('.');
  const fs = require('fs');
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => fs.existsSync(f));
  if (!file) throw Object.assign(new Error(`Cannot find module '${base}' (tried .js, .mjs, .cjs)`), { name: 'Runtime.ImportModuleError' });
  let mod;
  if (file.endsWith('.mjs')) {
    mod = await import(pathToFileURL(file).href);
  } else {
    try {
      mod = require(file);
    } catch (err) {
      if (err && err.code === 'ERR_REQUIRE_ESM') mod = await import(pathToFileURL(file).href);
      else throw err;
    }
  }
  let fn = mod;
  for (const name of exportPath) fn = fn == null ? undefined : fn[name];
  if (typeof fn !== 'function') throw Object.assign(new Error(`${spec} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  return fn;
}

function contextFor(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const parse = (h) => (h ? JSON.parse(h) : undefined);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parse(headers['lambda-runtime-client-context']),
    identity: parse(headers['lambda-runtime-cognito-identity']),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

async function invokeStreaming(fn, event, context) {
  const chunks = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  stream.setContentType = () => {};
  const finished = new Promise((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  await fn(event, stream, context);
  if (!stream.writableEnded) stream.end();
  await finished;
  return Buffer.concat(chunks);
}

function invokeHandler(fn, event, context) {
  if (fn[STREAMING]) return invokeStreaming(fn, event, context);
  return new Promise((resolve, reject) => {
    const callback = (err, result) => (err ? reject(err) : resolve(result));
    const returned = fn(event, context, callback);
    if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
    else if (fn.length < 3) resolve(returned);
  });
}

async function main() {
  let fn;
  try {
    fn = await loadHandler();
  } catch (err) {
    await postError('/init/error', err);
    process.exit(1);
  }
  for (;;) {
    const next = await call('GET', '/invocation/next');
    const requestId = next.headers['lambda-runtime-aws-request-id'];
    if (next.headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'];
    else delete process.env._X_AMZN_TRACE_ID;
    let event;
    try {
      event = JSON.parse(next.body.toString('utf8'));
    } catch (err) {
      await postError(`/invocation/${requestId}/error`, err);
      continue;
    }
    try {
      const result = await invokeHandler(fn, event, contextFor(next.headers));
      const body = Buffer.isBuffer(result) && fn[STREAMING] ? result : JSON.stringify(result === undefined ? null : result);
      await call('POST', `/invocation/${requestId}/response`, body, { 'Content-Type': 'application/json' });
    } catch (err) {
      await postError(`/invocation/${requestId}/error`, err);
    }
  }
}

// An error nothing catches ends the execution environment, as in the managed runtime.
process.on('unhandledRejection', (reason) => {
  console.error(JSON.stringify({ level: 'ERROR', message: 'unhandled rejection', ...errorBody(reason) }));
  process.exit(128);
});
main().catch((err) => {
  console.error(JSON.stringify({ level: 'ERROR', message: 'runtime failure', ...errorBody(err) }));
  process.exit(1);
});
