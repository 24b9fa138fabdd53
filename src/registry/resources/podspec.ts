// The PodSpec shared by Pods and every workload template: kube 1.32's defaults
// (pkg/apis/core/v1/defaults.go SetDefaults_PodSpec, _Container, _Volume, _Probe and the
// generated +default markers) and the rules of ValidatePodSpec (pkg/apis/core/validation)
// that users meet most, with kube's field paths and messages.
import { field, type FieldError } from '../../api/errors.ts';
import {
  invalidEach, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidPortName, isValidPortNum, keyPath,
  validateLabels,
} from './core-validation.ts';
import { compareQuantities } from '../../api/quantity.ts';
import { validateNonnegativeQuantities } from './quantity-validation.ts';

// ---- defaults ----

export function defaultPodSpec(spec: any): void {
  if (!isObject(spec)) return;
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
  // v1 conversion keeps the deprecated serviceAccount mirrored to serviceAccountName.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const c of containersOf(spec)) defaultContainer(c);
  for (const v of arrayOf(spec.volumes)) defaultVolume(v);
}

/** Template metadata keeps `creationTimestamp: null`, as a 1.32 server prints an empty metav1.Time. */
export function defaultPodTemplateSpec(template: any): void {
  if (!isObject(template)) return;
  template.metadata ??= {};
  if (template.metadata.creationTimestamp === undefined) template.metadata.creationTimestamp = null;
  template.spec ??= {};
  defaultPodSpec(template.spec);
}

function defaultContainer(c: any): void {
  if (!isObject(c)) return;
  c.imagePullPolicy ||= pullsLatest(c.image) ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  c.resources ??= {}; // a Go struct: always printed, `resources: {}` when empty
  for (const p of arrayOf(c.ports)) if (isObject(p)) p.protocol ||= 'TCP';
  for (const e of arrayOf(c.env)) defaultFieldRef(e?.valueFrom?.fieldRef);
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) defaultProbe(probe);
  for (const handler of [c.lifecycle?.postStart, c.lifecycle?.preStop]) defaultHandler(handler);
}

function defaultProbe(probe: any): void {
  if (!isObject(probe)) return;
  probe.timeoutSeconds ||= 1;
  probe.periodSeconds ||= 10;
  probe.successThreshold ||= 1;
  probe.failureThreshold ||= 3;
  defaultHandler(probe);
}

function defaultHandler(handler: any): void {
  if (!isObject(handler)) return;
  if (isObject(handler.httpGet)) {
    handler.httpGet.path ||= '/';
    handler.httpGet.scheme ||= 'HTTP';
  }
  if (isObject(handler.grpc)) handler.grpc.service ??= '';
}

function defaultFieldRef(ref: any): void {
  if (isObject(ref)) ref.apiVersion ||= 'v1';
}

const defaultMode = 0o644; // 420, as SecretVolumeSourceDefaultMode and friends

export function defaultVolume(v: any): void {
  if (!isObject(v)) return;
  if (Object.keys(v).every((k) => k === 'name')) v.emptyDir = {};
  if (isObject(v.secret)) v.secret.defaultMode ??= defaultMode;
  if (isObject(v.configMap)) v.configMap.defaultMode ??= defaultMode;
  if (isObject(v.downwardAPI)) {
    v.downwardAPI.defaultMode ??= defaultMode;
    for (const item of arrayOf(v.downwardAPI.items)) defaultFieldRef(item?.fieldRef);
  }
  if (isObject(v.projected)) {
    v.projected.defaultMode ??= defaultMode;
    for (const source of arrayOf(v.projected.sources)) {
      if (isObject(source?.serviceAccountToken)) source.serviceAccountToken.expirationSeconds ??= 3600;
      for (const item of arrayOf(source?.downwardAPI?.items)) defaultFieldRef(item?.fieldRef);
    }
  }
  if (isObject(v.hostPath)) v.hostPath.type ??= '';
  if (isObject(v.iscsi)) v.iscsi.iscsiInterface ||= 'default';
  const claimSpec = v.ephemeral?.volumeClaimTemplate?.spec;
  if (isObject(claimSpec)) claimSpec.volumeMode ??= 'Filesystem';
}

