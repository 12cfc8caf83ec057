# The Python consumer app: installed from the wheel in dist/python, it must synthesize the same
# template as test/consumers/typescript/app.ts (test/consumers/run.sh). Keep the props identical.
# The part between the readme markers is the README's Python example (checked by check_readme.py).
# readme:start
from aws_cdk import App, CfnOutput, Duration, Stack
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from cdk_tap_serverless import ApiAuthorization, DataSchema, TapFunctionOptions, TapServerless, ThumbnailFormat

app = App()
stack = Stack(app, "TapConsumer")

tap = TapServerless(
    stack,
    "Tap",
    environment_suffix="consumer",
    # Ingest from an existing bucket and send failed events to an existing queue.
    bucket=s3.Bucket.from_bucket_name(stack, "Ingest", "tap-consumer-ingest"),
    dead_letter_queue=sqs.Queue.from_queue_arn(
        stack, "DeadLetters", "arn:aws:sqs:eu-west-1:123456789012:tap-consumer-dlq"
    ),
    api_cors_allowed_origins=["https://app.example.com", "https://admin.example.com"],
    api_authorization=ApiAuthorization.api_key(),
    api_throttling_rate_limit=20,
    api_throttling_burst_limit=40,
    # Validate data uploads against a JSON Schema; thumbnails in three widths, as AVIF.
    data_schema=DataSchema.from_file("schemas/order.schema.json"),
    image_thumbnail_widths=[160, 320, 640],
    image_thumbnail_format=ThumbnailFormat.AVIF,
    image_processor=TapFunctionOptions(memory_size=2048, timeout=Duration.minutes(2)),
    data_validator=TapFunctionOptions(environment={"INGEST_TEAM": "data-platform"}),
    retry_attempts=1,
    max_event_age=Duration.hours(1),
    log_retention=logs.RetentionDays.TWO_WEEKS,
    tags={"CostCenter": "cc-1234"},
)

CfnOutput(stack, "ApiUrl", value=tap.api_url)
CfnOutput(stack, "BucketName", value=tap.bucket.bucket_name)

app.synth()
# readme:end
