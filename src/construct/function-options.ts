import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * Settings of one of the construct's Lambda functions. Unset members fall back to
 * `functionDefaults`, then to the construct's per-function defaults.
 */
export interface TapFunctionOptions {
  /**
   * Memory of the function, in MiB (128 to 10240). CPU is allocated in proportion.
   *
   * The image processor's 1024 MiB covers the worst case of the default `imageMaxPixels`
   * (100 MP). Measured peak RSS of the whole function process (Node.js, AWS SDK, download,
   * decode, encode; `bench/measure-image-rss.ts`, figures in docs/images.md): 119 MB for a 2.5 MB
   * 24 MP photo JPEG (decoded shrunk on load), 175 MB for an 18 MB 24 MP JPEG, and 563 MB for a
   * 100 MP interlaced RGBA PNG (decoded whole).
   *
   * @default - 1024 for the image processor, 512 for the data validator, 256 for the notification handler
   */
  readonly memorySize?: number;

  /**
   * Timeout of one invocation.
   *
   * @default - 1 minute for the image processor, 5 minutes for the data validator,
   * 10 seconds for the notification handler (at most 29 seconds: API Gateway's limit)
   */
  readonly timeout?: Duration;

  /**
   * Processor architecture.
   *
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;

  /**
   * Reserved concurrent executions: caps the function's concurrency and guarantees it.
   *
   * @default - no reservation (the account's unreserved pool is used)
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * Additional environment variables. Names starting with `TAP_` or `POWERTOOLS_` are
   * reserved for the construct.
   *
   * @default - none
   */
  readonly environment?: { [key: string]: string };

  /**
   * The VPC to run the function in. The function then reaches S3 and DynamoDB only through the
   * VPC's routes: give the VPC gateway endpoints for S3 and DynamoDB (or a NAT gateway). The
   * execution role gets the AWS-managed `AWSLambdaVPCAccessExecutionRole` policy for its network
   * interfaces.
   *
   * @default - the function does not run in a VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Where in `vpc` the function's network interfaces are placed. Only with `vpc`.
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the function's network interfaces. Only with `vpc`.
   *
   * @default - a security group is created that allows all outbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * Lambda layers added to the function (an extension, for example). Per-function layers are added
   * after those of `functionDefaults`.
   *
   * @default - no layers
   */
  readonly layers?: lambda.ILayerVersion[];
}