// An image reference as github.com/distribution/reference parses it (simplified).
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*';
const referenceRe = new RegExp(
  `^(?:${domainComponent}(?:\\.${domainComponent})*(?::[0-9]+)?/)?${pathComponent}(?:/${pathComponent})*` +
  '(?::([\\w][\\w.-]{0,127}))?(@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$');

/** SetDefaults_Container: `Always` for :latest or an untagged, undigested image. */
function pullsLatest(image: unknown): boolean {
  if (typeof image !== 'string') return false;
  const m = referenceRe.exec(image);
  if (!m) return false; // kube ignores the parse error: tag "" → IfNotPresent
  const [, tag, digest] = m;
  return tag === 'latest' || (!tag && !digest);
}

// ---- columns ----

export function podSpecImages(spec: any): string {
  return arrayOf(spec?.containers).map((c: any) => c?.image ?? '').join(',');
}

export function podSpecContainerNames(spec: any): string {
  return arrayOf(spec?.containers).map((c: any) => c?.name ?? '').join(',');
}

// ---- validation ----

export function validatePodTemplateSpec(template: any, path: string): FieldError[] {
  if (!isObject(template)) return [field.required(path, '')];
  const errs = validateLabels(template.metadata?.labels, `${path}.metadata.labels`);
  errs.push(...validatePodSpec(template.spec ?? {}, `${path}.spec`));
  if (arrayOf(template.spec?.ephemeralContainers).length > 0) {
    errs.push(field.forbidden(`${path}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}

export function validatePodSpec(spec: any, path: string): FieldError[] {
  if (!isObject(spec)) return [field.required(path, '')];
  const volumeNames = new Set<string>();
  const errs: FieldError[] = [...validateVolumes(arrayOf(spec.volumes), `${path}.volumes`, volumeNames)];
  const allNames = new Set<string>();
  errs.push(...validateContainerList(arrayOf(spec.initContainers), `${path}.initContainers`, { init: true, allNames, volumeNames, spec }));
  if (arrayOf(spec.containers).length === 0) errs.push(field.required(`${path}.containers`, ''));
  errs.push(...validateContainerList(arrayOf(spec.containers), `${path}.containers`, { init: false, allNames, volumeNames, spec }));
  errs.push(...oneOf(spec.restartPolicy, `${path}.restartPolicy`, ['Always', 'OnFailure', 'Never']));
  errs.push(...oneOf(spec.dnsPolicy, `${path}.dnsPolicy`, ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']));
  if (spec.dnsPolicy === 'None' && !isObject(spec.dnsConfig)) {
    errs.push(field.required(`${path}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None'));
  }
  errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  if (spec.serviceAccountName) errs.push(...invalidEach(`${path}.serviceAccountName`, spec.serviceAccountName, isDNS1123Subdomain(spec.serviceAccountName)));
  if (spec.nodeName) errs.push(...invalidEach(`${path}.nodeName`, spec.nodeName, isDNS1123Subdomain(spec.nodeName)));
  if (spec.hostname) errs.push(...invalidEach(`${path}.hostname`, spec.hostname, isDNS1123Label(spec.hostname)));
  if (spec.subdomain) errs.push(...invalidEach(`${path}.subdomain`, spec.subdomain, isDNS1123Label(spec.subdomain)));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null &&
      (spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > 2147483647)) {
    errs.push(field.invalid(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'));
  }
  errs.push(...validateTolerations(arrayOf(spec.tolerations), `${path}.tolerations`));
  return errs;
}

interface ContainerListContext {
  init: boolean;
  allNames: Set<string>;
  volumeNames: Set<string>;
  spec: any;
}

function validateContainerList(containers: any[], path: string, ctx: ContainerListContext): FieldError[] {
  const errs: FieldError[] = [];
  containers.forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(c)) {
      errs.push(field.required(p, ''));
      return;
    }
    errs.push(...validateContainer(c, p, ctx));
    if (c.name && ctx.allNames.has(c.name)) errs.push(field.duplicate(`${p}.name`, c.name));
    else if (c.name) ctx.allNames.add(c.name);
  });
  return errs;
}

