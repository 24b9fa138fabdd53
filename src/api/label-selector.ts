// Label selectors evaluated in the client, for listers over an informer's store: the string
// form (`app=web,tier!=db,env in (a,b),!legacy`) and metav1.LabelSelector (matchLabels +
// matchExpressions), with the semantics of k8s.io/apimachinery/pkg/labels. The server has its
// own parser with full validation; the client keeps a small one so it never imports server code.

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** metav1.LabelSelector, as workload specs carry it. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export type Labels = Record<string, string> | undefined;
export type LabelMatcher = (labels: Labels) => boolean;

/** A matcher for a selector; no selector (or an empty one) matches everything. */
export function labelMatcher(selector?: string | LabelSelector): LabelMatcher {
  const requirements = typeof selector === 'string' ? parseLabelSelector(selector) : fromLabelSelector(selector ?? {});
  return (labels) => requirements.every((r) => matches(r, labels ?? {}));
}

function fromLabelSelector(selector: LabelSelector): LabelSelectorRequirement[] {
  const fromLabels = Object.entries(selector.matchLabels ?? {}).map(([key, value]): LabelSelectorRequirement => ({ key, operator: 'In', values: [value] }));
  return [...fromLabels, ...(selector.matchExpressions ?? [])];
}

function matches(r: LabelSelectorRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case 'In': return has && (r.values ?? []).includes(labels[r.key]);
    // `!=` and `notin` match objects without the label, as labels.Requirement.Matches does.
    case 'NotIn': return !has || !(r.values ?? []).includes(labels[r.key]);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
  }
}

/** Parses the string form into requirements; throws on text it cannot read. */
export function parseLabelSelector(text: string): LabelSelectorRequirement[] {
  const requirements: LabelSelectorRequirement[] = [];
  for (const term of splitTerms(text)) {
    let m: RegExpMatchArray | null;
    if ((m = term.match(/^!\s*([^\s=!(),]+)$/))) requirements.push({ key: m[1], operator: 'DoesNotExist' });
    else if ((m = term.match(/^([^\s=!(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/))) {
      requirements.push({ key: m[1], operator: m[2] === '!=' ? 'NotIn' : 'In', values: [m[3]] });
    } else if ((m = term.match(/^([^\s=!(),]+)\s+(in|notin)\s*\(([^()]*)\)$/))) {
      const values = m[3].split(',').map((v) => v.trim());
      requirements.push({ key: m[1], operator: m[2] === 'in' ? 'In' : 'NotIn', values });
    } else if ((m = term.match(/^([^\s=!(),]+)$/))) requirements.push({ key: m[1], operator: 'Exists' });
    else throw new Error(`unable to parse requirement: ${JSON.stringify(term)}`);
  }
  return requirements;
}

/** Splits on commas outside parentheses (the commas inside `in (a,b)` belong to the term). */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t);
}

/** The string form of a metav1.LabelSelector, for a `labelSelector` query parameter. */
export function formatLabelSelector(selector: LabelSelector): string {
  return fromLabelSelector(selector).map((r) => {
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In': return values.length === 1 ? `${r.key}=${values[0]}` : `${r.key} in (${values.join(',')})`;
      case 'NotIn': return `${r.key} notin (${values.join(',')})`;
      case 'Exists': return r.key;
      case 'DoesNotExist': return `!${r.key}`;
    }
  }).join(',');
}
