// gnostic's OpenAPI v2 protobuf (openapi.v2.Document), the form kube-apiserver serves
// /openapi/v2 in for `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`.
export { encodeOpenAPIV2Document } from './gnostic.ts';