function validateContainer(c: any, path: string, ctx: ContainerListContext): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(field.required(`${path}.name`, ''));
  else errs.push(...invalidEach(`${path}.name`, c.name, isDNS1123Label(c.name)));
  if (!c.image) errs.push(field.required(`${path}.image`, ''));
  if (!c.terminationMessagePolicy) {
    errs.push(field.required(`${path}.terminationMessagePolicy`, "must be 'File' or 'FallbackToLogsOnError'"));
  } else {
    errs.push(...oneOf(c.terminationMessagePolicy, `${path}.terminationMessagePolicy`, ['File', 'FallbackToLogsOnError']));
  }
  errs.push(...validateContainerPorts(arrayOf(c.ports), `${path}.ports`, ctx.spec.hostNetwork === true));
  errs.push(...validateEnv(arrayOf(c.env), `${path}.env`));
  errs.push(...validateVolumeMounts(arrayOf(c.volumeMounts), `${path}.volumeMounts`, ctx.volumeNames));
  errs.push(...oneOf(c.imagePullPolicy, `${path}.imagePullPolicy`, ['Always', 'IfNotPresent', 'Never']));
  errs.push(...validateResources(c.resources, `${path}.resources`));
  errs.push(...validateRestartPolicyAndProbes(c, path, ctx.init));
  return errs;
}

function validateRestartPolicyAndProbes(c: any, path: string, init: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const sidecar = init && c.restartPolicy === 'Always';
  if (c.restartPolicy !== undefined && c.restartPolicy !== null) {
    if (!init) errs.push(field.forbidden(`${path}.restartPolicy`, 'may not be set for non-init containers'));
    else if (c.restartPolicy !== 'Always') errs.push(field.notSupported(`${path}.restartPolicy`, c.restartPolicy, ['Always']));
  }
  for (const probe of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    if (init && !sidecar && c[probe] !== undefined && c[probe] !== null) {
      errs.push(field.forbidden(`${path}.${probe}`, 'may not be set for init containers without restartPolicy=Always'));
    }
  }
  if (init && !sidecar) return errs;
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    if (!isObject(c[probe])) continue;
    errs.push(...validateHandler(c[probe], `${path}.${probe}`));
    if (probe !== 'readinessProbe' && c[probe].successThreshold !== undefined && c[probe].successThreshold !== 1) {
      errs.push(field.invalid(`${path}.${probe}.successThreshold`, c[probe].successThreshold, 'must be 1'));
    }
  }
  for (const hook of ['postStart', 'preStop'] as const) {
    if (isObject(c.lifecycle?.[hook])) errs.push(...validateHandler(c.lifecycle[hook], `${path}.lifecycle.${hook}`));
  }
  return errs;
}

const handlerKinds = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'];

function validateHandler(handler: any, path: string): FieldError[] {
  const set = handlerKinds.filter((k) => handler[k] !== undefined && handler[k] !== null);
  if (set.length === 0) return [field.required(path, 'must specify a handler type')];
  if (set.length > 1) return [field.forbidden(`${path}.${set[1]}`, 'may not specify more than 1 handler type')];
  return [];
}

function validateContainerPorts(ports: any[], path: string, hostNetwork: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(port)) return;
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length) errs.push(...invalidEach(`${p}.name`, port.name, msgs));
      else if (names.has(port.name)) errs.push(field.duplicate(`${p}.name`, port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(field.required(`${p}.containerPort`, ''));
    else errs.push(...invalidEach(`${p}.containerPort`, port.containerPort, isValidPortNum(port.containerPort)));
    if (port.hostPort) errs.push(...invalidEach(`${p}.hostPort`, port.hostPort, isValidPortNum(port.hostPort)));
    if (!port.protocol) errs.push(field.required(`${p}.protocol`, ''));
    else if (!['SCTP', 'TCP', 'UDP'].includes(port.protocol)) errs.push(field.notSupported(`${p}.protocol`, port.protocol, ['SCTP', 'TCP', 'UDP']));
    if (hostNetwork && port.hostPort && port.hostPort !== port.containerPort) {
      errs.push(field.invalid(`${p}.hostPort`, port.hostPort, 'must match `containerPort` when `hostNetwork` is true'));
    }
  });
  return errs;
}

const valueFromKinds = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'];

