// spec.podFailurePolicy (pkg/controller/job/pod_failure_policy.go): the first rule that matches a
// failed pod — on a terminated container's non-zero exit code, or on one of the pod's
// conditions — decides whether the Job fails at once (FailJob, with kube's message), the
// pod's index fails (FailIndex), the failure is ignored (Ignore) or counted (Count).
import type { ContainerStatus, Job, JobPod, PodFailurePolicyRule } from './types.ts';

export interface PolicyMatch {
  /** FailJob: the message of the Job's failure. */
  failJobMessage?: string;
  /** False only for Ignore: the failure does not count toward backoffLimit. */
  countFailed: boolean;
  action?: PodFailurePolicyRule['action'];
}

export function matchPodFailurePolicy(job: Job, pod: JobPod): PolicyMatch {
  const rules = job.spec.podFailurePolicy?.rules;
  if (!rules) return { countFailed: true };
  for (const [index, rule] of rules.entries()) {
    if (rule.onExitCodes) {
      const status = matchOnExitCodes(pod, rule.onExitCodes);
      if (!status) continue;
      const message = `Container ${status.name} for pod ${pod.metadata.namespace}/${pod.metadata.name} failed with exit code ${status.state!.terminated!.exitCode} matching ${rule.action} rule at index ${index}`;
      return decide(rule.action, message);
    }
    if (rule.onPodConditions) {
      const condition = (pod.status?.conditions ?? []).find((c) => rule.onPodConditions!.some((p) => p.type === c.type && (p.status ?? 'True') === c.status));
      if (!condition) continue;
      const message = `Pod ${pod.metadata.namespace}/${pod.metadata.name} has condition ${condition.type} matching ${rule.action} rule at index ${index}`;
      return decide(rule.action, message);
    }
  }
  return { countFailed: true };
}

function decide(action: PodFailurePolicyRule['action'], message: string): PolicyMatch {
  switch (action) {
    case 'Ignore': return { countFailed: false, action };
    case 'FailJob': return { failJobMessage: message, countFailed: true, action };
    default: return { countFailed: true, action };
  }
}

/** A terminated container (regular first, then init) whose non-zero exit code the requirement matches. */
function matchOnExitCodes(pod: JobPod, req: NonNullable<PodFailurePolicyRule['onExitCodes']>): ContainerStatus | undefined {
  const matches = (s: ContainerStatus) => {
    const code = s.state?.terminated?.exitCode;
    if (code === undefined || code === 0) return false;
    if (req.containerName != null && req.containerName !== s.name) return false;
    const listed = (req.values ?? []).includes(code);
    return req.operator === 'In' ? listed : req.operator === 'NotIn' ? !listed : false;
  };
  return (pod.status?.containerStatuses ?? []).find(matches) ?? (pod.status?.initContainerStatuses ?? []).find(matches);
}
