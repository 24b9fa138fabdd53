// Every built-in resource kubelite serves: one row each (see ../types.ts).
import type { ResourceDef } from '../types.ts';
import { admissionRegistrationResources } from './admissionregistration.ts';
import { appsResources } from './apps.ts';
import { batchResources } from './batch.ts';
import { coreResources } from './core.ts';
import { otherResources } from './other.ts';
import { authorizationResources } from './authorization.ts';
import { rbacResources } from './rbac.ts';
import { certificateSigningRequestResource } from './certificates.ts';
import { storageCsiResources } from './storage-csi.ts';
import { smallResources } from './small-kinds.ts';
import { flowcontrolResources } from './flowcontrol.ts';
import { componentStatusResource } from './component-status.ts';
import { apiServiceResource } from './apiregistration.ts';

export function builtinResources(): ResourceDef[] {
  return [...coreResources, ...appsResources, ...batchResources, ...otherResources, ...admissionRegistrationResources, ...rbacResources, ...authorizationResources,
    ...storageCsiResources, certificateSigningRequestResource, ...smallResources, ...flowcontrolResources, componentStatusResource, apiServiceResource];
}
