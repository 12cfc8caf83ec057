/**
 * The deepest nesting of arrays and objects that a JSON Schema accepts, worked out from the schema
 * at synth. When it is within `dataMaxJsonDepth`, a record the schema accepts cannot be too deep, and
 * the data validator checks the depth of invalid records only (the depth check was the largest
 * per-record cost of its own, `npx projen bench`).
 *
 * The bound is an upper bound, never an underestimate: every keyword that could admit deeper values
 * than the bound counts as "unbounded" (`undefined`). Keywords that only narrow what is accepted
 * (`not`, `if`/`then`/`else`, `dependencies`, `unevaluatedProperties`, `minItems`, …) are left out,
 * which can only make the bound larger than it need be.
 */

import { DATA_LIMITS } from '../contract/data-limits';

/** No bound is useful above the highest `dataMaxJsonDepth` a deployment may set. */
const USEFUL = DATA_LIMITS.maxJsonDepth.max;
const UNBOUNDED = Number.POSITIVE_INFINITY;
const SCALAR_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null']);

/**
 * The deepest nesting (a scalar is 0, an object or array 1 more than its deepest member) of any
 * value valid against `schema`, or `undefined` when the schema does not bound it to at most 1000
 * levels (recursive or remote `$ref`s, objects open to any property, arrays of any item, …).
 *
 * @param draft the schema's draft (`draft-07`, `draft-06`, `2019-09`, `2020-12`): it decides what `items` means
 */
export function schemaDepthBound(schema: unknown, draft: string): number | undefined {
  if (hasNestedId(schema, 0, true)) return undefined; // "#/…" inside a subschema with its own $id resolves elsewhere
  const bound = new DepthBound(schema, draft).of(schema, 0);
  return bound <= USEFUL ? bound : undefined;
}

/**
 * The `$ref`s followed: to the root, or to a definition by a name of plain URI characters. ajv
 * checks these places against the draft's meta-schema (`$defs` only from 2019-09 on), so the
 * keywords found there have the shapes the bound assumes; it reads a ref's characters as a URI
 * (a `#` ends the pointer, some characters are dropped or replaced), so any other character could
 * make it resolve a different definition than the one read here.
 */
const LOCAL_REF = /^#(?:\/(definitions|\$defs)\/((?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+))?$/;

/** The nesting depth of a JSON value (a scalar is 0), counted up to just past {@link USEFUL}. */
export function valueDepth(value: unknown, level = 0): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (level > USEFUL) return UNBOUNDED;
  let members = 0;
  for (const member of Array.isArray(value) ? value : Object.values(value)) {
    members = Math.max(members, valueDepth(member, level + 1));
  }
  return members + 1;
}

class DepthBound {
  /** Bounds of the `$ref` targets worked out so far, by JSON pointer. */
  private readonly refs = new Map<string, number>();
  /** `$ref` targets being worked out: meeting one again is a recursive schema. */
  private readonly open = new Set<string>();

  /** 2020-12: `prefixItems` and `items` for the rest, instead of an `items` array and `additionalItems`. */
  private readonly prefixItems: boolean;
  /** Whether the draft's meta-schema checks `$defs` (2019-09 on; earlier drafts check `definitions` only). */
  private readonly defs: boolean;

  constructor(private readonly root: unknown, draft: string) {
    this.prefixItems = draft === '2020-12';
    this.defs = draft === '2019-09' || draft === '2020-12';
  }

