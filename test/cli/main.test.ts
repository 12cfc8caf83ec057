import { defaultClients } from '../../src/cli/main';

describe('defaultClients', () => {
  test('SQS requests go to the endpoint the environment gives (AWS_ENDPOINT_URL), not to the queue URL\'s host', () => {
    // GIVEN an endpoint in front of every service (a local AWS, whose queue URLs name hosts that only resolve elsewhere)
    const clients = defaultClients({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' });
    // THEN the SQS client keeps to it
    expect(clients.sqs.config.useQueueUrlAsEndpoint).toBe(false);
  });

  test('an SQS-only endpoint (AWS_ENDPOINT_URL_SQS) does the same', () => {
    expect(defaultClients({ AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4566' }).sqs.config.useQueueUrlAsEndpoint).toBe(false);
  });

  test('without an endpoint, requests follow the queue URL (the SDK\'s default, right on AWS)', () => {
    expect(defaultClients({}).sqs.config.useQueueUrlAsEndpoint).toBe(true);
  });
});
