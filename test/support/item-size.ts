/**
 * The size DynamoDB bills an item by, from its native (document client) value, by the rules
 * DynamoDB documents: attribute name bytes plus value bytes; strings and binary by their length
 * (UTF-8); numbers about 1 byte per 2 significant digits plus 1; booleans and null 1 byte; a map
 * or list 3 bytes plus 1 byte per element, plus its elements; a set the sum of its elements.
 */
export function dynamoItemSize(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name, 'utf8') + valueSize(value), 0);
}

function valueSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/[.e+-]/g, '').replace(/^0+/, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, v) => sum + valueSize(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueSize(v), 0);
  if (typeof value === 'object' && value !== undefined) {
    return 3 + Object.entries(value as Record<string, unknown>)
      .reduce((sum, [name, v]) => sum + 1 + Buffer.byteLength(name, 'utf8') + valueSize(v), 0);
  }
  return 0;
}
