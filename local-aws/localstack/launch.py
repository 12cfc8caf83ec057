"""Starts LocalStack (localstack-core) as a host process, adapted to a machine without a container
registry and without DynamoDB Local. Python because it runs inside LocalStack's own interpreter
(local-aws/localstack/start.sh installs and calls it).

Changes to LocalStack's behaviour, all made here rather than in its installed files:

1. Lambda runtime images are used as they are when present. LocalStack pulls the image of a
   function's runtime before creating the function, even when the tag exists locally; with no
   registry every function would end `Failed`. The images are built locally
   (local-aws/images/build.sh) and named by LAMBDA_RUNTIME_IMAGE_MAPPING.
2. DynamoDB is served by moto (which LocalStack bundles and uses for many services) instead of
   DynamoDB Local, whose licence the project does not take on. Every DynamoDB operation goes to
   moto's backend through LocalStack's moto dispatcher; CloudFormation, the functions and the CLI
   reach it through LocalStack's gateway like any other service.
3. API Gateway integrations with Lambda response streaming (the integration URI
   `…/2021-11-15/functions/<arn>/response-streaming-invocations`) are accepted and answered: the
   function is invoked and its streamed payload (the HTTP prelude, eight NUL bytes, the body) becomes
   the response, buffered rather than streamed.
4. CloudFormation custom resources (`Custom::*`, `AWS::CloudFormation::CustomResource`) run: the
   community edition records them without calling their function, so the CDK's own handlers (the
   bucket notifications, the integ tests' assertions) would never run. Here the ServiceToken's
   Lambda function is invoked with CloudFormation's request (Create, Update or Delete), it answers by
   PUT to the ResponseURL (a route of LocalStack's gateway), and its Status, Reason,
   PhysicalResourceId and Data become the resource's outcome and attributes.
5. AWS::CloudWatch::Dashboard is created with PutDashboard (the community edition has no resource
   provider for it and would only record it).
6. S3's EventBridge events carry the object key as it is. LocalStack puts the URL-encoded key of its
   S3 event notifications (`holiday%20photo%2B1.jpg`) into `detail.object.key` too; the key
   patterns of EventBridge rules (`{"prefix": "images/"}`) are written with keys as they are, and the
   functions read the EventBridge key that way (S3 event notifications alone encode it).
7. Lambda layers are unpacked into /opt of the function's container, as Lambda does (the open-source
   edition stores layers but starts containers without them: the CDK's BucketDeployment, for one,
   needs the AWS CLI layer at /opt/awscli).
8. With DNS on (local-aws.ts, `awsUrls`), LocalStack's DNS server also answers API Gateway's own
   names, `<api>.execute-api.<region>.amazonaws.com`, with LocalStack's address, and custom
   resources get an HTTPS ResponseURL on port 443 (TAP_RESPONSE_URL_BASE): the CDK's Node.js
   handlers send their answer to that host and port whatever the URL says.
"""

import os
import sys


def skip_pull_of_present_images() -> None:
    from localstack.services.lambda_.invocation import docker_runtime_executor as executor
    from localstack.utils.docker_utils import DOCKER_CLIENT

    ensure_present = executor._ensure_runtime_image_present

    def ensure_runtime_image_present(image, platform):
        try:
            DOCKER_CLIENT.inspect_image(image, pull=False)
        except Exception:  # noqa: BLE001 - absent locally: LocalStack's own path (a pull)
            return ensure_present(image, platform)
        executor.PULLED_IMAGES.add((image, platform))

    executor._ensure_runtime_image_present = ensure_runtime_image_present


def dynamodb_from_moto() -> None:
    from localstack.services import providers
    from localstack.services.plugins import Service, aws_provider

    @aws_provider(api="dynamodb")
    def dynamodb():
        from localstack.aws.api.dynamodb import DynamodbApi
        from localstack.services.moto import MotoFallbackDispatcher

        class MotoDynamoDBProvider(DynamodbApi):
            """Every operation is answered by moto's DynamoDB backend."""

        return Service.for_provider(MotoDynamoDBProvider(), dispatch_table_factory=MotoFallbackDispatcher)

    providers.dynamodb = dynamodb


