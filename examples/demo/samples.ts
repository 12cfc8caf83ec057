/**
 * The files the demo uploads, and the outcome each must end in.
 */
export interface DemoSample {
  /** Object key (not encoded). */
  readonly key: string;
  readonly body: Buffer;
  readonly contentType: string;
  readonly description: string;
  /** The notification type the upload must be recorded as; undefined: must not be routed to any function. */
  readonly expect?: string;
  /** Output key prefixes that must exist afterwards, given the function's summary record. */
  readonly expectOutputs?: (record: any) => string[];
}

export async function demoSamples(): Promise<DemoSample[]> {
  const ndjson = Array.from({ length: 5 }, (_, i) => JSON.stringify({ orderId: `o-${i + 1}`, quantity: i + 1, price: 9.99 })).join('\n') + '\n';
  return [
    {
      key: 'images/holiday photo+1.jpg',
      body: Buffer.from('placeholder image bytes'),
      contentType: 'image/jpeg',
      description: 'an image (key with a space and a +)',
      expect: 'image.received',
    },
    {
      key: 'data/orders.ndjson',
      body: Buffer.from(ndjson),
      contentType: 'application/x-ndjson',
      description: 'a data file',
      expect: 'data.received',
    },
    {
      key: 'thumbnails/not-an-input.webp',
      body: Buffer.from('output'),
      contentType: 'image/webp',
      description: 'a key under an output prefix: no function may be triggered by it',
    },
  ];
}
