// Stands in for `@aws-sdk/credential-provider-node` in the function bundles (projenrc/bundles.ts,
// FUNCTION_BUNDLING). Every AWS SDK v3 client imports that package's `defaultProvider`, the full
// credential chain of a workstation: environment, SSO, shared config files, credential processes,
// web identity, container and instance metadata. Its SSO, login and web-identity links bring their
// own STS/SSO/sign-in clients, about 95 KiB of each minified bundle that a Lambda function never
// runs: Lambda hands a function its execution role's credentials in environment variables
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), and environments that serve them
// from a container endpoint instead set AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI.
//
// So the functions' chain is those two links, with the SDK's own providers, and a clear error
// when neither applies. The operations CLI (src/cli) is bundled without this shim: it keeps the
// full chain (profiles, SSO). test/runtime/lambda-credentials.bundled.test.ts checks the bundled
// behaviour.
'use strict';
const { fromEnv } = require('@aws-sdk/credential-provider-env');
const { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } = require('@smithy/core');
const { CredentialsProviderError } = require('@smithy/core/config');

const CONTAINER_URIS = ['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'];

function defaultProvider(init = {}) {
  // Fetched once per client and reused until five minutes before they expire, as the SDK's chain does.
  return memoizeIdentityProvider(async (identityProperties) => {
    if (process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY) {
      return fromEnv(init)(identityProperties);
    }
    if (CONTAINER_URIS.some((name) => process.env[name])) {
      // Loaded only here, as the SDK's chain loads it: its HTTP client costs about 8 ms of module load.
      const { fromHttp } = require('@aws-sdk/credential-provider-http');
      return fromHttp(init)(identityProperties);
    }
    throw new CredentialsProviderError(
      'No AWS credentials: this function bundle reads them from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY '
      + '(as Lambda sets them) or from AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI; '
      + 'profiles, SSO and instance metadata are not bundled',
      { tryNextLink: false, logger: init.logger },
    );
  }, isIdentityExpired, doesIdentityRequireRefresh);
}

const credentialsWillNeedRefresh = (credentials) => credentials?.expiration !== undefined;
const credentialsTreatedAsExpired = (credentials) => credentials?.expiration !== undefined
  && credentials.expiration.getTime() - Date.now() < 300000;

module.exports = { defaultProvider, credentialsWillNeedRefresh, credentialsTreatedAsExpired };