STREAMING_PATH = "path/2021-11-15/functions/"
STREAMING_SUFFIX = "/response-streaming-invocations"
PRELUDE_DELIMITER = b"\0" * 8


def api_gateway_response_streaming() -> None:
    import functools
    import json

    from localstack.services.apigateway.helpers import get_moto_rest_api
    from localstack.services.apigateway.next_gen.execute_api.integrations import aws
    from localstack.services.apigateway.next_gen.provider import ApigatewayNextGenProvider

    put_integration = ApigatewayNextGenProvider.put_integration

    @functools.wraps(put_integration)
    def put_streaming_integration(self, context, request, **kwargs):
        uri = request.get("uri") or ""
        if request.get("type") != "AWS_PROXY" or STREAMING_PATH not in uri or not uri.endswith(STREAMING_SUFFIX):
            return put_integration(self, context, request, **kwargs)
        # Validated and stored as the buffered form, then given back its own URI.
        buffered = uri.replace(STREAMING_PATH, "path/2015-03-31/functions/").removesuffix(STREAMING_SUFFIX) + "/invocations"
        response = put_integration(self, context, {**request, "uri": buffered}, **kwargs)
        api = get_moto_rest_api(context=context, rest_api_id=request["restApiId"])
        api.resources[request["resourceId"]].resource_methods[request["httpMethod"]].method_integration.uri = uri
        response["uri"] = uri
        return response

    ApigatewayNextGenProvider.put_integration = put_streaming_integration

    function_arn_of = aws.get_lambda_function_arn_from_invocation_uri
    aws.get_lambda_function_arn_from_invocation_uri = lambda uri: function_arn_of(uri.removesuffix(STREAMING_SUFFIX))

    parse = aws.RestApiAwsProxyIntegration.parse_lambda_response

    def parse_lambda_response(self, payload: bytes):
        at = payload.find(PRELUDE_DELIMITER)
        if payload.startswith(b"{") and at > 0:
            try:
                prelude = json.loads(payload[:at])
            except ValueError:
                prelude = None
            if isinstance(prelude, dict) and "statusCode" in prelude:
                return {
                    "statusCode": prelude["statusCode"],
                    "headers": prelude.get("headers") or {},
                    "body": payload[at + len(PRELUDE_DELIMITER):].decode("utf-8"),
                }
        return parse(self, payload)

    aws.RestApiAwsProxyIntegration.parse_lambda_response = parse_lambda_response


CUSTOM_RESOURCE_TIMEOUT_S = 300


