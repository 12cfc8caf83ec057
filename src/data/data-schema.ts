import * as fs from 'fs';
import { Token } from 'aws-cdk-lib';

/**
 * The JSON Schema that records of uploaded data files must satisfy.
 *
 * The schema is compiled when the stack is synthesized: a schema that does not compile fails
 * `cdk synth` with the compiler's message. Drafts 06 and 07 (the default when `$schema` is
 * absent), 2019-09 and 2020-12 are supported, with the formats of ajv-formats (`email`,
 * `date-time`, `uri`, …). `$ref`s must resolve inside the schema. At most 256 KB.
 *
 * @example
 * DataSchema.fromFile(path.join(__dirname, 'order.schema.json'));
 * DataSchema.fromJson(JSON.stringify({ type: 'object', required: ['id'] }));
 */
export class DataSchema {
  /**
   * A schema read from a JSON file when the construct is created.
   *
   * @param path path of the schema file (JSON, UTF-8)
   */
  public static fromFile(path: string): DataSchema {
    let text: string;
    try {
      text = fs.readFileSync(path, 'utf8');
    } catch (err) {
      throw new Error(`DataSchema.fromFile: cannot read the schema file ${JSON.stringify(path)} (${(err as Error).message}). ` +
        'Pass the path of a JSON Schema file, e.g. path.join(__dirname, \'record.schema.json\').');
    }
    return new DataSchema(text, `file ${path}`);
  }

  /**
   * A schema given as JSON text, e.g. `JSON.stringify({...})`.
   *
   * @param json the schema, as JSON text
   */
  public static fromJson(json: string): DataSchema {
    if (Token.isUnresolved(json)) {
      throw new Error('DataSchema.fromJson: the schema must be a literal string, not a token (it is compiled at synth). ' +
        'Pass JSON text such as JSON.stringify({ type: "object" }).');
    }
    return new DataSchema(json, 'inline JSON');
  }

  /** The schema, as JSON text. */
  public readonly json: string;

  /** Where the schema came from, for messages: `file <path>` or `inline JSON`. */
  public readonly origin: string;

  private constructor(json: string, origin: string) {
    this.json = json;
    this.origin = origin;
  }
}
