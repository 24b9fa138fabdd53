// metav1 validation's ValidateFieldManager, run on the fieldManager query parameter of every
// create, update and patch: at most 128 bytes, every character printable (unicode.IsPrint).
import { errors, field, type FieldError } from '../../api/errors.ts';

export const fieldManagerMaxLength = 128;

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

export function fieldManagerErrors(fieldManager: string): FieldError[] {
  const errs: FieldError[] = [];
  if (Buffer.byteLength(fieldManager) > fieldManagerMaxLength) errs.push(field.tooLong('fieldManager', fieldManager, fieldManagerMaxLength));
  let position = 0;
  for (const ch of fieldManager) {
    if (!printable.test(ch)) {
      const code = ch.codePointAt(0)!;
      errs.push(field.invalid('fieldManager', fieldManager,
        `invalid character U+${code.toString(16).toUpperCase().padStart(4, '0')} (at position ${position})`));
    }
    position += Buffer.byteLength(ch); // Go ranges over a string by byte offset
  }
  return errs;
}

/** The 422 kube answers: `CreateOptions.meta.k8s.io "" is invalid: fieldManager: ...`. */
export function checkFieldManager(fieldManager: string | undefined, options: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions'): void {
  if (!fieldManager) return;
  const errs = fieldManagerErrors(fieldManager);
  if (errs.length > 0) throw errors.invalid(options, 'meta.k8s.io', '', errs);
}
