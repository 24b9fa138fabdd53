// Hash routes (#/cluster, #/object/apps/v1/deployments/default/web/yaml …): the page is one
// static file, links are plain anchors (keyboard and middle-click work), Back works.
import { useEffect, useState } from 'preact/hooks';

export function currentRoute(): string[] {
  return location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
}

export function useRoute(): string[] {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const onChange = () => setRoute(currentRoute());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function href(...parts: (string | undefined)[]): string {
  return `#/${parts.map((p) => encodeURIComponent(p ?? '_')).join('/')}`;
}

export function navigate(...parts: (string | undefined)[]): void {
  location.hash = href(...parts);
}

/** The link to an object's page: its group ("core" for the legacy group), version and plural. */
export function objectHref(ref: { group: string; version: string; plural: string; namespace?: string; name: string }, tab = 'yaml'): string {
  return href('object', ref.group || 'core', ref.version, ref.plural, ref.namespace || '_', ref.name, tab);
}
