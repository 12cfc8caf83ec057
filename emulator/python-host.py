"""A minimal local Lambda host for Python functions: loads one handler in its own process (as the
Lambda Python runtime does: real imports, its own environment) and invokes it for each event it
receives over the IPC channel Node.js opened for it (NODE_CHANNEL_FD: one JSON message per line).
Speaks the same messages as lambda-host.js. Started by local-function.ts."""
import importlib
import json
import os
import sys
import time
import traceback

asset_dir, handler_spec, function_name, timeout_ms = sys.argv[1:5]
channel = int(os.environ.pop("NODE_CHANNEL_FD"))
os.environ.pop("NODE_CHANNEL_SERIALIZATION_MODE", None)
reader = os.fdopen(channel, "rb", buffering=0)
writer = os.fdopen(os.dup(channel), "wb", buffering=0)


def send(message):
    writer.write(json.dumps(message).encode("utf-8") + b"\n")


def error_of(err):
    return {"name": type(err).__name__, "message": str(err), "stack": "".join(traceback.format_exception(err))}


class Context:
    """What the Lambda Python runtime passes as `context`."""

    def __init__(self, invocation, deadline):
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.aws_request_id = f"local-{os.getpid()}-{invocation}"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = deadline

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.time()) * 1000))


sys.path.insert(0, asset_dir)
module_name, _, export = handler_spec.rpartition(".")
try:
    handler = getattr(importlib.import_module(module_name), export)
except Exception as err:  # the runtime reports an init error and stops
    send({"type": "init-error", "error": error_of(err)})
    sys.exit(1)

send({"type": "ready"})
invocation = 0
buffer = b""
while True:
    chunk = reader.read(65536)
    if not chunk:
        break
    buffer += chunk
    while b"\n" in buffer:
        line, buffer = buffer.split(b"\n", 1)
        message = json.loads(line)
        if message.get("type") != "invoke":
            continue
        invocation += 1
        context = Context(invocation, time.time() + int(timeout_ms) / 1000)
        try:
            result = handler(message["event"], context)
            send({"type": "result", "id": message["id"], "result": result})
        except Exception as err:
            send({"type": "error", "id": message["id"], "error": error_of(err)})
        sys.stdout.flush()
