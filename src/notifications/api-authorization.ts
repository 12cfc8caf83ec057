import * as cognito from 'aws-cdk-lib/aws-cognito';

/**
 * How callers authenticate to the `/notifications` endpoints.
 */
export enum ApiAuthorizationType {
  /** Signature Version 4 signed requests, authorized by IAM policies. */
  IAM = 'IAM',
  /** No authorization: anyone who knows the URL may call the API. */
  NONE = 'NONE',
  /** A JWT from an Amazon Cognito user pool. */
  COGNITO = 'COGNITO',
  /** An API key sent in the `x-api-key` header (identifies callers; it is not strong authentication). */
  API_KEY = 'API_KEY',
}

/**
 * Options for Cognito user pool authorization.
 */
export interface CognitoAuthorizationOptions {
  /**
   * OAuth scopes the access token must carry (one of them suffices).
   *
   * @default - an ID token or any access token from the user pools is accepted
   */
  readonly scopes?: string[];
}

/**
 * The authorization of the `/notifications` endpoints of the API.
 *
 * `/status` is always public: it is a health check that reveals nothing but the
 * environment name.
 *
 * @example
 * ApiAuthorization.iam(); // the default
 * ApiAuthorization.cognito([userPool], { scopes: ['notifications/read'] });
 */
export class ApiAuthorization {
  /**
   * AWS IAM (SigV4) authorization. Grant callers `execute-api:Invoke` on the API.
   */
  public static iam(): ApiAuthorization {
    return new ApiAuthorization(ApiAuthorizationType.IAM, [], []);
  }

  /**
   * No authorization. Use only behind another control (a private network, a WAF rule).
   */
  public static none(): ApiAuthorization {
    return new ApiAuthorization(ApiAuthorizationType.NONE, [], []);
  }

  /**
   * Amazon Cognito user pool authorization.
   *
   * @param userPools the user pools whose tokens are accepted (at least one)
   */
  public static cognito(userPools: cognito.IUserPool[], options: CognitoAuthorizationOptions = {}): ApiAuthorization {
    if (userPools.length === 0) {
      throw new Error('ApiAuthorization.cognito(userPools): userPools is empty; pass at least one user pool.');
    }
    return new ApiAuthorization(ApiAuthorizationType.COGNITO, userPools, options.scopes ?? []);
  }

  /**
   * API key authorization. The construct creates an API key and a usage plan bound to
   * the stage, with the stage's throttling; distribute the key to callers.
   */
  public static apiKey(): ApiAuthorization {
    return new ApiAuthorization(ApiAuthorizationType.API_KEY, [], []);
  }

  /** The authorization type. */
  public readonly type: ApiAuthorizationType;
  /** The Cognito user pools, for `COGNITO` authorization; empty otherwise. */
  public readonly userPools: cognito.IUserPool[];
  /** The required OAuth scopes, for `COGNITO` authorization; empty otherwise. */
  public readonly scopes: string[];

  private constructor(type: ApiAuthorizationType, userPools: cognito.IUserPool[], scopes: string[]) {
    this.type = type;
    this.userPools = userPools;
    this.scopes = scopes;
  }
}
