// Server-side apply and metadata.managedFields (structured-merge-diff + the apiserver's field manager).
export {
  FieldSet, comparePathElements, keyElement, parsePathElement, pathElementString, pathString, serializePathElement,
  type JsonValue, type Path, type PathElement,
} from './fieldset.ts';
export { childType, definitionType, objectType, schemaTypeAt, type SchemaType } from './schema-types.ts';
export { compare, merge, removeItems, toFieldSet, type Comparison } from './typed.ts';
export {
  ancientChangesManager, beforeFirstApplyManager, decodeManagedFields, encodeManagedFields, formatTime,
  ignoreManagedFieldsTimestamps, managerFromUserAgent, managerIdentifier, managersOf, resetFieldsFor,
  updateManagedFields, zeroObject, type ManagerEntry, type UpdateManagedFieldsOptions,
} from './managed-fields.ts';
export { applyConfiguration, lastAppliedAnnotation, type ApplyOptions, type ApplyResult } from './apply.ts';
