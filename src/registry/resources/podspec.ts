// Stub: filled in shortly. Signatures are final.
import type { FieldError } from '../../api/errors.ts';

export function defaultPodSpec(spec: any): void { void spec; }
export function defaultPodTemplateSpec(template: any): void { void template; }
export function validatePodSpec(spec: any, path: string): FieldError[] { void spec; void path; return []; }
export function validatePodTemplateSpec(template: any, path: string): FieldError[] { void template; void path; return []; }
export function podSpecImages(spec: any): string { return (spec?.containers ?? []).map((c: any) => c.image).join(','); }
export function podSpecContainerNames(spec: any): string { return (spec?.containers ?? []).map((c: any) => c.name).join(','); }
