import { Duration } from 'aws-cdk-lib';
import { ApiAuthorization } from './api-authorization';
import { ApiObjectiveOptions } from './api-objectives';

/**
 * The REST API of the notifications (`/notifications`, its export, `/status`): who may call it,
 * from which browser origins, how fast, its logs and its service-level objectives. Part of
 * {@link TapServerlessProps}.
 */
export interface NotificationsApiOptions {
  /**
   * Authorization of the `/notifications` endpoints. `/status` is always public.
   *
   * @default ApiAuthorization.iam()
   */
  readonly apiAuthorization?: ApiAuthorization;

  /**
   * Origins allowed to call the API from a browser (CORS). Preflight `OPTIONS`
   * requests are answered without authorization.
   *
   * @default - CORS disabled
   */
  readonly apiCorsAllowedOrigins?: string[];

  /**
   * Steady-state request rate limit of the API stage, in requests per second.
   *
   * @default 50
   */
  readonly apiThrottlingRateLimit?: number;

  /**
   * Burst limit of the API stage, in requests.
   *
   * @default 100
   */
  readonly apiThrottlingBurstLimit?: number;

  /**
   * Most `GET /notifications/export` calls that run at once: the export function's reserved
   * concurrency (each export holds one execution for up to 15 minutes). A call beyond it is
   * throttled by Lambda (API Gateway answers 500; the `NotificationExportThrottles` alarm counts
   * them), so exports can never take the account's concurrency from ingestion. The method is also
   * throttled to 1 request per second with a burst of this many (429 beyond). Reserving takes
   * this many from the account's unreserved concurrency, which must stay at 100 or more: an
   * account whose concurrency limit is under 100 + this cannot deploy it (ask for a higher limit).
   *
   * @default 2
   */
  readonly apiExportMaxConcurrency?: number;

  /**
   * Longest time range one `GET /notifications/export` call may cover (`until` − `since`). A
   * longer range is a 400 naming both bounds; without `since`, the range is this long, ending at
   * `until` (the trailer names it). From 1 hour to 366 days.
   *
   * @default Duration.days(31)
   */
  readonly apiExportMaxRange?: Duration;

  /**
   * Whether API access logs (JSON, one line per request) are written to CloudWatch Logs.
   *
   * @default true
   */
  readonly apiAccessLogging?: boolean;

  /**
   * Whether to create the account-level IAM role that lets API Gateway write logs to
   * CloudWatch (`AWS::ApiGateway::Account`). API Gateway needs it once per account and
   * region for access and execution logs; set `false` if your account already has it.
   *
   * The setting and its role are created once per stack (shared by every TapServerless in it)
   * and are always retained, whatever `removalPolicy` says: deleting them would leave the
   * region's API Gateway logging pointed at a role that no longer exists.
   *
   * @default true
   */
  readonly apiCloudWatchRole?: boolean;

  /**
   * Service-level objectives of the API: availability (request-based, on the stage's `Count` and
   * `5XXError` metrics) and latency (period-based, on its `Latency` percentile), over a rolling
   * window, each with a burn-rate alarm that joins `alarms` and the dashboard. They use API
   * Gateway's own metrics, so they work with or without `applicationSignals`.
   *
   * @default - no service-level objectives
   */
  readonly apiObjectives?: ApiObjectiveOptions;
}
