// The Pod Security Standards checks (k8s.io/pod-security-admission/policy), latest version,
// as data: each check has kube's ID (results are reported sorted by it), the level it belongs
// to, the checks it replaces at that level, and a function returning its forbidden reason and
// detail, worded as kube words them, or nothing when the pod passes.
import { arrayOf } from '../../registry/resources/podspec.ts';

export type Level = 'privileged' | 'baseline' | 'restricted';
export interface Violation { reason: string; detail: string }
export interface PodCheck {
  id: string;
  level: Exclude<Level, 'privileged'>;
  overrides?: string[];
  check(meta: any, spec: any): Violation | undefined;
}

interface Named { name: string; securityContext?: any; ports?: any[] }

function containersOf(spec: any): Named[] {
  return [...arrayOf(spec?.initContainers), ...arrayOf(spec?.containers), ...arrayOf(spec?.ephemeralContainers)];
}

/** `container "a"` / `containers "a", "b"`, as kube's pluralize + joinQuote. */
function containers(names: string[], noun = 'container'): string {
  return `${names.length === 1 ? noun : `${noun}s`} ${names.map((n) => `"${n}"`).join(', ')}`;
}

function violation(reason: string, details: string[]): Violation | undefined {
  return details.length ? { reason, detail: details.join('; ') } : undefined;
}

const baselineCapabilities = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const safeSysctls = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']);
const allowedVolumeTypes = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const seLinuxTypes = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

