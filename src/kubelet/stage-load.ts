// Loads and checks stage bundles: YAML files of Stage documents, read once at start. A bundle
// that does not parse, names an unknown operator or has a bad expression fails loudly here,
// never later in the middle of a pod's lifecycle.
import { readFileSync } from 'node:fs';
import { packageRoot } from '../package-root.ts';
import { parseAllDocuments } from 'yaml';
import { parseExpression } from './expression.ts';
import { stageApiVersion, type Stage } from './stage-types.ts';

/** The bundles shipped with kubelite, in `<repo>/stages/`. */
export const stagesDir = `${packageRoot}stages/`;
export const defaultStageBundle = `${stagesDir}pod-default.yaml`;

const operators = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

export function loadStageBundle(path: string = defaultStageBundle): Stage[] {
  return parseStageBundle(readFileSync(path, 'utf8'), path);
}

export function parseStageBundle(text: string, source = 'stages'): Stage[] {
  const stages: Stage[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`${source}: ${doc.errors[0].message}`);
    const value = doc.toJS() as Stage | null;
    if (value === null || value === undefined) continue;
    checkStage(value, source);
    stages.push(value);
  }
  const names = new Set<string>();
  for (const s of stages) {
    if (names.has(s.metadata.name)) throw new Error(`${source}: stage "${s.metadata.name}" is defined twice`);
    names.add(s.metadata.name);
  }
  return stages;
}

function checkStage(stage: Stage, source: string): void {
  const where = `${source}: stage "${stage?.metadata?.name ?? '?'}"`;
  if (stage.apiVersion !== stageApiVersion || stage.kind !== 'Stage') throw new Error(`${where}: want apiVersion ${stageApiVersion}, kind Stage`);
  if (!stage.metadata?.name) throw new Error(`${where}: metadata.name is required`);
  if (stage.spec?.resourceRef?.kind !== 'Pod') throw new Error(`${where}: spec.resourceRef.kind must be Pod`);
  if (!stage.spec.next || typeof stage.spec.next !== 'object') throw new Error(`${where}: spec.next is required`);
  for (const r of stage.spec.selector?.matchExpressions ?? []) {
    if (!operators.has(r.operator)) throw new Error(`${where}: unknown operator "${r.operator}"`);
    if ((r.operator === 'In' || r.operator === 'NotIn') && !r.values?.length) throw new Error(`${where}: ${r.key} ${r.operator} needs values`);
    checkExpressions(r.key, where);
  }
  const delay = stage.spec.delay ?? {};
  for (const from of [delay.durationFrom, delay.notAfterFrom]) if (from) checkExpressions(from.expressionFrom, where);
  checkExpressions(stage.spec.next, where);
}

/** Parses every expression in a value, so that typos fail at load time. */
function checkExpressions(value: unknown, where: string): void {
  if (typeof value === 'string') {
    const exprs = [...value.matchAll(/\{\{(.*?)\}\}/g)].map((m) => m[1]);
    if (!exprs.length && /^\$?\./.test(value.trim())) exprs.push(value.trim());
    for (const e of exprs) {
      try {
        parseExpression(e);
      } catch (err) {
        throw new Error(`${where}: ${(err as Error).message}`);
      }
    }
  } else if (Array.isArray(value)) value.forEach((v) => checkExpressions(v, where));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => checkExpressions(v, where));
}
