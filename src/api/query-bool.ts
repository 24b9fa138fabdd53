// Boolean query parameters as kube-apiserver decodes them into ListOptions, GetOptions,
// DeleteOptions, PatchOptions, PodLogOptions and PodExecOptions (apimachinery's
// runtime.Convert_Slice_string_To_bool): absent is false; "0" or "false" in any case is false;
// every other value — "true", "True", "1", "t", "yes", even "" — is true. Never an error.

/** The first value of a query parameter as kube's parameter codec reads it; undefined when absent. */
export function queryBool(value: string | readonly string[] | null | undefined): boolean | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null) return undefined;
  return !(first === '0' || first.toLowerCase() === 'false');
}