export const podChecks: PodCheck[] = [
  {
    id: 'allowPrivilegeEscalation', level: 'restricted',
    check: (_m, spec) => {
      const bad = containersOf(spec).filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => c.name);
      return violation('allowPrivilegeEscalation != false', bad.length ? [`${containers(bad)} must set securityContext.allowPrivilegeEscalation=false`] : []);
    },
  },
  {
    id: 'appArmorProfile', level: 'baseline',
    check: (meta, spec) => {
      const bad: string[] = [];
      const ok = (t: unknown) => t === undefined || t === 'RuntimeDefault' || t === 'Localhost';
      if (!ok(spec?.securityContext?.appArmorProfile?.type)) bad.push(`pod must not set securityContext.appArmorProfile.type to "${spec.securityContext.appArmorProfile.type}"`);
      for (const c of containersOf(spec)) {
        if (!ok(c.securityContext?.appArmorProfile?.type)) bad.push(`container "${c.name}" must not set securityContext.appArmorProfile.type to "${c.securityContext.appArmorProfile.type}"`);
      }
      for (const [k, v] of Object.entries<string>(meta?.annotations ?? {})) {
        if (k.startsWith('container.apparmor.security.beta.kubernetes.io/') && v !== 'runtime/default' && !v.startsWith('localhost/')) bad.push(`${k}="${v}"`);
      }
      return violation('forbidden AppArmor profile', bad);
    },
  },
  {
    id: 'capabilities_baseline', level: 'baseline',
    check: (_m, spec) => {
      const bad = new Map<string, string[]>();
      for (const c of containersOf(spec)) {
        for (const cap of arrayOf(c.securityContext?.capabilities?.add)) if (!baselineCapabilities.has(cap)) bad.set(c.name, [...(bad.get(c.name) ?? []), cap]);
      }
      return violation('non-default capabilities', [...bad].map(([n, caps]) => `container "${n}" must not include ${caps.map((x) => `"${x}"`).join(', ')} in securityContext.capabilities.add`));
    },
  },
  {
    id: 'capabilities_restricted', level: 'restricted', overrides: ['capabilities_baseline'],
    check: (_m, spec) => {
      const noDrop: string[] = [];
      const added = new Map<string, string[]>();
      for (const c of containersOf(spec)) {
        if (!arrayOf(c.securityContext?.capabilities?.drop).includes('ALL')) noDrop.push(c.name);
        for (const cap of arrayOf(c.securityContext?.capabilities?.add)) if (cap !== 'NET_BIND_SERVICE') added.set(c.name, [...(added.get(c.name) ?? []), cap]);
      }
      const details = noDrop.length ? [`${containers(noDrop)} must set securityContext.capabilities.drop=["ALL"]`] : [];
      for (const [n, caps] of added) details.push(`container "${n}" must not include ${caps.map((x) => `"${x}"`).join(', ')} in securityContext.capabilities.add`);
      return violation('unrestricted capabilities', details);
    },
  },
  {
    id: 'hostNamespaces', level: 'baseline',
    check: (_m, spec) => {
      const on = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((k) => spec?.[k] === true).map((k) => `${k}=true`);
      return violation('host namespaces', on.length ? [on.join(', ')] : []);
    },
  },
  {
    id: 'hostPathVolumes', level: 'baseline',
    check: (_m, spec) => {
      const bad = arrayOf(spec?.volumes).filter((v) => v?.hostPath).map((v) => v.name);
      return violation('hostPath volumes', bad.length ? [containers(bad, 'volume')] : []);
    },
  },
  {
    id: 'hostPorts', level: 'baseline',
    check: (_m, spec) => {
      const details: string[] = [];
      for (const c of containersOf(spec)) {
        const ports = arrayOf(c.ports).map((p) => p?.hostPort).filter((p) => p);
        if (ports.length) details.push(`${containers([c.name])} ${ports.length === 1 ? 'uses hostPort' : 'use hostPorts'} ${ports.join(', ')}`);
      }
      return violation('hostPort', details);
    },
  },
  {
    id: 'privileged', level: 'baseline',
    check: (_m, spec) => {
      const bad = containersOf(spec).filter((c) => c.securityContext?.privileged === true).map((c) => c.name);
      return violation('privileged', bad.length ? [`${containers(bad)} must not set securityContext.privileged=true`] : []);
    },
  },
  {
    id: 'procMount', level: 'baseline',
    check: (_m, spec) => {
      const bad = containersOf(spec).filter((c) => c.securityContext?.procMount && c.securityContext.procMount !== 'Default').map((c) => c.name);
      return violation('procMount', bad.length ? [`${containers(bad)} must not set securityContext.procMount to "Unmasked"`] : []);
    },
  },
  {
    id: 'restrictedVolumes', level: 'restricted',
    check: (_m, spec) => {
      const details: string[] = [];
      for (const v of arrayOf(spec?.volumes)) {
        const type = Object.keys(v ?? {}).find((k) => k !== 'name');
        if (type && !allowedVolumeTypes.has(type)) details.push(`volume "${v.name}" uses restricted volume type "${type}"`);
      }
      return violation('restricted volume types', details);
    },
  },
  {
    id: 'runAsNonRoot', level: 'restricted',
    check: (_m, spec) => {
      const podSet = spec?.securityContext?.runAsNonRoot;
      if (podSet === false) return { reason: 'runAsNonRoot != true', detail: 'pod must not set securityContext.runAsNonRoot=false' };
      const bad = containersOf(spec).filter((c) => c.securityContext?.runAsNonRoot === false || (c.securityContext?.runAsNonRoot === undefined && podSet !== true)).map((c) => c.name);
      return violation('runAsNonRoot != true', bad.length ? [`pod or ${containers(bad)} must set securityContext.runAsNonRoot=true`] : []);
    },
  },
  {
    id: 'runAsUser', level: 'restricted',
    check: (_m, spec) => {
      const details: string[] = [];
      if (spec?.securityContext?.runAsUser === 0) details.push('pod must not set runAsUser=0');
      const bad = containersOf(spec).filter((c) => c.securityContext?.runAsUser === 0).map((c) => c.name);
      if (bad.length) details.push(`${containers(bad)} must not set runAsUser=0`);
      return violation('runAsUser=0', details);
    },
  },
  {
    id: 'seLinuxOptions', level: 'baseline',
    check: (_m, spec) => {
      const details: string[] = [];
      const bad = (o: any) => o && (!seLinuxTypes.has(o.type ?? '') || o.user || o.role);
      if (bad(spec?.securityContext?.seLinuxOptions)) details.push('pod must not set securityContext.seLinuxOptions');
      const names = containersOf(spec).filter((c) => bad(c.securityContext?.seLinuxOptions)).map((c) => c.name);
      if (names.length) details.push(`${containers(names)} must not set securityContext.seLinuxOptions`);
      return violation('seLinuxOptions', details);
    },
  },
  {
    id: 'seccompProfile_baseline', level: 'baseline',
    check: (_m, spec) => {
      const details: string[] = [];
      if (spec?.securityContext?.seccompProfile?.type === 'Unconfined') details.push('pod must not set securityContext.seccompProfile.type to "Unconfined"');
      const names = containersOf(spec).filter((c) => c.securityContext?.seccompProfile?.type === 'Unconfined').map((c) => c.name);
      if (names.length) details.push(`${containers(names)} must not set securityContext.seccompProfile.type to "Unconfined"`);
      return violation('seccompProfile', details);
    },
  },
  {
    id: 'seccompProfile_restricted', level: 'restricted', overrides: ['seccompProfile_baseline'],
    check: (_m, spec) => {
      const ok = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
      const podType = spec?.securityContext?.seccompProfile?.type;
      const details: string[] = [];
      if (podType !== undefined && !ok(podType)) details.push(`pod must not set securityContext.seccompProfile.type to "${podType}"`);
      const explicitBad = containersOf(spec).filter((c) => c.securityContext?.seccompProfile?.type !== undefined && !ok(c.securityContext.seccompProfile.type));
      if (explicitBad.length) details.push(`${containers(explicitBad.map((c) => c.name))} must not set securityContext.seccompProfile.type to "${explicitBad[0].securityContext.seccompProfile.type}"`);
      if (!ok(podType)) {
        const unset = containersOf(spec).filter((c) => c.securityContext?.seccompProfile?.type === undefined).map((c) => c.name);
        if (unset.length) details.push(`pod or ${containers(unset)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
      }
      return violation('seccompProfile', details);
    },
  },
  {
    id: 'sysctls', level: 'baseline',
    check: (_m, spec) => {
      const bad = arrayOf(spec?.securityContext?.sysctls).map((s) => s?.name).filter((n) => !safeSysctls.has(n));
      return violation('forbidden sysctls', bad.length ? [bad.join(', ')] : []);
    },
  },
  {
    id: 'windowsHostProcess', level: 'baseline',
    check: (_m, spec) => {
      const details: string[] = [];
      if (spec?.securityContext?.windowsOptions?.hostProcess === true) details.push('pod must not set securityContext.windowsOptions.hostProcess=true');
      const names = containersOf(spec).filter((c) => c.securityContext?.windowsOptions?.hostProcess === true).map((c) => c.name);
      if (names.length) details.push(`${containers(names)} must not set securityContext.windowsOptions.hostProcess=true`);
      return violation('hostProcess', details);
    },
  },
];

const byID = (a: PodCheck, b: PodCheck) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The checks of a level in kube's order (policy/registry.go's populate): baseline checks by
 * ID, then restricted checks by ID; restricted drops the baseline checks it overrides.
 */
export function checksFor(level: Level): PodCheck[] {
  if (level === 'privileged') return [];
  const baseline = podChecks.filter((c) => c.level === 'baseline').sort(byID);
  if (level === 'baseline') return baseline;
  const restricted = podChecks.filter((c) => c.level === 'restricted').sort(byID);
  const overridden = new Set(restricted.flatMap((c) => c.overrides ?? []));
  return [...baseline.filter((c) => !overridden.has(c.id)), ...restricted];
}

/** `privileged (container "c" must not set …), seccompProfile (…)`, or undefined when allowed. */
export function evaluatePod(level: Level, meta: any, spec: any): string | undefined {
  const found = checksFor(level).map((c) => c.check(meta, spec)).filter((v): v is Violation => !!v);
  if (found.length === 0) return undefined;
  return found.map((v) => (v.detail ? `${v.reason} (${v.detail})` : v.reason)).join(', ');
}