def custom_resources() -> None:
    import json
    import logging
    import threading
    import uuid

    from localstack import config
    from localstack.http import Response
    from localstack.services.cloudformation.resource_provider import (
        OperationStatus,
        ProgressEvent,
        ResourceProvider,
        ResourceProviderExecutor,
    )
    from localstack.services.edge import ROUTER
    from localstack.services.lambda_.networking import get_main_endpoint_from_container

    LOG = logging.getLogger("localstack.custom_resources")
    responses: dict[str, dict] = {}
    # The engine hands Update and Delete the template's properties, not the resource's outcome: the
    # physical ids the functions returned are kept here, by stack and logical id.
    physical_ids: dict[tuple[str, str], str] = {}
    arrived = threading.Condition()

    def receive(request, request_id):
        with arrived:
            responses[request_id] = json.loads(request.get_data() or b"{}")
            arrived.notify_all()
        return Response(status=200)

    ROUTER.add(path="/_tap/cloudformation-response/<request_id>", endpoint=receive, methods=["PUT", "POST"])

    class LambdaBackedCustomResourceProvider(ResourceProvider):
        TYPE = "AWS::CloudFormation::CustomResource"
        SCHEMA = {"primaryIdentifier": ["/PhysicalResourceId"]}

        def _call(self, request, request_type: str, old_properties=None):
            key = (request.stack_name, request.logical_resource_id)
            physical_id = physical_ids.get(key) if request_type != "Create" else None
            properties = dict(request.desired_state or {})
            token = properties.get("ServiceToken", "")
            if ":lambda:" not in token:
                return ProgressEvent(OperationStatus.FAILED, resource_model={},
                                     message=f"custom resource {request.logical_resource_id}: only Lambda ServiceTokens run here, got {token!r}")
            request_id = str(uuid.uuid4())
            port = config.GATEWAY_LISTEN[0].port
            base = os.environ.get("TAP_RESPONSE_URL_BASE") or f"http://{get_main_endpoint_from_container()}:{port}"
            event = {
                "RequestType": request_type,
                "ServiceToken": token,
                "ResponseURL": f"{base}/_tap/cloudformation-response/{request_id}",
                "StackId": request.stack_id,
                "RequestId": request_id,
                "LogicalResourceId": request.logical_resource_id,
                "ResourceType": request.resource_type,
                "ResourceProperties": _as_sent(properties),
            }
            if physical_id:
                event["PhysicalResourceId"] = physical_id
            if old_properties is not None:
                event["OldResourceProperties"] = _as_sent(old_properties)
            invoked = request.aws_client_factory.lambda_.invoke(FunctionName=token, Payload=json.dumps(event).encode())
            with arrived:
                arrived.wait_for(lambda: request_id in responses, timeout=CUSTOM_RESOURCE_TIMEOUT_S if "FunctionError" not in invoked else 1)
                answer = responses.pop(request_id, None)
            if answer is None:
                payload = invoked["Payload"].read().decode("utf-8", "replace")[:2000]
                return ProgressEvent(OperationStatus.FAILED, resource_model={},
                                     message=f"custom resource {request.logical_resource_id}: {token} sent no response ({payload})")
            # One line per answer in LocalStack's log (integ:local prints the assertions' from it).
            LOG.info("custom resource %s %s %s: %s %s %s", request.logical_resource_id, request.resource_type, request_type,
                     answer.get("Status"), json.dumps((answer.get("Data") or {}).get("assertion") or answer.get("Reason") or ""),
                     json.dumps(properties.get("parameters") or properties.get("url") or ""))
            if answer.get("Status") != "SUCCESS":
                # A failed Create is still deleted on rollback, under the id its answer gave.
                if request_type == "Create":
                    physical_ids[key] = answer.get("PhysicalResourceId") or request_id
                return ProgressEvent(OperationStatus.FAILED, resource_model={},
                                     message=answer.get("Reason") or f"custom resource {request.logical_resource_id} failed")
            # Fn::GetAtt reads the resource's model: the function's Data, over its properties.
            model = {**properties, **(answer.get("Data") or {})}
            model["PhysicalResourceId"] = answer.get("PhysicalResourceId") or physical_id or request_id
            if request_type == "Delete":
                physical_ids.pop(key, None)
            else:
                physical_ids[key] = model["PhysicalResourceId"]
            return ProgressEvent(OperationStatus.SUCCESS, resource_model=model)

        def create(self, request):
            return self._call(request, "Create")

        def update(self, request):
            return self._call(request, "Update", old_properties=request.previous_state or {})

        def delete(self, request):
            event = self._call(request, "Delete")
            return ProgressEvent(event.status, resource_model={}, message=event.message)

        def read(self, request):
            raise NotImplementedError

    class DashboardProvider(ResourceProvider):
        TYPE = "AWS::CloudWatch::Dashboard"
        SCHEMA = {"primaryIdentifier": ["/DashboardName"]}

        def create(self, request):
            model = dict(request.desired_state)
            model.setdefault("DashboardName", f"{request.stack_name}-{request.logical_resource_id}")
            request.aws_client_factory.cloudwatch.put_dashboard(DashboardName=model["DashboardName"], DashboardBody=model["DashboardBody"])
            return ProgressEvent(OperationStatus.SUCCESS, resource_model=model)

        def update(self, request):
            previous = request.previous_state or {}
            model = dict(request.desired_state)
            model.setdefault("DashboardName", previous.get("DashboardName") or f"{request.stack_name}-{request.logical_resource_id}")
            request.aws_client_factory.cloudwatch.put_dashboard(DashboardName=model["DashboardName"], DashboardBody=model["DashboardBody"])
            return ProgressEvent(OperationStatus.SUCCESS, resource_model=model)

        def delete(self, request):
            name = (request.desired_state or {}).get("DashboardName") or f"{request.stack_name}-{request.logical_resource_id}"
            request.aws_client_factory.cloudwatch.delete_dashboards(DashboardNames=[name])
            return ProgressEvent(OperationStatus.SUCCESS, resource_model={})

        def read(self, request):
            raise NotImplementedError

    load = ResourceProviderExecutor.try_load_resource_provider

    def try_load_resource_provider(resource_type):
        if resource_type and (resource_type.startswith("Custom::") or resource_type == LambdaBackedCustomResourceProvider.TYPE):
            return LambdaBackedCustomResourceProvider()
        if resource_type == DashboardProvider.TYPE:
            return DashboardProvider()
        return load(resource_type)

    ResourceProviderExecutor.try_load_resource_provider = staticmethod(try_load_resource_provider)


