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

const order = (id: number, extra: Record<string, unknown> = {}) => ({
  id, customer: `Customer ${id}`, email: `c${id}@example.com`, quantity: id, price: 9.99, paid: true, ...extra,
});

export async function demoSamples(): Promise<DemoSample[]> {
  const ndjson = Array.from({ length: 5 }, (_, i) => JSON.stringify(order(i + 1))).join('\n') + '\n';
  const csv = [
    'id,customer,email,quantity,price,paid',
    '1,Ada,ada@example.com,2,19.90,true',
    '2,Grace,grace@example.com,-3,5.00,false', // quantity below the minimum
    '3,Linus,not-an-email,1,7.50,true', // not an email
  ].join('\n') + '\n';
  const report = (record: any) => [record.reportKey ?? `reports/${record.key}.report.json`];
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
      description: '5 orders that satisfy examples/schema/order.schema.json',
      expect: 'data.valid',
      expectOutputs: report,
    },
    {
      key: 'data/orders-bad rows.csv',
      body: Buffer.from(csv),
      contentType: 'text/csv',
      description: '3 orders, 2 of them invalid (row 2: quantity, row 3: email)',
      expect: 'data.invalid',
      expectOutputs: report,
    },
    {
      key: 'thumbnails/not-an-input.webp',
      body: Buffer.from('output'),
      contentType: 'image/webp',
      description: 'a key under an output prefix: no function may be triggered by it',
    },
  ];
}
