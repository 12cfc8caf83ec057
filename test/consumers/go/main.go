// The Go consumer app: built against the Go module in dist/go (a replace in go.mod), it must
// synthesize the same template as test/consumers/typescript/app.ts (test/consumers/run.sh).
// Keep the props identical. The part between the readme markers is the README's Go example
// (checked by check_readme.py).
// readme:start
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
	"github.com/tapserverless/cdk-tap-serverless-go/cdktapserverless"
)

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("TapConsumer"), nil)

	tap := cdktapserverless.NewTapServerless(stack, jsii.String("Tap"), &cdktapserverless.TapServerlessProps{
		EnvironmentSuffix: jsii.String("consumer"),
		// Ingest from an existing bucket and send failed events to an existing queue.
		Bucket: awss3.Bucket_FromBucketName(stack, jsii.String("Ingest"), jsii.String("tap-consumer-ingest")),
		DeadLetterQueue: awssqs.Queue_FromQueueArn(stack, jsii.String("DeadLetters"),
			jsii.String("arn:aws:sqs:eu-west-1:123456789012:tap-consumer-dlq")),
		ApiCorsAllowedOrigins:   jsii.Strings("https://app.example.com", "https://admin.example.com"),
		ApiAuthorization:        cdktapserverless.ApiAuthorization_ApiKey(),
		ApiThrottlingRateLimit:  jsii.Number(20),
		ApiThrottlingBurstLimit: jsii.Number(40),
		// Validate data uploads against a JSON Schema; thumbnails in three widths, as AVIF.
		DataSchema:           cdktapserverless.DataSchema_FromFile(jsii.String("schemas/order.schema.json")),
		ImageThumbnailWidths: &[]*float64{jsii.Number(160), jsii.Number(320), jsii.Number(640)},
		ImageThumbnailFormat: cdktapserverless.ThumbnailFormat_AVIF,
		ImageProcessor: &cdktapserverless.TapFunctionOptions{
			MemorySize: jsii.Number(2048),
			Timeout:    awscdk.Duration_Minutes(jsii.Number(2)),
		},
		DataValidator: &cdktapserverless.TapFunctionOptions{
			Environment: &map[string]*string{"INGEST_TEAM": jsii.String("data-platform")},
		},
		RetryAttempts: jsii.Number(1),
		MaxEventAge:   awscdk.Duration_Hours(jsii.Number(1)),
		LogRetention:  awslogs.RetentionDays_TWO_WEEKS,
		Tags:          &map[string]*string{"CostCenter": jsii.String("cc-1234")},
	})

	awscdk.NewCfnOutput(stack, jsii.String("ApiUrl"), &awscdk.CfnOutputProps{Value: tap.ApiUrl()})
	awscdk.NewCfnOutput(stack, jsii.String("BucketName"), &awscdk.CfnOutputProps{Value: tap.Bucket().BucketName()})

	app.Synth(nil)
}

// readme:end