def _as_sent(value):
    """Properties as CloudFormation sends them to a custom resource: every scalar a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict):
        return {k: _as_sent(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_as_sent(v) for v in value]
    return value


def eventbridge_keys_as_they_are() -> None:
    import json
    from urllib.parse import unquote

    from localstack.services.s3.notifications import EventBridgeNotifier

    payload_of = EventBridgeNotifier._get_event_payload

    def event_payload(ctx, *args, **kwargs):
        entry = payload_of(ctx, *args, **kwargs)
        detail = json.loads(entry["Detail"])
        if isinstance(detail.get("object"), dict) and "key" in detail["object"]:
            detail["object"]["key"] = unquote(detail["object"]["key"])
            entry["Detail"] = json.dumps(detail)
        return entry

    EventBridgeNotifier._get_event_payload = staticmethod(event_payload)


def layers_in_opt() -> None:
    from localstack.services.lambda_ import hooks as lambda_hooks

    start_hook = lambda_hooks.start_docker_executor

    class LayersThenHook:
        def run(self, container_config, function_version, *args, **kwargs):
            for layer in function_version.config.layers or []:
                if layer.code is not None:
                    layer.code.prepare_for_execution()
                    container_config.copy_folders.append((f"{layer.code.get_unzipped_code_location()}/.", "/opt"))
            return start_hook.run(container_config, function_version, *args, **kwargs)

        def __getattr__(self, name):
            return getattr(start_hook, name)

    lambda_hooks.start_docker_executor = LayersThenHook()


def api_gateway_names_in_dns() -> None:
    import dns.message
    import dns.query
    from localstack.dns import server as dns_server

    dns_server.NAME_PATTERNS_POINTING_TO_LOCALSTACK.append(r".*\.execute-api\.[a-z0-9-]+\.amazonaws\.com")

    # LocalStack's health check asks 127.0.0.1; the server listens on the bridge address only.
    def health(self):
        try:
            query = dns.message.make_query("localhost.localstack.cloud", "A")
            address = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
            return len(dns.query.udp(query, address, port=self.port, timeout=0.5).answer) > 0
        except Exception:
            return False

    dns_server.DnsServer.health = health


if __name__ == "__main__":
    skip_pull_of_present_images()
    api_gateway_names_in_dns()
    layers_in_opt()
    eventbridge_keys_as_they_are()
    dynamodb_from_moto()
    api_gateway_response_streaming()
    custom_resources()
    from localstack.runtime.main import main

    sys.exit(main())
