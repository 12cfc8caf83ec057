/**
 * The integ test's API client: a Lambda function that sends one request to the deployed API, signed
 * with SigV4 by its own role (as any IAM-authorized caller would), and answers the status and the
 * parsed JSON body. integ-tests' `httpApiCall` cannot sign; its `invokeFunction` runs this.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../../../local-aws/sha256';

export interface ApiCall {
  readonly method: 'GET' | 'POST';
  /** The full URL, query included. */
  readonly url: string;
  /** A JSON body (POST). */
  readonly body?: unknown;
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

export async function handler(call: ApiCall): Promise<ApiAnswer> {
  const url = new URL(call.url);
  const body = call.body === undefined ? undefined : JSON.stringify(call.body);
  const signer = new SignatureV4({
    service: 'execute-api',
    region: process.env.AWS_REGION!,
    sha256: Sha256,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID!,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY!,
      sessionToken: process.env.AWS_SESSION_TOKEN,
    },
  });
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, name) => { query[name] = value; });
  const signed = await signer.sign({
    method: call.method,
    protocol: url.protocol,
    hostname: url.hostname,
    path: url.pathname,
    query,
    headers: { host: url.host, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body,
  });
  const response = await fetch(url, { method: call.method, headers: signed.headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch { /* not JSON: answered as text */ }
  return { status: response.status, body: parsed };
}