function validateEnv(env: any[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  env.forEach((e, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(e)) return;
    if (!e.name) errs.push(field.required(`${p}.name`, ''));
    // RelaxedEnvironmentVariableValidation (beta, on in 1.32): printable ASCII except '='.
    else if (!/^[\x20-\x3c\x3e-\x7e]+$/.test(e.name)) {
      errs.push(field.invalid(`${p}.name`, e.name, "a valid environment variable name must consist only of printable ASCII characters other than '='"));
    }
    if (isObject(e.valueFrom)) {
      const set = valueFromKinds.filter((k) => isObject(e.valueFrom[k]));
      if (e.value) errs.push(field.invalid(`${p}.valueFrom`, '', 'may not be specified when `value` is not empty'));
      else if (set.length === 0) {
        errs.push(field.invalid(`${p}.valueFrom`, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      } else if (set.length > 1) {
        errs.push(field.invalid(`${p}.valueFrom`, '', 'may not have more than one field specified at a time'));
      }
    }
  });
  return errs;
}

function validateVolumeMounts(mounts: any[], path: string, volumeNames: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const mountPaths = new Set<string>();
  mounts.forEach((m, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(m)) return;
    if (!m.name) errs.push(field.required(`${p}.name`, ''));
    if (!volumeNames.has(m.name)) errs.push(field.notFound(`${p}.name`, m.name ?? ''));
    if (!m.mountPath) errs.push(field.required(`${p}.mountPath`, ''));
    if (mountPaths.has(m.mountPath)) errs.push(field.invalid(`${p}.mountPath`, m.mountPath, 'must be unique'));
    mountPaths.add(m.mountPath);
  });
  return errs;
}

function validateResources(resources: any, path: string): FieldError[] {
  if (!isObject(resources)) return [];
  // ValidateResourceRequirements: limits, then requests, each non-negative.
  const errs: FieldError[] = [
    ...validateNonnegativeQuantities(resources.limits, `${path}.limits`),
    ...validateNonnegativeQuantities(resources.requests, `${path}.requests`),
  ];
  const limits = isObject(resources.limits) ? resources.limits : {};
  for (const [name, quantity] of Object.entries(isObject(resources.requests) ? resources.requests : {})) {
    if (name in limits && compareQuantities(quantity, limits[name]) > 0) {
      errs.push(field.invalid(keyPath(`${path}.requests`, name), String(quantity),
        `must be less than or equal to ${name} limit of ${String(limits[name])}`));
    }
  }
  return errs;
}

function validateVolumes(volumes: any[], path: string, names: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  volumes.forEach((v, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(v)) return;
    if (!v.name) errs.push(field.required(`${p}.name`, ''));
    else errs.push(...invalidEach(`${p}.name`, v.name, isDNS1123Label(v.name)));
    if (v.name && names.has(v.name)) errs.push(field.duplicate(`${p}.name`, v.name));
    else if (v.name) names.add(v.name);
    const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] !== null && v[k] !== undefined);
    if (sources.length === 0) errs.push(field.required(p, 'must specify a volume type'));
    else if (sources.length > 1) errs.push(field.forbidden(`${p}.${sources[1]}`, 'may not specify more than 1 volume type'));
  });
  return errs;
}

const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTolerations(tolerations: any[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  tolerations.forEach((t, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(t)) return;
    if (t.key) errs.push(...invalidEach(`${p}.key`, t.key, isQualifiedName(t.key)));
    if (!t.key && t.operator !== 'Exists') {
      errs.push(field.invalid(`${p}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push(field.invalid(`${p}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (!t.operator || t.operator === 'Equal') {
      const msgs = isValidLabelValue(t.value ?? '');
      if (msgs.length) errs.push(field.invalid(`${p}.operator`, t.value, msgs.join(';')));
    } else if (t.operator === 'Exists') {
      if (t.value) errs.push(field.invalid(`${p}.operator`, t, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(field.notSupported(`${p}.operator`, t.operator, ['Equal', 'Exists']));
    }
    if (t.effect && !taintEffects.includes(t.effect)) errs.push(field.notSupported(`${p}.effect`, t.effect, taintEffects));
  });
  return errs;
}

// ---- small shared helpers ----

/** An enum field: Required when empty, NotSupported when not one of `supported`. */
export function oneOf(value: unknown, path: string, supported: string[]): FieldError[] {
  if (value === undefined || value === null || value === '') return [field.required(path, '')];
  return supported.includes(value as string) ? [] : [field.notSupported(path, value, supported)];
}

export function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function arrayOf(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}

/** Every container of a spec: init, regular and ephemeral. */
export function containersOf(spec: any): any[] {
  return [...arrayOf(spec?.initContainers), ...arrayOf(spec?.containers), ...arrayOf(spec?.ephemeralContainers)];
}
