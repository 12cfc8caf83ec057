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
  /**
   * The route (`Route.fromFunction`) the sample is for: uploaded only where the app has it (the demo
   * synthesizes the example app with its csv-summary route; the local deployment runs Node.js functions only).
   */
  readonly route?: string;
}

const order = (id: number, extra: Record<string, unknown> = {}) => ({
  id, customer: `Customer ${id}`, email: `c${id}@example.com`, quantity: id, price: 9.99, paid: true, ...extra,
});

/** A 4000×3000 photo-like JPEG (gradient and noise), made with sharp, as a camera would upload. */
async function sampleJpeg(): Promise<Buffer> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sharp = require('sharp');
  const width = 4000;
  const height = 3000;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = (x * 255) / width;
      pixels[i + 1] = (y * 255) / height;
      pixels[i + 2] = ((x ^ y) & 0xff);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

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
      body: await sampleJpeg(),
      contentType: 'image/jpeg',
      description: 'a 4000×3000 JPEG (key with a space and a +)',
      expect: 'image.processed',
      expectOutputs: (record) => record.thumbnailKeys ?? ['thumbnails/holiday photo+1.jpg/'],
    },
    {
      key: 'images/not-really.jpg',
      body: Buffer.from('this is a text file with an image name'),
      contentType: 'image/jpeg',
      description: 'a text file named .jpg',
      expect: 'image.rejected',
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
      key: 'csv/sales 2026.csv',
      body: Buffer.from(['region,units,revenue,note', 'north,12,1499.50,', 'south,7,820.00,promo', 'east,,310.25,late', 'west,3,95.10,'].join('\r\n') + '\r\n'),
      contentType: 'text/csv',
      description: 'a CSV file for the csv-summary route: its Python function summarizes the rows',
      expect: 'csv-summary.summarized',
      route: 'csv-summary',
    },
    {
      key: 'csv/empty.csv',
      body: Buffer.alloc(0),
      contentType: 'text/csv',
      description: 'an empty file for the csv-summary route: the function raises InputError',
      expect: 'csv-summary.rejected',
      route: 'csv-summary',
    },
    {
      key: 'csv/notes.txt',
      body: Buffer.from('not a CSV file'),
      contentType: 'text/plain',
      description: 'a key under csv/ without the route\'s suffix (.csv): no function may be triggered by it',
      route: 'csv-summary',
    },
    {
      key: 'thumbnails/not-an-input.webp',
      body: Buffer.from('output'),
      contentType: 'image/webp',
      description: 'a key under an output prefix: no function may be triggered by it',
    },
  ];
}
