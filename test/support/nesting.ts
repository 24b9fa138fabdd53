// Test support: values and CRD schemas nested a given number of levels deep, for the depth bounds.

/** An object schema whose `properties` nest `levels` deep: {type: object, properties: {a: {...}}}. */
export function nestedSchema(levels: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: 'string' };
  for (let i = 0; i < levels; i++) schema = { type: 'object', properties: { a: schema } };
  return schema;
}

/** {a: {a: … 'leaf'}} nested `levels` deep, built iteratively. */
export function nestedValue(levels: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}
