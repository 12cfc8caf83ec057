// A minimal local Lambda host: loads one bundled function in its own Node.js process (as the
// Lambda runtime does: real module loading, its own environment) and invokes its handler for
// each event received over IPC. Started by local-function.ts.
'use strict';
const path = require('path');

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
    const result = await handler(msg.event, context);
    process.send({ type: 'result', id: msg.id, result: result === undefined ? null : result });
  } catch (err) {
    process.send({ type: 'error', id: msg.id, error: { name: err && err.name, message: err && err.message, stack: err && err.stack } });
  }
});
process.send({ type: 'ready' });
