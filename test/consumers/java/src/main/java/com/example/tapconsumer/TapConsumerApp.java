// The Java consumer app: built against the Maven repository in dist/java, it must synthesize the same
// template as test/consumers/typescript/app.ts (test/consumers/run.sh). Keep the props identical.
// The part between the readme markers is the README's Java example (checked by check_readme.py).
// readme:start
package com.example.tapconsumer;

import io.github.tapserverless.cdk.ApiAuthorization;
import io.github.tapserverless.cdk.DataSchema;
import io.github.tapserverless.cdk.TapFunctionOptions;
import io.github.tapserverless.cdk.TapServerless;
import io.github.tapserverless.cdk.TapServerlessProps;
import io.github.tapserverless.cdk.ThumbnailFormat;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.sqs.Queue;

public final class TapConsumerApp {
    public static void main(final String[] args) {
        App app = new App();
        Stack stack = new Stack(app, "TapConsumer");

        TapServerless tap = new TapServerless(stack, "Tap", TapServerlessProps.builder()
                .environmentSuffix("consumer")
                // Ingest from an existing bucket and send failed events to an existing queue.
                .bucket(Bucket.fromBucketName(stack, "Ingest", "tap-consumer-ingest"))
                .deadLetterQueue(Queue.fromQueueArn(stack, "DeadLetters",
                        "arn:aws:sqs:eu-west-1:123456789012:tap-consumer-dlq"))
                .apiCorsAllowedOrigins(List.of("https://app.example.com", "https://admin.example.com"))
                .apiAuthorization(ApiAuthorization.apiKey())
                .apiThrottlingRateLimit(20)
                .apiThrottlingBurstLimit(40)
                // Validate data uploads against a JSON Schema; thumbnails in three widths, as AVIF.
                .dataSchema(DataSchema.fromFile("schemas/order.schema.json"))
                .imageThumbnailWidths(List.of(160, 320, 640))
                .imageThumbnailFormat(ThumbnailFormat.AVIF)
                .imageProcessor(TapFunctionOptions.builder()
                        .memorySize(2048)
                        .timeout(Duration.minutes(2))
                        .build())
                .dataValidator(TapFunctionOptions.builder()
                        .environment(Map.of("INGEST_TEAM", "data-platform"))
                        .build())
                .retryAttempts(1)
                .maxEventAge(Duration.hours(1))
                .logRetention(RetentionDays.TWO_WEEKS)
                .tags(Map.of("CostCenter", "cc-1234"))
                .build());

        CfnOutput.Builder.create(stack, "ApiUrl").value(tap.getApiUrl()).build();
        CfnOutput.Builder.create(stack, "BucketName").value(tap.getBucket().getBucketName()).build();

        app.synth();
    }
}
// readme:end
