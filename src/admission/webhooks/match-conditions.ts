// A webhook's matchConditions: CEL expressions over object, oldObject and request; the
// webhook is called only when all are true (kube's matchconditions.Matcher). An expression
// that fails to compile or evaluate fails the request under failurePolicy Fail and skips the
// webhook under Ignore, with kube's wording.
import { errors } from '../../api/errors.ts';
import { compileExpression } from '../../apiextensions/cel.ts';
import { admissionActivation } from '../cel-activation.ts';
import type { AdmissionAttributes } from '../../registry/admission.ts';

interface Hook {
  name: string;
  failurePolicy?: 'Fail' | 'Ignore';
  matchConditions?: Array<{ name: string; expression: string }>;
}

const compiled = new Map<string, ReturnType<typeof compileExpression>>();

function program(expression: string) {
  let p = compiled.get(expression);
  if (!p) {
    p = compileExpression(expression);
    compiled.set(expression, p);
  }
  return p;
}

export function matchConditionsAllow(hook: Hook, a: AdmissionAttributes): boolean {
  const conditions = hook.matchConditions ?? [];
  if (conditions.length === 0) return true;
  const vars = admissionActivation(a);
  for (const c of conditions) {
    let result: unknown;
    try {
      result = program(c.expression)(vars);
    } catch (err) {
      if (hook.failurePolicy === 'Ignore') return false;
      throw errors.internal(`failed calling webhook "${hook.name}": failed to evaluate match condition ${JSON.stringify(c.name)}: ${(err as Error).message.split('\n')[0]}`);
    }
    if (result !== true) return false;
  }
  return true;
}