  /** The bound of one (sub)schema met `level` schemas below the root (deeper than USEFUL: unbounded). */
  public of(schema: unknown, level: number): number {
    if (schema === false) return 0; // nothing is valid
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema) || level > USEFUL) return UNBOUNDED;
    const s = schema as Record<string, unknown>;
    if (s.$recursiveRef !== undefined || s.$dynamicRef !== undefined) return UNBOUNDED;
    // A value valid against a schema with $ref is valid against the $ref's target: its bound holds
    // whether or not the draft applies the keywords beside $ref.
    if (s.$ref !== undefined) return this.ofRef(s.$ref, level);

    let bound = Math.min(this.ofValues(s), this.ofTypes(s, level));
    if (Array.isArray(s.allOf)) {
      for (const sub of s.allOf) bound = Math.min(bound, this.of(sub, level + 1));
    }
    for (const alternatives of [s.anyOf, s.oneOf]) {
      if (Array.isArray(alternatives)) bound = Math.min(bound, deepest(alternatives.map((sub) => this.of(sub, level + 1))));
    }
    return bound;
  }

  /** `const` and `enum` list every valid value. */
  private ofValues(s: Record<string, unknown>): number {
    if ('const' in s) return valueDepth(s.const);
    if (Array.isArray(s.enum)) return deepest(s.enum.map((v) => valueDepth(v)));
    return UNBOUNDED;
  }

  /** What `type` allows, with the members `properties` and `items` allow for objects and arrays. */
  private ofTypes(s: Record<string, unknown>, level: number): number {
    // As ajv reads `type`: an empty list (or string) checks no type at all.
    const listed = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    const types = listed.length > 0 ? listed : undefined;
    if (types !== undefined && types.every((t) => SCALAR_TYPES.has(t as string))) return 0;
    let bound = 0;
    if (types === undefined || types.includes('object')) bound = Math.max(bound, this.ofObject(s, level));
    if (types === undefined || types.includes('array')) bound = Math.max(bound, this.ofArray(s, level));
    return bound;
  }

  private ofObject(s: Record<string, unknown>, level: number): number {
    // Properties not named by `properties` or `patternProperties` are limited by `additionalProperties` alone.
    let members = s.additionalProperties === undefined ? UNBOUNDED : this.member(s.additionalProperties, level);
    for (const group of [s.properties, s.patternProperties]) {
      if (typeof group === 'object' && group !== null) {
        for (const sub of Object.values(group)) members = Math.max(members, this.member(sub, level));
      }
    }
    return 1 + Math.max(0, members);
  }

  private ofArray(s: Record<string, unknown>, level: number): number {
    let members: number;
    if (this.prefixItems) {
      // 2020-12: prefixItems for the first items, items (a schema) for the rest.
      if (Array.isArray(s.items)) return UNBOUNDED;
      members = s.items === undefined ? UNBOUNDED : this.member(s.items, level);
      if (Array.isArray(s.prefixItems)) for (const sub of s.prefixItems) members = Math.max(members, this.member(sub, level));
    } else if (Array.isArray(s.items)) {
      // A tuple: its items, then additionalItems for the rest.
      members = s.additionalItems === undefined ? UNBOUNDED : this.member(s.additionalItems, level);
      for (const sub of s.items) members = Math.max(members, this.member(sub, level));
    } else {
      members = s.items === undefined ? UNBOUNDED : this.member(s.items, level);
    }
    return 1 + Math.max(0, members);
  }

  /** The bound of a member's schema; a member that can never be present (`false`) adds nothing. */
  private member(sub: unknown, level: number): number {
    return sub === false ? Number.NEGATIVE_INFINITY : this.of(sub, level + 1);
  }

  private ofRef(ref: unknown, level: number): number {
    if (typeof ref !== 'string') return UNBOUNDED;
    const local = LOCAL_REF.exec(ref);
    if (local === null) return UNBOUNDED; // remote, an anchor, a pointer elsewhere or with other characters
    if (local[1] === '$defs' && !this.defs) return UNBOUNDED;
    const known = this.refs.get(ref);
    if (known !== undefined) return known;
    if (this.open.has(ref)) return UNBOUNDED; // recursive
    const [, kind, name] = local;
    const target = kind === undefined ? this.root : definition(this.root, kind, name);
    if (target === undefined) return UNBOUNDED;
    this.open.add(ref);
    const bound = this.of(target, level + 1);
    this.open.delete(ref);
    this.refs.set(ref, bound);
    return bound;
  }
}

/** The deepest of some bounds; of none, 0 (`anyOf: []` accepts nothing). */
function deepest(bounds: readonly number[]): number {
  let max = 0;
  for (const bound of bounds) max = Math.max(max, bound);
  return max;
}

/** The definition `#/<kind>/<name>` of `root` (`name` as in the pointer: percent- and `~`-escaped), or `undefined`. */
function definition(root: unknown, kind: string, name: string): unknown {
  let key: string;
  try {
    key = decodeURIComponent(name).replace(/~1/g, '/').replace(/~0/g, '~');
  } catch {
    return undefined;
  }
  const defs = (root as Record<string, unknown>)[kind];
  return typeof defs === 'object' && defs !== null && Object.prototype.hasOwnProperty.call(defs, key)
    ? (defs as Record<string, unknown>)[key]
    : undefined;
}

/** Whether any subschema below the root (or any value inside the schema) has an `$id`. */
function hasNestedId(node: unknown, level: number, isRoot: boolean): boolean {
  if (typeof node !== 'object' || node === null) return false;
  if (level > USEFUL) return true; // too deep to look through: assume the worst
  if (!isRoot && !Array.isArray(node) && typeof (node as Record<string, unknown>).$id === 'string') return true;
  for (const child of Array.isArray(node) ? node : Object.values(node)) {
    if (hasNestedId(child, level + 1, false)) return true;
  }
  return false;
}
